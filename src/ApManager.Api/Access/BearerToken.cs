namespace ApManager.Api.Access;

/// <summary>The credential a request presents: <c>Authorization: Bearer &lt;API key or JWT&gt;</c>.</summary>
public static class BearerToken
{
    /// <summary>The bearer token of a request; the SSE stream may also pass it as <c>access_token</c>, since EventSource cannot set headers.</summary>
    public static string? From(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = header["Bearer ".Length..].Trim();
            return token.Length > 0 ? token : null;
        }
        if (request.Path.StartsWithSegments("/api/events") && request.Query["access_token"].ToString() is { Length: > 0 } query)
        {
            return query;
        }
        return null;
    }

    /// <summary>A JWT is three base64url parts joined by dots; an API key has none.</summary>
    public static bool LooksLikeJwt(string token) => token.Count(c => c == '.') == 2;
}
