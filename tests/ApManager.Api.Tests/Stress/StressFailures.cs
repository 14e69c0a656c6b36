using System.Collections.Concurrent;
using System.Diagnostics;

namespace ApManager.Api.Tests.Stress;

/// <summary>What a stress run found, from any thread, stamped with the time since the load started; the first 200 are kept.</summary>
public sealed class StressFailures
{
    private readonly ConcurrentQueue<string> _messages = new();

    /// <summary>Runs while the load runs: the stamp of every failure and the duration in the summary.</summary>
    public Stopwatch Clock { get; } = new();

    public bool IsEmpty => _messages.IsEmpty;

    public int Count => _messages.Count;

    public IEnumerable<string> First(int count) => _messages.Take(count);

    public void Fail(string message)
    {
        if (_messages.Count < 200)
        {
            _messages.Enqueue($"[{Clock.Elapsed.TotalSeconds:F2}s] {message}");
        }
    }
}
