using ApManager.Api.Tests.Stress;
using ApManager.Core.State;
using Microsoft.AspNetCore.WebUtilities;

namespace ApManager.Api.Tests.Fuzz;

/// <summary>
/// The whole state after each request: unchanged unless a mutating call succeeded for real (not a
/// dry run), and then one version further and consistent.
/// </summary>
public sealed class StateOracle
{
    private static readonly HashSet<string> Mutating = new(StringComparer.Ordinal) { "POST", "PUT", "PATCH", "DELETE" };

    private readonly ApSystem _system;
    private readonly FuzzFailures _failures;
    private int _beforePrint;
    private string? _beforeText;

    public StateOracle(ApSystem system, FuzzFailures failures)
    {
        _system = system;
        _failures = failures;
        Before = system.Current;
        _beforeText = SnapshotText.Describe(Before);
        _beforePrint = SnapshotText.Fingerprint(Before);
    }

    /// <summary>The state the next request is sent against.</summary>
    public ApSnapshot Before { get; private set; }

    public int Checks { get; private set; }

    public int InvariantChecks { get; private set; }

    public int CommittedByResponses { get; private set; }

    public void Check(int index, FuzzRequest r, int status, byte[]? body)
    {
        var (before, beforePrint) = (Before, _beforePrint);
        var after = _system.Current;
        var afterPrint = SnapshotText.Fingerprint(after);
        (Before, _beforePrint) = (after, afterPrint);
        var dryRun = DryRunRequested(r.Target);
        var mayChange = status is >= 200 and < 300 && Mutating.Contains(r.Method) && !dryRun;
        Checks++;
        if (!mayChange || after.Version == before.Version)
        {
            if (after.Version != before.Version || afterPrint != beforePrint)
            {
                _failures.Fail($"state-changed {status} {r.Route}",
                    $"#{index} answered {status}{(dryRun ? " (dry run)" : string.Empty)} but the state moved from v{before.Version} to v{after.Version}: " +
                    $"{FirstDifference(_beforeText ?? "(not kept)", SnapshotText.Describe(after))}; body {FuzzFailures.Text(body)}", r);
            }
            return;
        }
        if (after.Version != before.Version + 1)
        {
            _failures.Fail($"version-step {r.Route}", $"#{index} moved the version from {before.Version} to {after.Version} in one request", r);
        }
        CommittedByResponses++;
        CheckInvariants(after, v => _failures.Fail($"invariant {r.Route}", $"#{index} ({status}) left an inconsistent state: {v}", r));
        _beforeText = SnapshotText.Describe(after);
    }

    /// <summary>Every rule of the snapshot checker over <paramref name="s"/>, each violation reported.</summary>
    public void CheckInvariants(ApSnapshot s, Action<string> fail)
    {
        InvariantChecks++;
        foreach (var v in SnapshotInvariants.Violations(s))
        {
            fail(v);
        }
    }

    /// <summary>Whether ASP.NET Core will bind <c>dryRun</c> to true from this query.</summary>
    private static bool DryRunRequested(string target)
    {
        var q = target.IndexOf('?', StringComparison.Ordinal);
        if (q < 0)
        {
            return false;
        }
        var query = QueryHelpers.ParseQuery(target[q..]);
        return query.Where(kv => kv.Key.Equals("dryRun", StringComparison.OrdinalIgnoreCase))
            .SelectMany(kv => kv.Value)
            .Any(v => bool.TryParse(v, out var b) && b);
    }

    private static string FirstDifference(string a, string b)
    {
        var la = a.Split('\n');
        var lb = b.Split('\n');
        for (var i = 0; i < Math.Max(la.Length, lb.Length); i++)
        {
            var x = i < la.Length ? la[i] : "(none)";
            var y = i < lb.Length ? lb[i] : "(none)";
            if (x != y)
            {
                return $"'{x}' became '{y}'";
            }
        }
        return "same text";
    }
}
