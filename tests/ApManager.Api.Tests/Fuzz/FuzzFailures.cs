namespace ApManager.Api.Tests.Fuzz;

/// <summary>
/// What a fuzz run found, by kind: every failure is counted, the first of each kind is always kept
/// in full, repeats only while there is room.
/// </summary>
public sealed class FuzzFailures
{
    private const int MaxDetailedFailures = 40;

    private readonly Dictionary<string, int> _kinds = new(StringComparer.Ordinal);

    public List<string> Details { get; } = [];

    public int Total { get; private set; }

    public void Fail(string kind, string message, FuzzRequest? request = null)
    {
        var seen = _kinds.GetValueOrDefault(kind);
        _kinds[kind] = seen + 1;
        Total++;
        // The first occurrence of every kind is always kept in full; repeats only while there is room.
        if (seen == 0 || (seen < 3 && Details.Count < MaxDetailedFailures))
        {
            Details.Add($"[{kind}] {message}{(request is null ? string.Empty : Environment.NewLine + "    request: " + request.Describe())}");
        }
    }

    public string Kinds() => string.Join(", ", _kinds.Select(k => $"{k.Key}={k.Value}"));

    /// <summary>A response body for a failure message, printable and cut short.</summary>
    public static string Text(byte[]? body) => body is null ? "(no body)" : FuzzRequest.Printable(body, 400);
}
