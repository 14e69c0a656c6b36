using System.Net;
using System.Text.Json.Nodes;
using static ApManager.Api.Tests.ApManagerApplication;

namespace ApManager.Api.Tests.Durability;

/// <summary>GET /api/audit: every mutation attempt (accepted, refused, dry run), oldest first, paged.</summary>
public class AuditTrailTests
{
    private const string U = "a0d17000-0000-4000-8000-000000000001";
    private static readonly string DemoApmask = "0xf9" + new string('f', 62);
    private static readonly string AllOnes = "0x" + new string('f', 64);

    [Fact]
    public async Task AuditListsAcceptedRefusedAndDryRunAttemptsInOrderWithTheStatusTheClientGot()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var started = DateTimeOffset.UtcNow.AddMinutes(-1);
        var statuses = new List<int>();
        async Task Call(Task<HttpResponseMessage> call)
        {
            using var response = await call;
            statuses.Add((int)response.StatusCode);
        }

        await Call(PutMaskAsync(client, "apmask", "-7"));
        await Call(PutMaskAsync(client, "apmask", "+5"));
        await Call(PutMaskAsync(client, "apmask", "-3", dryRun: true));
        await Call(client.PostAsync("/api/mdevs?dryRun=true", Json($$"""{"uuid":"{{U}}","name":"preview"}""")));
        await Call(client.PostAsync("/api/mdevs", Json($$"""{"uuid":"{{U}}","name":"audited"}""")));
        await Call(client.DeleteAsync($"/api/mdevs/{U}"));
        await Call(PutMaskAsync(client, "apmask", "+zz"));
        await Call(client.PutAsync($"/api/mdevs/{DeviceA}/guest", Json("""{"name":"guest-b"}""")));
        await Call(PutMaskAsync(client, "apmask", "-7", ifMatch: "\"1\""));
        Assert.Equal([200, 409, 200, 201, 201, 204, 400, 409, 412], statuses);

        var audit = await ReadArrayAsync(await client.GetAsync("/api/audit"));

        Assert.Equal(9, audit.Count);
        Assert.Equal(Enumerable.Range(1, 9).Select(i => (long)i), audit.Select(r => (long)r!["seq"]!));
        Assert.Equal(statuses, audit.Select(r => (int)r!["outcome"]!["status"]!));
        Assert.All(audit, r => Assert.Equal("test-admin", (string?)r!["actor"]));
        var times = audit.Select(r => DateTimeOffset.Parse((string)r!["time"]!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.All(times, t => Assert.InRange(t, started, DateTimeOffset.UtcNow.AddMinutes(1)));
        Assert.Equal(times.Order(), times);

        // 1: accepted, committed: version 1 -> 2, the bus before and after, the rebound queues.
        var accepted = audit[0]!;
        Assert.Equal("bus.apmask", (string?)accepted["action"]);
        Assert.Equal("bus", (string?)accepted["target"]);
        Assert.Equal("-7", (string?)accepted["input"]);
        Assert.Null((string?)accepted["outcome"]!["problemType"]);
        Assert.False((bool)accepted["dryRun"]!);
        Assert.Equal((1L, 2L), ((long)accepted["versionBefore"]!, (long)accepted["versionAfter"]!));
        Assert.Equal($$"""{"apmask":"{{DemoApmask}}","aqmask":"{{AllOnes}}","version":1}""", accepted["before"]!.ToJsonString());
        Assert.Equal($$"""{"apmask":"0xf8{{new string('f', 62)}}","aqmask":"{{AllOnes}}","version":2}""", accepted["after"]!.ToJsonString());
        Assert.Equal(["07.0004", "07.0005", "07.0006", "07.0047", "07.0048"], accepted["details"]!["rebound"]!.AsArray().Select(r => (string)r!["apqn"]!));
        Assert.Equal(["bus-changed", "queues-rebound"], accepted["events"]!.AsArray().Select(e => (string)e!));

        // 2: refused by in_use: every offending APQN with driver, device and guest; nothing changed.
        var refused = audit[1]!;
        Assert.Equal("+5", (string?)refused["input"]);
        Assert.Equal("/problems/queues-in-use", (string?)refused["outcome"]!["problemType"]);
        Assert.Equal((2L, 2L), ((long)refused["versionBefore"]!, (long)refused["versionAfter"]!));
        Assert.Null(refused["after"]);
        Assert.Equal("EBUSY", (string?)refused["details"]!["errno"]);
        Assert.Equal("apmask", (string?)refused["details"]!["attribute"]);
        Assert.Equal(
            $$"""[{"apqn":"05.0004","adapter":5,"domain":4,"driver":"vfio_ap","mdev":"{{DeviceA}}","guest":"guest-a"},""" +
            $$$"""{"apqn":"05.0047","adapter":5,"domain":71,"driver":"vfio_ap","mdev":"{{{DeviceA}}}","guest":"guest-a"}]""",
            refused["details"]!["offendingApqns"]!.ToJsonString());
        Assert.Equal(["change-refused"], refused["events"]!.AsArray().Select(e => (string)e!));

        // 3, 4: dry runs are recorded, change no version and send no event.
        foreach (var dry in new[] { audit[2]!, audit[3]! })
        {
            Assert.True((bool)dry["dryRun"]!);
            Assert.Null((string?)dry["outcome"]!["problemType"]);
            Assert.Equal((2L, 2L), ((long)dry["versionBefore"]!, (long)dry["versionAfter"]!));
            Assert.Empty(dry["events"]!.AsArray());
        }
        Assert.Equal("-3", (string?)audit[2]!["input"]);
        Assert.Equal("0xe8" + new string('f', 62), (string?)audit[2]!["after"]!["apmask"]);
        Assert.Equal("mdev.create", (string?)audit[3]!["action"]);
        Assert.Equal($"mdev/{U}", (string?)audit[3]!["target"]);

        // 5, 6: create and delete, with the device before and after.
        Assert.Equal((2L, 3L), ((long)audit[4]!["versionBefore"]!, (long)audit[4]!["versionAfter"]!));
        Assert.Null(audit[4]!["before"]);
        Assert.Equal("audited", (string?)audit[4]!["after"]!["name"]);
        Assert.Equal($$"""{"uuid":"{{U}}","name":"audited"}""", (string?)audit[4]!["input"]);
        Assert.Equal("mdev.delete", (string?)audit[5]!["action"]);
        Assert.Equal((3L, 4L), ((long)audit[5]!["versionBefore"]!, (long)audit[5]!["versionAfter"]!));
        Assert.Equal(U, (string?)audit[5]!["before"]!["uuid"]);
        Assert.Null(audit[5]!["after"]);

        // 7-9: a grammar error, a guest conflict and a stale If-Match are refusals like any other.
        Assert.Equal("/problems/invalid-mask", (string?)audit[6]!["outcome"]!["problemType"]);
        Assert.Equal(1, (int)audit[6]!["details"]!["position"]!);
        Assert.Equal("EINVAL", (string?)audit[6]!["details"]!["errno"]);
        Assert.Equal("mdev.attach-guest", (string?)audit[7]!["action"]);
        Assert.Equal("/problems/mdev-in-use", (string?)audit[7]!["outcome"]!["problemType"]);
        Assert.Equal("/problems/version-mismatch", (string?)audit[8]!["outcome"]!["problemType"]);
        Assert.All(audit.Skip(6), r => Assert.Equal((4L, 4L), ((long)r!["versionBefore"]!, (long)r["versionAfter"]!)));
        Assert.Equal(4, await StateCapture.GlobalVersionAsync(client));
    }

    [Fact]
    public async Task AuditPagesWithAfterAndLimit()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        for (var i = 0; i < 5; i++)
        {
            using var response = await PutMaskAsync(client, "apmask", i % 2 == 0 ? "-104" : "+104");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        async Task<long[]> Seqs(string query)
        {
            using var response = await client.GetAsync($"/api/audit{query}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return [.. (await ReadArrayAsync(response)).Select(r => (long)r!["seq"]!)];
        }

        Assert.Equal(new long[] { 1L, 2L, 3L, 4L, 5L }, await Seqs(string.Empty));
        Assert.Equal(new long[] { 1L, 2L }, await Seqs("?limit=2"));
        Assert.Equal(new long[] { 3L, 4L }, await Seqs("?after=2&limit=2"));
        Assert.Equal(new long[] { 5L }, await Seqs("?after=4&limit=2"));
        Assert.Empty(await Seqs("?after=5"));
        Assert.Empty(await Seqs("?after=9999999999"));
        Assert.Equal(new long[] { 2L, 3L, 4L, 5L }, await Seqs("?after=1&limit=1000"));
        Assert.Equal(["-104", "+104", "-104", "+104", "-104"], (await ReadArrayAsync(await client.GetAsync("/api/audit"))).Select(r => (string)r!["input"]!));
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("limit=-5", "limit")]
    [InlineData("limit=abc", "limit")]
    [InlineData("after=-1", "after")]
    [InlineData("after=abc", "after")]
    [InlineData("after=1.5", "after")]
    [InlineData("limit=1&limit=2", "limit")]
    [InlineData("seq=1", "seq")]
    public async Task MalformedAuditQueryIsABadRequestProblemNamingTheParameter(string query, string parameter)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        using (var write = await PutMaskAsync(client, "apmask", "-7"))
        {
            Assert.Equal(HttpStatusCode.OK, write.StatusCode);
        }

        var problem = await AssertProblemAsync(await client.GetAsync($"/api/audit?{query}"), 400, "/problems/invalid-query");

        Assert.Contains(parameter, (string?)problem["detail"], StringComparison.Ordinal);
        if (problem["parameter"] is { } named)
        {
            Assert.Equal(parameter, (string?)named);
        }
    }
}
