using ApManager.Api.Access;

namespace ApManager.Api.Tests.Fuzz;

/// <summary>
/// A caller without the route's role never gets a 2xx; one with it is never told 401/403;
/// every 401 challenges with Bearer.
/// </summary>
public sealed class AccessOracle(IReadOnlyList<FuzzRoute> routes, FuzzFailures failures)
{
    private readonly Dictionary<string, FuzzRoute> _routes = routes.GroupBy(r => r.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

    public int Checks { get; private set; }

    public void Check(int index, FuzzRequest r, FuzzResponse response)
    {
        if (response.Status == 401 && !response.WwwAuthenticate.Contains("Bearer", StringComparison.Ordinal))
        {
            failures.Fail($"401-challenge {r.Route}", $"#{index} answered 401 without WWW-Authenticate: Bearer", r);
        }
        var route = _routes.GetValueOrDefault(r.Route);
        if (route is null || route.Method != r.Method || route.Pattern.StartsWith("/api/events", StringComparison.Ordinal))
        {
            return;
        }
        Checks++;
        var caller = RoleOf(r.Authorization);
        var sufficient = route.Role is null || (caller is not null && Rank(caller) >= Rank(route.Role));
        if (!sufficient && response.Status is >= 200 and < 300)
        {
            failures.Fail($"access-granted {r.Route}", $"#{index} a {caller ?? "anonymous"} caller got {response.Status} on a {route.Role} route", r);
        }
        if (sufficient && response.Status is 401 or 403)
        {
            failures.Fail($"access-denied {r.Route}", $"#{index} a {caller ?? "anonymous"} caller got {response.Status} on a {route.Role ?? "public"} route", r);
        }
    }

    private static int Rank(string role) => role switch
    {
        Roles.Admin => 3,
        Roles.Operator => 2,
        Roles.Viewer => 1,
        _ => 0,
    };

    /// <summary>The role the API-key handler grants for this Authorization header, or null.</summary>
    private static string? RoleOf(string? header)
    {
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        return header["Bearer ".Length..].Trim() switch
        {
            ApManagerApplication.AdminKey => Roles.Admin,
            ApManagerApplication.OperatorKey => Roles.Operator,
            ApManagerApplication.ViewerKey => Roles.Viewer,
            _ => null,
        };
    }
}
