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
}
