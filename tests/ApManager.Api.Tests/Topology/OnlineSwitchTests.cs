using System.Net;
using System.Text.Json.Nodes;
using static ApManager.Api.Tests.ApManagerApplication;

namespace ApManager.Api.Tests.Topology;

/// <summary>
/// zcrypt's online switches (<c>chzcrypt -e/-d</c>) on the simulated host: the adapter's switch
/// carries its zcrypt queues, a queue's needs an online adapter, only cex4queue queues have one,
/// and every refusal is the kernel's case as a problem that changes nothing.
/// </summary>
public sealed class OnlineSwitchTests
{
    private static StringContent Online(bool online) => Json(online ? """{"online":true}""" : """{"online":false}""");

    [Fact]
    public async Task An_adapter_set_offline_takes_its_zcrypt_queues_with_it_and_back()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var off = await SendAsync(client, HttpMethod.Put, "/api/adapters/7/online", Online(false));

        Assert.Equal(HttpStatusCode.OK, off.StatusCode);
        var body = await ReadObjectAsync(off);
        Assert.False((bool)body["adapter"]!["online"]!);
        Assert.False((bool)body["dryRun"]!);
        Assert.Equal(body["adapter"]!["version"]!.ToString(), ETag(off)!.Tag.Trim('"'));
        var queues = await GetArrayAsync(client, "/api/queues?adapter=7");
        Assert.All(queues, q => Assert.False((bool)q!["online"]!));
        Assert.All(await GetArrayAsync(client, "/api/queues?adapter=3"), q => Assert.True((bool)q!["online"]!));

        using var on = await SendAsync(client, HttpMethod.Put, "/api/adapters/7/online", Online(true));
        Assert.Equal(HttpStatusCode.OK, on.StatusCode);
        Assert.All(await GetArrayAsync(client, "/api/queues?adapter=7"), q => Assert.True((bool)q!["online"]!));

        var audit = await GetArrayAsync(client, "/api/audit");
        Assert.Equal(["adapter.offline", "adapter.online"], audit.TakeLast(2).Select(r => (string)r!["action"]!));
        Assert.Contains("queues-switched", Strings(audit.Last()!["events"]));
    }

    [Fact]
    public async Task Setting_the_state_an_adapter_has_is_a_no_op_without_a_new_version()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await GetObjectAsync(client, "/api/bus");

        using var response = await SendAsync(client, HttpMethod.Put, "/api/adapters/3/online", Online(true));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((long)before["version"]!, (long)(await GetObjectAsync(client, "/api/bus"))["version"]!);
    }

    [Fact]
    public async Task A_queue_set_offline_alone_and_online_again()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var off = await SendAsync(client, HttpMethod.Put, "/api/queues/03.0005/online", Online(false));

        Assert.Equal(HttpStatusCode.OK, off.StatusCode);
        Assert.False((bool)(await ReadObjectAsync(off))["queue"]!["online"]!);
        Assert.True((bool)(await GetObjectAsync(client, "/api/queues/03.0004"))["online"]!);
        Assert.True((bool)(await GetObjectAsync(client, "/api/adapters/3"))["online"]!);
        using var on = await SendAsync(client, HttpMethod.Put, "/api/queues/03.0005/online", Online(true));
        Assert.True((bool)(await ReadObjectAsync(on))["queue"]!["online"]!);
    }

    [Fact]
    public async Task A_dry_run_answers_the_real_answer_and_changes_nothing()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await SendAsync(client, HttpMethod.Put, "/api/adapters/4/online?dryRun=true", Online(false));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await ReadObjectAsync(response);
        Assert.True((bool)body["dryRun"]!);
        Assert.False((bool)body["adapter"]!["online"]!);
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task A_queue_of_vfio_ap_has_no_online_switch()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await SendAsync(client, HttpMethod.Put, "/api/queues/05.0004/online", Online(false));

        var problem = await AssertProblemAsync(response, 409, "/problems/no-online-switch");
        Assert.Equal("05.0004", (string?)problem["apqn"]);
        Assert.Equal("vfio_ap", (string?)problem["driver"]);
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task A_queue_cannot_go_online_while_its_adapter_is_offline()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        (await SendAsync(client, HttpMethod.Put, "/api/adapters/7/online", Online(false))).Dispose();
        var before = await StateAsync(client);

        using var response = await SendAsync(client, HttpMethod.Put, "/api/queues/07.0005/online", Online(true));

        var problem = await AssertProblemAsync(response, 400, "/problems/adapter-offline");
        Assert.Equal("EINVAL", (string?)problem["errno"]);
        Assert.Equal(7, (int)problem["adapter"]!);
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task A_deconfigured_adapter_cannot_go_online_the_kernels_ENODEV()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        (await SendAsync(client, HttpMethod.Put, "/api/adapters/3/configured", Json("""{"configured":false}"""))).Dispose();
        var before = await StateAsync(client);

        using var response = await SendAsync(client, HttpMethod.Put, "/api/adapters/3/online", Online(true));

        var problem = await AssertProblemAsync(response, 409, "/problems/adapter-deconfigured");
        Assert.Equal("ENODEV", (string?)problem["errno"]);
        Assert.False((bool)problem["checkstopped"]!);
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task If_Match_compares_with_the_adapters_version()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        using var read = await client.GetAsync("/api/adapters/7");
        var etag = ETag(read)!.Tag;
        (await SendAsync(client, HttpMethod.Put, "/api/adapters/7/online", Online(false), etag)).Dispose();
        var before = await StateAsync(client);

        using var stale = await SendAsync(client, HttpMethod.Put, "/api/adapters/7/online", Online(true), etag);

        await AssertProblemAsync(stale, 412, "/problems/version-mismatch");
        await AssertUnchangedAsync(client, before);
    }

    [Theory]
    [InlineData("/api/adapters/9/online", """{"online":false}""", 404, "/problems/not-found")]
    [InlineData("/api/adapters/x7/online", """{"online":false}""", 400, "/problems/invalid-request")]
    [InlineData("/api/queues/07.0099/online", """{"online":false}""", 404, "/problems/not-found")]
    [InlineData("/api/queues/7.5/online", """{"online":false}""", 400, "/problems/invalid-request")]
    [InlineData("/api/adapters/7/online", """{"online":"no"}""", 400, "/problems/invalid-body")]
    [InlineData("/api/adapters/7/online", """{}""", 400, "/problems/invalid-body")]
    [InlineData("/api/queues/07.0005/online", """{"online":1}""", 400, "/problems/invalid-body")]
    public async Task Bad_input_is_a_problem_that_changes_nothing(string url, string json, int status, string type)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await SendAsync(client, HttpMethod.Put, url, Json(json));

        await AssertProblemAsync(response, status, type);
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task An_operator_may_not_switch_adapters()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient(OperatorKey);

        using var response = await SendAsync(client, HttpMethod.Put, "/api/adapters/7/online", Online(false));

        await AssertProblemAsync(response, 403, "/problems/forbidden");
    }
}
