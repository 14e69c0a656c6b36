using ApManager.Api.Access;
using ApManager.Api.Audit;
using ApManager.Api.Bus;
using ApManager.Api.Configuration;
using ApManager.Api.Events;
using ApManager.Api.Host;
using ApManager.Api.Http;
using ApManager.Api.Mdevs;
using ApManager.Api.OpenApi;
using ApManager.Api.Operations;
using ApManager.Api.Persistence;
using ApManager.Api.Problems;
using ApManager.Api.Topology;
using ApManager.Api.Transfer;
using ApManager.Core.State;
using Serilog;

// A plain (not bootstrap) logger: several hosts in one test process must not freeze it.
Log.Logger = new LoggerConfiguration().WriteTo.Console().CreateLogger();

try
{
    // No reload-on-change for appsettings*.json: it watches the whole content root recursively, and
    // the default store (./data) lives in it, so every commit woke the watcher thread (a profile
    // showed it stat-ing the WAL file after each write). Settings are read once at start anyway.
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions
    {
        Args = [.. args, "--hostBuilder:reloadConfigOnChange=false"],
        ContentRootPath = ContentRoot.For(args, AppContext.BaseDirectory),
    });
    // preserveStaticLogger: each host logs through its own logger. Otherwise every ILogger writes
    // through the process-wide Log.Logger, which the last host built replaces and any disposed host
    // silences, so hosts sharing a process (the tests) lose or swap their events.
    builder.Services.AddSerilog((services, logger) => logger
        .ReadFrom.Configuration(builder.Configuration)
        .Enrich.FromLogContext()
        .MinimumLevel.Override("Microsoft.AspNetCore", Serilog.Events.LogEventLevel.Warning)
        // The console is slow and synchronous; a background writer keeps it off the request path
        // (bounded: under a flood it drops lines rather than blocking requests).
        .WriteTo.Async(sink => sink.Console(), bufferSize: 10_000, blockWhenFull: false), preserveStaticLogger: true);

    builder.Services.AddApManagerCore();
    builder.Services.AddSingleton<HostWatcher>();
    builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default));
    builder.Services.AddSingleton(sp => new SnapshotBody<BusDto>(BusDto.From, sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>()));
    builder.Services.AddHostedService(sp => sp.GetRequiredService<HostWatcher>());
    builder.Services.AddApManagerProblems();
    builder.Services.AddApManagerHealthChecks();
    builder.Services.AddApManagerOpenApi();
    builder.Services.AddApManagerAccess();
    builder.Services.AddApManagerMetrics();
    builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = ApManager.Api.Transfer.TransferEndpoints.MaxImportBytes);

    var app = builder.Build();

    // Every setting is checked now, before anything is built from it: a bad value stops the
    // service here, all of them reported together, each naming its key.
    app.Services.ValidateSettings();
    var system = app.Services.GetRequiredService<ApSystem>();
    LogIgnoredSettings(app);
    app.CheckExposure();
    app.Services.GetRequiredService<ApiKeyStore>();

    // Outermost, so the logged status is the one the client got after problem mapping (levels: RequestLog.LevelOf).
    app.UseRequestLog(app.Services.GetRequiredService<Serilog.ILogger>());
    app.UseApManagerHttpMetrics();
    // HEAD answers what GET answers without the body, problems from any middleware included.
    app.UseHeadRequests();
    app.UseExceptionHandler();
    app.UseStatusCodePages();
    app.UseRejectedAttemptAudit();
    app.UseApManagerAccess();
    app.UseQueryGuard();
    app.UseApManagerOpenApi();

    // The dashboard (wwwroot: index.html, app.css and ES modules under js/) at "/"; it calls only the documented /api endpoints.
    // A CPU profile of GET /api/bus showed the file lookups of these two middlewares at ~14% of the
    // request path; API, health and metrics routes never serve files, so they skip them.
    app.UseWhen(
        context => !context.Request.Path.StartsWithSegments("/api") && !context.Request.Path.StartsWithSegments("/health") &&
            !context.Request.Path.StartsWithSegments("/metrics") && !context.Request.Path.StartsWithSegments("/problems"),
        dashboard =>
        {
            dashboard.UseDefaultFiles();
            dashboard.UseStaticFiles();
        });

    app.MapBusEndpoints();
    app.MapAdapterEndpoints();
    app.MapQueueEndpoints();
    app.MapDriverEndpoints();
    app.MapMdevEndpoints();
    app.MapDefinitionEndpoints();
    app.MapBootEndpoints();
    app.MapAuditEndpoints();
    app.MapEventEndpoints();
    app.MapTransferEndpoints();
    app.MapProblemEndpoints();
    app.MapHealthEndpoints();
    app.MapHostEndpoints();
    app.MapApManagerMetrics();

    app.Services.GetRequiredService<Serilog.ILogger>().Information("ApManager ready at version {Version} with {Adapters} adapters, {Queues} queues, {Mdevs} matrix devices",
        system.Current.Version, system.Current.Adapters.Count(), system.Current.Queues.Count(), system.Current.Mdevs.Count);
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (ex is not HostAbortedException)
{
    Log.Fatal(ex, "ApManager failed to start: {Message}", ex.Message);
    // Hosted by another program (WebApplicationFactory): rethrow, or it only sees "not started".
    if (System.Reflection.Assembly.GetEntryAssembly() != typeof(Program).Assembly)
    {
        throw;
    }
    return 1;
}
finally
{
    await Log.CloseAndFlushAsync();
}

/// <summary>The entry point, visible to WebApplicationFactory.</summary>
public partial class Program
{
    /// <summary>Keys that do not apply to the host being managed are said once, not silently dropped.</summary>
    private static void LogIgnoredSettings(WebApplication app)
    {
        var host = app.Services.GetRequiredService<ApManager.Api.Configuration.HostSettings>();
        var ignored = host.Ignored.ToList();
        if (host.Mode == ApManager.Core.Host.HostKind.Sysfs && app.Configuration["ApManager:Seed"] is not null)
        {
            ignored.Add("ApManager:Seed");
        }
        var logger = app.Services.GetRequiredService<Serilog.ILogger>();
        foreach (var key in ignored)
        {
            logger.Warning("{Key} does not apply to a {Mode} host and is ignored", key, host.Mode.ToString().ToLowerInvariant());
        }
    }
}
