using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ApManager.Api.Tests.Fuzz;

/// <summary>Where a fuzz run spent its requests and its time: per status, per route, generating and checking.</summary>
public sealed class FuzzTally
{
    private const string Generate = "(generate)";
    private const string Check = "(check)";

    private readonly SortedDictionary<int, int> _statuses = [];
    private readonly SortedDictionary<string, int> _perRoute = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _ticks = new(StringComparer.Ordinal);

    public Stopwatch Clock { get; } = new();

    public int Sent { get; private set; }

    public bool Fuzzed(FuzzRoute route) => _perRoute.GetValueOrDefault(route.Key) != 0;

    public void Generated(long startedAt) => AddTicks(Generate, startedAt);

    public void Answered(FuzzRequest request, int status, long startedAt)
    {
        _perRoute[request.Route] = _perRoute.GetValueOrDefault(request.Route) + 1;
        AddTicks(request.Route, startedAt);
        Sent++;
        _statuses[status] = _statuses.GetValueOrDefault(status) + 1;
    }

    public void Checked(long startedAt) => AddTicks(Check, startedAt);

    private void AddTicks(string key, long startedAt) =>
        _ticks[key] = _ticks.GetValueOrDefault(key) + (Stopwatch.GetTimestamp() - startedAt);

    private long Milliseconds(string key) => _ticks.GetValueOrDefault(key) * 1000 / Stopwatch.Frequency;

    public void AppendStatuses(StringBuilder b)
    {
        b.AppendLine(CultureInfo.InvariantCulture, $"by class: {string.Join(", ", _statuses.GroupBy(s => s.Key / 100).Select(g => $"{g.Key}xx={g.Sum(s => s.Value)}"))}");
        b.AppendLine(CultureInfo.InvariantCulture, $"by status: {string.Join(", ", _statuses.Select(s => $"{s.Key}={s.Value}"))}");
    }

    public void AppendCosts(StringBuilder b)
    {
        b.AppendLine(CultureInfo.InvariantCulture, $"process CPU time {Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:F1} s; generate {Milliseconds(Generate)} ms, check {Milliseconds(Check)} ms, gen0/1/2 GCs {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}");
        b.AppendLine(CultureInfo.InvariantCulture, $"per route (requests, ms spent): {string.Join(", ", _perRoute.Select(s => $"{s.Key}={s.Value} ({Milliseconds(s.Key)} ms)"))}");
    }
}
