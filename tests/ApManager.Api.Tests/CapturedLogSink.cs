using System.Collections.Concurrent;
using Serilog;
using Serilog.Configuration;
using Serilog.Core;
using Serilog.Events;

namespace ApManager.Api.Tests;

/// <summary>
/// A Serilog sink that the service's own <c>ReadFrom.Configuration</c> adds when a test names it under
/// <c>Serilog:WriteTo</c>: the events the service really writes, keyed per host so parallel tests never mix.
/// </summary>
public static class CapturedLogSink
{
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<LogEvent>> Captures = new();

    /// <summary>Configuration that makes a host write every event to a fresh capture; returns its key.</summary>
    public static Dictionary<string, string?> Settings(out string key)
    {
        key = Guid.NewGuid().ToString("N");
        Captures[key] = new ConcurrentQueue<LogEvent>();
        return new Dictionary<string, string?>
        {
            ["Serilog:Using:0"] = typeof(CapturedLogSink).Assembly.GetName().Name,
            ["Serilog:WriteTo:0:Name"] = nameof(CapturedLog),
            ["Serilog:WriteTo:0:Args:key"] = key,
        };
    }

    public static IReadOnlyList<LogEvent> Events(string key) => [.. Captures[key]];

    /// <summary>Called by Serilog.Settings.Configuration for <c>"WriteTo": [{"Name": "CapturedLog"}]</c>.</summary>
    public static LoggerConfiguration CapturedLog(this LoggerSinkConfiguration writeTo, string key) =>
        writeTo.Sink(new Sink(Captures.GetOrAdd(key, _ => new ConcurrentQueue<LogEvent>())));

    private sealed class Sink(ConcurrentQueue<LogEvent> events) : ILogEventSink
    {
        public void Emit(LogEvent logEvent) => events.Enqueue(logEvent);
    }

    public static string? SourceContext(this LogEvent e) =>
        e.Properties.TryGetValue("SourceContext", out var value) && value is ScalarValue { Value: string s } ? s : null;

    public static object? Scalar(this LogEvent e, string property) =>
        e.Properties.TryGetValue(property, out var value) && value is ScalarValue scalar ? scalar.Value : null;
}
