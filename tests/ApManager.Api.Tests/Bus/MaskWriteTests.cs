using System.Net;
using System.Text.Json.Nodes;
using static ApManager.Api.Tests.ApManagerApplication;

namespace ApManager.Api.Tests.Bus;

public class MaskWriteTests
{
    private static readonly string[] Adapter7Queues = ["07.0004", "07.0005", "07.0006", "07.0047", "07.0048"];
    private static readonly string[] Adapter3Queues = ["03.0004", "03.0005", "03.0006", "03.0047", "03.0048"];

    private static void AssertRebound(JsonObject result, string[] apqns, string? from, string? to)
    {
        var rebound = result["rebound"]!.AsArray();
        Assert.Equal(apqns, rebound.Select(r => (string)r!["apqn"]!).ToArray());
        Assert.All(rebound, r =>
        {
            Assert.Equal(from, (string?)r!["from"]);
            Assert.Equal(to, (string?)r["to"]);
        });
    }

    /// <summary>Host adapters of the demo that no device uses: the apmask without each, and its five queues.</summary>
    public static TheoryData<int, string, string[]> HostAdapters => new()
    {
        { 7, MaskWithout(5, 6, 7), Adapter7Queues },
        { 3, MaskWithout(3, 5, 6), Adapter3Queues },
    };

    [Theory]
    [MemberData(nameof(HostAdapters))]
    public async Task ClearingAHostAdapterRebindsItsFiveQueuesFromCex4QueueToVfioAp(int adapter, string apmask, string[] queues)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await PutMaskAsync(client, "apmask", $"-{adapter}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await ReadObjectAsync(response);
        Assert.Equal(apmask, (string?)result["apmask"]);
        Assert.Equal(AllOnes, (string?)result["aqmask"]);
        Assert.Equal(2, (long?)result["version"]);
        Assert.False((bool?)result["dryRun"]);
        AssertRebound(result, queues, "cex4queue", "vfio_ap");
        Assert.Equal("\"2\"", ETag(response)?.Tag);

        var bus = await GetObjectAsync(client, "/api/bus");
        Assert.Equal(apmask, (string?)bus["apmask"]);
        Assert.Equal(2, (long?)bus["version"]);
        var listed = await GetArrayAsync(client, $"/api/queues?adapter={adapter}");
        Assert.All(listed, q => Assert.Equal("vfio_ap", (string?)q!["driver"]));
        // Free for vfio_ap, but no device holds them.
        var queue = await GetObjectAsync(client, $"/api/queues/{queues[3]}");
        Assert.Equal("vfio_ap", (string?)queue["driver"]);
        Assert.Null(queue["mdev"]);
    }

    [Fact]
    public async Task SettingAnAdapterBitBackRebindsItsQueuesToCex4Queue()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        (await PutMaskAsync(client, "apmask", "-7")).Dispose();

        using var response = await PutMaskAsync(client, "apmask", "+7");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await ReadObjectAsync(response);
        Assert.Equal(MaskWithout(5, 6), (string?)result["apmask"]);
        Assert.Equal(3, (long?)result["version"]);
        AssertRebound(result, Adapter7Queues, "vfio_ap", "cex4queue");
    }

    [Fact]
    public async Task ApmaskTakesRawTextPlainExactlyAsEchoWritesIt()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await client.PutAsync("/api/bus/apmask", Text("-7\n"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await ReadObjectAsync(response);
        Assert.Equal(MaskWithout(5, 6, 7), (string?)result["apmask"]);
        AssertRebound(result, Adapter7Queues, "cex4queue", "vfio_ap");
    }

    [Fact]
    public async Task AbsoluteTextPlainWriteOfTheShownMaskWithNewlineIsANoOp()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await client.PutAsync("/api/bus/apmask", Text(MaskWithout(5, 6) + "\n"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await ReadObjectAsync(response);
        Assert.Equal(1, (long?)result["version"]);
        Assert.Empty(result["rebound"]!.AsArray());
    }

    [Fact]
    public async Task AbsoluteJsonWriteReplacesTheWholeMask()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        // Adapters 3 and 4 only (digit 0 = bits 0..3 = 0001, digit 1 = bits 4..7 = 1000).
        using var response = await PutMaskAsync(client, "apmask", "0x18");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await ReadObjectAsync(response);
        Assert.Equal("0x18" + new string('0', 62), (string?)result["apmask"]);
        AssertRebound(result, Adapter7Queues, "cex4queue", "vfio_ap");
    }

    [Fact]
    public async Task AqmaskWriteRebindsTheDomainAcrossEveryHostOwnedAdapter()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await PutMaskAsync(client, "aqmask", "-72");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await ReadObjectAsync(response);
        Assert.Equal(MaskWithout(5, 6), (string?)result["apmask"]);
        Assert.Equal(MaskWithout(72), (string?)result["aqmask"]);
        Assert.Equal(2, (long?)result["version"]);
        AssertRebound(result, ["03.0048", "04.0048", "07.0048"], "cex4queue", "vfio_ap");
    }

    [Fact]
    public async Task AqmaskTakesTextPlainToo()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await client.PutAsync("/api/bus/aqmask", Text("-0x48\n"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(MaskWithout(72), (string?)(await ReadObjectAsync(response))["aqmask"]);
    }

    [Fact]
    public async Task SettingAdapterFiveIsRefusedListingBothApqnsOfDeviceAWithItsGuest()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await PutMaskAsync(client, "apmask", "+5");

        var problem = await AssertProblemAsync(response, 409, "/problems/queues-in-use");
        Assert.Equal("AP queues are in use", (string?)problem["title"]);
        Assert.Equal("The apmask change would take 2 queues away from vfio_ap while they are in use.", (string?)problem["detail"]);
        Assert.Equal("/api/bus/apmask", (string?)problem["instance"]);
        Assert.Equal("apmask", (string?)problem["attribute"]);
        Assert.Equal("+5", (string?)problem["input"]);
        Assert.Equal("EBUSY", (string?)problem["errno"]);
        var offenders = problem["offendingApqns"]!.AsArray();
        Assert.Equal(["05.0004", "05.0047"], Apqns(offenders));
        Assert.All(offenders, o =>
        {
            Assert.Equal(5, (int?)o!["adapter"]);
            Assert.Equal("vfio_ap", (string?)o["driver"]);
            Assert.Equal(DeviceA, (string?)o["mdev"]);
            Assert.Equal("guest-a", (string?)o["guest"]);
        });
        Assert.Equal([4, 71], offenders.Select(o => (int)o!["domain"]!));
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task SettingAdaptersFiveAndSixListsEveryOffenderOfBothDevicesInOrder()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await PutMaskAsync(client, "apmask", "+5,+6");

        var problem = await AssertProblemAsync(response, 409, "/problems/queues-in-use");
        Assert.Equal("+5,+6", (string?)problem["input"]);
        var offenders = problem["offendingApqns"]!.AsArray();
        Assert.Equal(["05.0004", "05.0047", "06.0004"], Apqns(offenders));
        Assert.Equal([DeviceA, DeviceA, DeviceB], offenders.Select(o => (string?)o!["mdev"]));
        Assert.Equal(["guest-a", "guest-a", null], offenders.Select(o => (string?)o!["guest"]));
        Assert.Equal([5, 5, 6], offenders.Select(o => (int)o!["adapter"]!));
        Assert.Equal([4, 71, 4], offenders.Select(o => (int)o!["domain"]!));
        Assert.All(offenders, o => Assert.Equal("vfio_ap", (string?)o!["driver"]));
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task RefusedRelativeWriteLeavesEvenTheUnblockedTermsUndone()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await PutMaskAsync(client, "apmask", "-7,+6");

        var problem = await AssertProblemAsync(response, 409, "/problems/queues-in-use");
        Assert.Equal(["06.0004"], Apqns(problem["offendingApqns"]));
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task SettingAnAqmaskBitThatGivesAdapterFiveQueuesBackIsRefused()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        // Domains 4 and 71 leave the host, so adapter 5 may join in the same step.
        (await SendAsync(client, HttpMethod.Patch, "/api/bus/masks", Json("""{"apmask":"+5","aqmask":"-4,-71"}"""))).Dispose();
        var before = await StateAsync(client);

        using var response = await PutMaskAsync(client, "aqmask", "+71");

        var problem = await AssertProblemAsync(response, 409, "/problems/queues-in-use");
        Assert.Equal("aqmask", (string?)problem["attribute"]);
        Assert.Equal("+71", (string?)problem["input"]);
        Assert.Equal(["05.0047"], Apqns(problem["offendingApqns"]));
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task SettingAnAdapterWithoutDevicesIsNotBlockedByQueuesMerelyBoundToVfioAp()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        (await PutMaskAsync(client, "apmask", "-7")).Dispose();

        // 07.* are on vfio_ap but in no matrix device: nothing objects.
        using var response = await PutMaskAsync(client, "apmask", "+7");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("apmask")]
    [InlineData("aqmask")]
    public async Task EmptyWriteIsANoOpWithUnchangedVersionAndNoRebound(string attribute)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await PutMaskAsync(client, attribute, "");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await ReadObjectAsync(response);
        Assert.Equal(1, (long?)result["version"]);
        Assert.Empty(result["rebound"]!.AsArray());
        Assert.Equal(MaskWithout(5, 6), (string?)result["apmask"]);
        Assert.Equal(AllOnes, (string?)result["aqmask"]);
        Assert.Equal("\"1\"", ETag(response)?.Tag);
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task EmptyTextPlainBodyIsANoOp()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await client.PutAsync("/api/bus/apmask", Text(""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, (long?)(await ReadObjectAsync(response))["version"]);
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task SettingABitThatIsAlreadySetIsANoOp()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await PutMaskAsync(client, "apmask", "+7");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await ReadObjectAsync(response);
        Assert.Equal(1, (long?)result["version"]);
        Assert.Empty(result["rebound"]!.AsArray());
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task NewlineAloneClearsTheMask()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await client.PutAsync("/api/bus/apmask", Text("\n"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await ReadObjectAsync(response);
        Assert.Equal("0x" + new string('0', 64), (string?)result["apmask"]);
        // Adapters 3, 4 and 7 leave the host: 15 queues move to vfio_ap.
        Assert.Equal(15, result["rebound"]!.AsArray().Count);
    }

    [Fact]
    public async Task JsonStringIsCutAtItsFirstNulAndTheRestIsIgnored()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await client.PutAsync("/api/bus/apmask", Json("""{"mask":"-3\u0000+zz"}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await ReadObjectAsync(response);
        Assert.Equal(MaskWithout(3, 5, 6), (string?)result["apmask"]);
        AssertRebound(result, Adapter3Queues, "cex4queue", "vfio_ap");
    }

    [Fact]
    public async Task JsonStringStartingWithNulIsAnEmptyAbsoluteWriteThatClearsTheMask()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await client.PutAsync("/api/bus/aqmask", Json("""{"mask":"\u0000+5"}"""));

        // Clearing aqmask takes every host queue away from cex4queue: never refused.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("0x" + new string('0', 64), (string?)(await ReadObjectAsync(response))["aqmask"]);
    }

    [Fact]
    public async Task WriteOfExactly4096BytesIsAccepted()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var mask = "-7" + new string(',', 4094);

        using var response = await PutMaskAsync(client, "apmask", mask);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(MaskWithout(5, 6, 7), (string?)(await ReadObjectAsync(response))["apmask"]);
    }
}
