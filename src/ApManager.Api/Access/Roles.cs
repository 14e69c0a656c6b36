namespace ApManager.Api.Access;

/// <summary>The three roles; each includes the ones below it.</summary>
public static class Roles
{
    public const string Viewer = "viewer";
    public const string Operator = "operator";
    public const string Admin = "admin";

    /// <summary>Weakest first.</summary>
    public static readonly string[] All = [Viewer, Operator, Admin];

    private static readonly string[] FromOperator = [Operator, Admin];
    private static readonly string[] AdminOnly = [Admin];

    /// <summary>The roles that satisfy <paramref name="role"/> (it and the stronger ones).</summary>
    public static IReadOnlyList<string> AtLeast(string role) => role switch
    {
        Viewer => All,
        Operator => FromOperator,
        _ => AdminOnly,
    };

    public static bool IsRole(string? role) => role is Viewer or Operator or Admin;

    /// <summary>0 viewer, 1 operator, 2 admin; -1 for anything else.</summary>
    public static int Rank(string? role) => Array.IndexOf(All, role);

    /// <summary>Whether the caller holds <paramref name="role"/> or a stronger one (API key role or JWT role claims).</summary>
    public static bool Allows(System.Security.Claims.ClaimsPrincipal user, string role)
    {
        ArgumentNullException.ThrowIfNull(user);
        foreach (var held in AtLeast(role))
        {
            if (user.IsInRole(held))
            {
                return true;
            }
        }
        return false;
    }
}
