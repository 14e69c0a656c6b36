namespace ApManager.Api.Tests.Fuzz;

/// <summary>What came back: the status (0 when the HTTP layer refused the request before the app, -1 on a client error).</summary>
public sealed record FuzzResponse(int Status, string? ContentType, byte[]? Body, string? WwwAuthenticateHeader)
{
    /// <summary>The pseudo status of a request the HTTP layer refused before the application saw it.</summary>
    public const int HostRejected = 0;

    public string WwwAuthenticate => WwwAuthenticateHeader ?? string.Empty;
}

/// <summary>Sends a <see cref="FuzzRequest"/> byte for byte as generated; a client-side failure is a finding.</summary>
public sealed class FuzzClient(HttpClient client, FuzzFailures failures)
{
    public async Task<FuzzResponse> SendAsync(FuzzRequest r)
    {
        using var message = Message(r);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(r.Streams ? 5 : 60));
        try
        {
            using var response = await client.SendAsync(message, r.Streams ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead, timeout.Token);
            var contentType = response.Content.Headers.ContentType?.MediaType;
            if (r.Streams && contentType == "text/event-stream")
            {
                // A live event stream never ends: the headers are the answer; disposing aborts it.
                return new((int)response.StatusCode, contentType, null, response.Headers.WwwAuthenticate.ToString());
            }
            return new((int)response.StatusCode, contentType, await response.Content.ReadAsByteArrayAsync(timeout.Token), response.Headers.WwwAuthenticate.ToString());
        }
        catch (InvalidOperationException ex) when (ex.Message == "The path contains null characters.")
        {
            // The HTTP layer refuses a NUL in the decoded path before the application sees it
            // (TestServer throws, Kestrel answers 400 itself): nothing reached the app.
            return new(FuzzResponse.HostRejected, null, null, null);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or InvalidOperationException)
        {
            failures.Fail("exception", $"the request failed with {ex.GetType().Name}: {ex.Message}", r);
            return new(-1, null, null, null);
        }
    }

    private static HttpRequestMessage Message(FuzzRequest r)
    {
        var message = new HttpRequestMessage(new HttpMethod(r.Method), new Uri("http://localhost" + r.Target));
        if (r.Body is not null)
        {
            message.Content = new ByteArrayContent(r.Body);
            if (r.ContentType is not null)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", r.ContentType);
            }
        }
        if (r.Authorization is not null)
        {
            message.Headers.TryAddWithoutValidation("Authorization", r.Authorization);
        }
        foreach (var (name, value) in r.Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }
        return message;
    }
}
