using Serilog.Events;
using static ApManager.Api.Tests.ApManagerApplication;

namespace ApManager.Api.Tests.Operations;

public class RefusalLoggingTests
{
    private static string[] OffenderApqns(LogEvent e)
    {
        var sequence = Assert.IsType<SequenceValue>(e.Properties["OffendingApqns"]);
        return [.. sequence.Elements.Select(element =>
        {
            var structure = Assert.IsType<StructureValue>(element);
            var apqn = structure.Properties.Single(p => p.Name == "Apqn").Value;
            return (string)((ScalarValue)apqn).Value!;
        })];
    }

    private static async Task<List<LogEvent>> RefusalsAsync(string key)
    {
        // The event is written before the response completes; give the pipeline a moment anyway.
        for (var i = 0; i < 20 && !CapturedLogSink.Events(key).Any(e => e.SourceContext() == "ApManager.Refusals"); i++)
        {
            await Task.Delay(25);
        }
        return [.. CapturedLogSink.Events(key).Where(e => e.SourceContext() == "ApManager.Refusals")];
    }

    [Fact]
    public async Task RefusedMaskChangeIsLoggedOnceAsOneStructuredWarningWithEveryOffendingApqn()
    {
        await using var app = new ApManagerApplication(CapturedLogSink.Settings(out var key));
        using var client = app.CreateClient();

        using var response = await PutMaskAsync(client, "apmask", "+5,+6");
        await AssertProblemAsync(response, 409, "/problems/queues-in-use");

        var refusal = Assert.Single(await RefusalsAsync(key));
        Assert.Equal(LogEventLevel.Warning, refusal.Level);
        Assert.Equal("apmask", refusal.Scalar("Attribute"));
        Assert.Equal("EBUSY", refusal.Scalar("Errno"));
        Assert.Equal(3, refusal.Scalar("OffenderCount"));
        Assert.Equal(false, refusal.Scalar("DryRun"));
        Assert.Equal(["05.0004", "05.0047", "06.0004"], OffenderApqns(refusal));
        var first = (StructureValue)((SequenceValue)refusal.Properties["OffendingApqns"]).Elements[0];
        Assert.Equal(DeviceA, ((ScalarValue)first.Properties.Single(p => p.Name == "Mdev").Value).Value);
        Assert.Equal("guest-a", ((ScalarValue)first.Properties.Single(p => p.Name == "Guest").Value).Value);
        // Not a line per APQN: no other event carries the offenders.
        Assert.Single(CapturedLogSink.Events(key), e => e.Properties.ContainsKey("OffendingApqns"));

        // The properties are built by hand: they are what Serilog's own capture makes of the same values.
        var offenders = (string)refusal.Scalar("Offenders")!;
        Assert.True(new Serilog.LoggerConfiguration().CreateLogger().BindMessageTemplate(refusal.MessageTemplate.Text,
            ["PUT /api/bus/apmask", "apmask", new Dictionary<string, string> { ["apmask"] = "+5,+6" }, "EBUSY", 3, offenders, false],
            out var template, out var captured));
        Assert.Equal(template!.Render(captured!.ToDictionary(p => p.Name, p => p.Value)), refusal.RenderMessage());
        Assert.Equal(
            captured!.Select(p => (p.Name, p.Value.GetType(), p.Value.ToString())),
            refusal.Properties.Where(p => captured!.Any(c => c.Name == p.Key)).Select(p => (p.Key, p.Value.GetType(), p.Value.ToString())));
    }

    [Fact]
    public async Task DryRunRefusalIsLoggedMarkedAsDryRun()
    {
        await using var app = new ApManagerApplication(CapturedLogSink.Settings(out var key));
        using var client = app.CreateClient();

        using var response = await PutMaskAsync(client, "apmask", "+5", dryRun: true);
        await AssertProblemAsync(response, 409, "/problems/queues-in-use");

        var refusal = Assert.Single(await RefusalsAsync(key));
        Assert.Equal(true, refusal.Scalar("DryRun"));
        Assert.Equal(["05.0004", "05.0047"], OffenderApqns(refusal));
    }

    [Fact]
    public async Task RefusedAssignmentIsLoggedOnceWithItsOffenders()
    {
        await using var app = new ApManagerApplication(CapturedLogSink.Settings(out var key));
        using var client = app.CreateClient();

        using var response = await client.PutAsync(
            $"/api/mdevs/{DeviceB}/config", Json("""{"adapters":[5,6],"domains":[4,71],"controlDomains":[]}"""));
        await AssertProblemAsync(response, 409, "/problems/apqn-conflict");

        var refusal = Assert.Single(await RefusalsAsync(key));
        Assert.Equal(LogEventLevel.Warning, refusal.Level);
        Assert.Equal("EADDRINUSE", refusal.Scalar("Errno"));
        Assert.Equal(["05.0004", "05.0047"], OffenderApqns(refusal));
    }

    [Fact]
    public async Task AcceptedChangeLogsNoRefusal()
    {
        await using var app = new ApManagerApplication(CapturedLogSink.Settings(out var key));
        using var client = app.CreateClient();

        using var response = await PutMaskAsync(client, "apmask", "-7");
        Assert.True(response.IsSuccessStatusCode);

        await Task.Delay(50);
        Assert.DoesNotContain(CapturedLogSink.Events(key), e => e.SourceContext() == "ApManager.Refusals");
    }

    /// <summary>The request lines at the default level (Information and up) for a path.</summary>
    private static List<LogEvent> RequestLines(string key, string path) =>
        [.. CapturedLogSink.Events(key).Where(e => e.Level >= LogEventLevel.Information &&
            e.Properties.TryGetValue("RequestPath", out var p) && p is ScalarValue { Value: string s } && s == path &&
            e.Properties.ContainsKey("StatusCode"))];

    [Fact]
    public async Task ARefusalIsOneLineAtTheDefaultLevelAndAnAcceptedChangeNone()
    {
        var settings = CapturedLogSink.Settings(out var key);
        settings["Serilog:MinimumLevel:Default"] = "Information"; // the service's default; the tests' is Warning
        await using var app = new ApManagerApplication(settings);
        using var client = app.CreateClient();

        using (var refused = await PutMaskAsync(client, "apmask", "+5,+6"))
        {
            await AssertProblemAsync(refused, 409, "/problems/queues-in-use");
        }
        var refusal = Assert.Single(await RefusalsAsync(key));
        Assert.IsType<ScalarValue>(refusal.Properties["RequestId"]);
        using (var accepted = await PutMaskAsync(client, "apmask", "-7"))
        {
            Assert.True(accepted.IsSuccessStatusCode);
        }
        // A call refused before the core judged it has no refusal event: its request line says it.
        using (var bad = await client.PutAsync("/api/bus/apmask", Json("""{"mask":""")))
        {
            await AssertProblemAsync(bad, 400, "/problems/invalid-body");
        }
        await Task.Delay(100);

        var lines = RequestLines(key, "/api/bus/apmask");
        Assert.DoesNotContain(lines, e => ((ScalarValue)e.Properties["StatusCode"]).Value is 409 or 200);
        Assert.Contains(lines, e => ((ScalarValue)e.Properties["StatusCode"]).Value is 400);
    }
}
