namespace ApManager.Api.Access;

/// <summary>The three roles and the policies that require them; each role includes the ones below it.</summary>
public static class Roles
{
    public const string Viewer = "viewer";
    public const string Operator = "operator";
    public const string Admin = "admin";

    /// <summary>Policy names equal role names: "at least this role".</summary>
    public static readonly string[] All = [Viewer, Operator, Admin];

    public static string[] AtLeast(string role) => role switch
    {
        Viewer => [Viewer, Operator, Admin],
        Operator => [Operator, Admin],
        _ => [Admin],
    };

    public static bool IsRole(string? role) => role is Viewer or Operator or Admin;
}
