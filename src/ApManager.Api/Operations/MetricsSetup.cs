using ApManager.Api.Access;
using ApManager.Api.Configuration;
using ApManager.Core.Journal;
using ApManager.Core.Persistence;
using ApManager.Core.State;
using Prometheus;

namespace ApManager.Api.Operations;

/// <summary>
/// <c>GET /metrics</c> in Prometheus text format (prometheus-net): request counts and latency
/// histograms by route and status, problems by type, queues by driver, matrix devices, attached
/// guests and the store's commit latency. One registry per host, so hosts never share series.
/// </summary>
public sealed class ApManagerMetrics : IStoreMetrics
{
    private readonly Counter _problems;
    private readonly Gauge _queues;
    private readonly Gauge _mdevs;
    private readonly Gauge _guests;
    private readonly Gauge _definitions;
    private readonly Gauge _version;
    private readonly Histogram _commitSeconds;
    private readonly Histogram _commitEntries;
    private readonly Counter _commitFailures;

    public ApManagerMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        // Process and runtime figures (RSS, GC heap, CPU) next to ours.
        DotNetStats.Register(Registry);
        var factory = Metrics.WithCustomRegistry(Registry);
        _problems = factory.CreateCounter("apmanager_problems_total", "Problem responses (refusals and errors) by problem type and status", "problem_type", "status");
        _queues = factory.CreateGauge("apmanager_queues", "AP queues by bound driver (none = unbound)", "driver");
        _mdevs = factory.CreateGauge("apmanager_mdevs", "vfio_ap matrix devices");
        _guests = factory.CreateGauge("apmanager_guests", "Guests attached to matrix devices");
        _definitions = factory.CreateGauge("apmanager_definitions", "Persistent matrix device definitions (mdevctl) by start mode (unreadable = a file mdevctl cannot read)", "start");
        _version = factory.CreateGauge("apmanager_state_version", "Global state version (committed steps)");
        _commitSeconds = factory.CreateHistogram("apmanager_store_commit_seconds", "Duration of one durable group commit (write and fsync)",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0005, 2, 14) });
        _commitEntries = factory.CreateHistogram("apmanager_store_commit_entries", "Audit entries carried by one group commit",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(1, 2, 9) });
        _commitFailures = factory.CreateCounter("apmanager_store_commit_failures_total", "Group commits that failed and were rolled back");
    }

    public CollectorRegistry Registry { get; }

    /// <summary>Counts one problem response.</summary>
    public void CountProblem(string type, int status) =>
        _problems.WithLabels(type, status.ToString(System.Globalization.CultureInfo.InvariantCulture)).Inc();

    public void Committed(TimeSpan duration, int entries)
    {
        _commitSeconds.Observe(duration.TotalSeconds);
        _commitEntries.Observe(entries);
    }

    public void Failed() => _commitFailures.Inc();

    /// <summary>Gauges are computed from the current snapshot when scraped, never on the request path.</summary>
    internal void Observe(ApSnapshot s)
    {
        var byDriver = new Dictionary<string, int> { ["cex4queue"] = 0, ["vfio_ap"] = 0, ["none"] = 0 };
        foreach (var q in s.Queues)
        {
            var key = q.Driver ?? "none";
            byDriver[key] = byDriver.GetValueOrDefault(key) + 1;
        }
        foreach (var (driver, count) in byDriver)
        {
            _queues.WithLabels(driver).Set(count);
        }
        _mdevs.Set(s.Mdevs.Count);
        _guests.Set(s.Guests.Count);
        _version.Set(s.Version);
    }

    /// <summary>Definitions by start mode, every label always present so a series never vanishes.</summary>
    internal void Observe(DefinitionSet d)
    {
        _definitions.WithLabels("auto").Set(d.Entries.Count(e => e.Definition is { Autostart: true }));
        _definitions.WithLabels("manual").Set(d.Entries.Count(e => e.Definition is { Autostart: false }));
        _definitions.WithLabels("unreadable").Set(d.Entries.Count(e => e.Definition is null));
    }
}

public static class MetricsSetup
{
    public static IServiceCollection AddApManagerMetrics(this IServiceCollection services)
    {
        services.AddSettings<MetricsOptions, MetricsSettings>();
        services.AddSingleton<ApManagerMetrics>();
        return services;
    }

    /// <summary>Request metrics (latency histogram by route, method and status; its _count is the request count), recorded for every request including refused ones.</summary>
    public static WebApplication UseApManagerHttpMetrics(this WebApplication app)
    {
        app.UseHttpMetrics(o =>
        {
            o.SetMetricFactory(Metrics.WithCustomRegistry(app.Services.GetRequiredService<ApManagerMetrics>().Registry));
            // One middleware instead of three on every request: the duration histogram's _count
            // already is the request count by route, method and status, and an in-progress gauge
            // of sub-millisecond requests says little.
            o.RequestCount.Enabled = false;
            o.InProgress.Enabled = false;
            // No exemplars: there is no tracing to link them to, and reading the trace context for
            // every observation showed in the perf profile of GET /api/bus.
            o.RequestDuration.ExemplarPredicate = _ => false;
        });
        return app;
    }

    public static WebApplication MapApManagerMetrics(this WebApplication app)
    {
        var metrics = app.Services.GetRequiredService<ApManagerMetrics>();
        var system = app.Services.GetRequiredService<ApSystem>();
        if (app.Services.GetRequiredService<IStateJournal>() is ApManager.Storage.SqliteStore store)
        {
            store.Metrics = metrics;
        }
        var definitions = app.Services.GetRequiredService<DefinitionManager>();
        metrics.Registry.AddBeforeCollectCallback(() =>
        {
            metrics.Observe(system.Current);
            metrics.Observe(definitions.Store.Read());
        });

        var settings = app.Services.GetRequiredService<MetricsSettings>();
        if (!settings.Enabled)
        {
            return app;
        }
        var endpoint = app.MapMetrics("/metrics", metrics.Registry).WithDisplayName("Prometheus metrics");
        if (settings.RequireAuth)
        {
            endpoint.WithMetadata(new RequiredRoleMetadata(Roles.Viewer));
        }
        return app;
    }
}
