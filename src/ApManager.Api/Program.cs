using ApManager.Api.Bus;
using ApManager.Api.Configuration;
using ApManager.Api.Mdevs;
using ApManager.Api.OpenApi;
using ApManager.Api.Operations;
using ApManager.Api.Problems;
using ApManager.Api.Topology;
using ApManager.Core.State;
using Serilog;

// A plain (not bootstrap) logger: several hosts in one test process must not freeze it.
Log.Logger = new LoggerConfiguration().WriteTo.Console().CreateLogger();

try
{
    var builder = WebApplication.CreateBuilder(args);
    // preserveStaticLogger: each host logs through its own logger. Otherwise every ILogger writes
    // through the process-wide Log.Logger, which the last host built replaces and any disposed host
    // silences, so hosts sharing a process (the tests) lose or swap their events.
    builder.Services.AddSerilog((services, logger) => logger
        .ReadFrom.Configuration(builder.Configuration)
        .Enrich.FromLogContext()
        .MinimumLevel.Override("Microsoft.AspNetCore", Serilog.Events.LogEventLevel.Warning)
        .WriteTo.Console(), preserveStaticLogger: true);

    builder.Services.AddApManagerCore();
    builder.Services.AddApManagerProblems();
    builder.Services.AddApManagerHealthChecks();
    builder.Services.AddApManagerOpenApi();

    var app = builder.Build();

    // Build the bus model now: a bad configuration stops the service here, naming the key.
    var system = app.Services.GetRequiredService<ApSystem>();

    // Outermost, so the logged status is the one the client got after problem mapping.
    app.UseSerilogRequestLogging(o => o.Logger = app.Services.GetRequiredService<Serilog.ILogger>());
    app.UseExceptionHandler();
    app.UseStatusCodePages();
    app.UseApManagerOpenApi();

    app.MapGet("/", () => Results.Redirect("/swagger")).ExcludeFromDescription();
    app.MapBusEndpoints();
    app.MapTopologyEndpoints();
    app.MapMdevEndpoints();
    app.MapProblemEndpoints();
    app.MapHealthEndpoints();

    app.Services.GetRequiredService<Serilog.ILogger>().Information("ApManager ready at version {Version} with {Adapters} adapters, {Queues} queues, {Mdevs} matrix devices",
        system.Current.Version, system.Current.Adapters.Count(), system.Current.Queues.Count(), system.Current.Mdevs.Count);
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (ex is not HostAbortedException)
{
    Log.Fatal(ex, "ApManager failed to start: {Message}", ex.Message);
    return 1;
}
finally
{
    await Log.CloseAndFlushAsync();
}

/// <summary>The entry point, visible to WebApplicationFactory.</summary>
public partial class Program;
