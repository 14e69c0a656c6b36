using System.Collections.Concurrent;

namespace ApManager.Api.Tests.Stress;

/// <summary>
/// What the clients did and checked, counted across threads (fields, for <see cref="Interlocked"/>):
/// the summary reports them and the verdict asks that the load really exercised the bus.
/// </summary>
public sealed class StressCounters
{
    public long CommitsByResponses;
    public long MaskCommits;
    public long InUseRefusals;
    public long InUseQueries;
    public long ProbeRefusals;
    public long ReadChecks;
    public long VersionChecks;

    public ConcurrentDictionary<int, int> Statuses { get; } = new();

    public ConcurrentDictionary<string, int> Operations { get; } = new();

    public void Count(string operation) => Operations.AddOrUpdate(operation, 1, (_, n) => n + 1);

    public void CountStatus(int status) => Statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
}
