using System.Net;
using ApManager.Api.Http;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Serilog.Events;
using static ApManager.Api.Tests.ApManagerApplication;

namespace ApManager.Api.Tests.Operations;

/// <summary>The request line (RequestLog): one per request, at the level that says whether it needs a look.</summary>
public class RequestLogTests
{
    private static async Task<List<LogEvent>> RequestLinesAsync(string key, int atLeast)
    {
        // The line is written once the response has gone; give the pipeline a moment.
        for (var i = 0; i < 40 && Lines(key).Count < atLeast; i++)
        {
            await Task.Delay(25);
        }
        return Lines(key);
    }

    private static List<LogEvent> Lines(string key) =>
        [.. CapturedLogSink.Events(key).Where(e => e.SourceContext() == ApManager.Api.Operations.RequestLog.SourceContext)];

    [Fact]
    public async Task AnExceptionIsOneErrorLineWithTheExceptionAndStatus500()
    {
        var settings = CapturedLogSink.Settings(out var key);
        settings["Serilog:MinimumLevel:Default"] = "Debug";
        await using var app = new ApManagerApplication(settings);
        // GET /api/bus renders through this service: make it throw.
        await using var failing = app.WithWebHostBuilder(b => b.ConfigureServices(services => services.AddSingleton(sp =>
            new SnapshotBody<BusDto>(_ => throw new InvalidOperationException("view failed"), sp.GetRequiredService<IOptions<JsonOptions>>()))));
        using var client = failing.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", AdminKey);

        using var response = await client.GetAsync("/api/bus");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var line = Assert.Single(await RequestLinesAsync(key, 1));
        Assert.Equal(LogEventLevel.Error, line.Level);
        Assert.Equal(500, line.Scalar("StatusCode"));
        Assert.Equal("GET", line.Scalar("RequestMethod"));
        Assert.Equal("/api/bus", line.Scalar("RequestPath"));
        Assert.IsType<InvalidOperationException>(line.Exception);
        Assert.True(line.Properties.ContainsKey("Elapsed"));
    }

    [Fact]
    public async Task SuccessIsDebugAndARejectedCallIsInformation()
    {
        var settings = CapturedLogSink.Settings(out var key);
        settings["Serilog:MinimumLevel:Default"] = "Debug";
        await using var app = new ApManagerApplication(settings);
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", AdminKey);

        using var ok = await client.GetAsync("/api/bus");
        using var unknown = await client.GetAsync("/api/bus?nope=1");

        var lines = await RequestLinesAsync(key, 2);
        Assert.Equal(2, lines.Count);
        Assert.Equal((LogEventLevel.Debug, 200), (lines[0].Level, lines[0].Scalar("StatusCode")));
        Assert.Equal((LogEventLevel.Information, 400), (lines[1].Level, lines[1].Scalar("StatusCode")));
        Assert.All(lines, l => Assert.Null(l.Exception));
    }
}
