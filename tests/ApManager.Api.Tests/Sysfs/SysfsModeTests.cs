using System.Net;
using System.Text.Json.Nodes;
using ApManager.Core;
using ApManager.FakeSysfs;
using static ApManager.Api.Tests.ApManagerApplication;

namespace ApManager.Api.Tests.Sysfs;

/// <summary>
/// What only a real host does (SPEC §11): the host it reports, guests that are libvirt's, calls a
/// kernel has no write for, a host that cannot be read, older kernels and kernel refusals the
/// model did not foresee — each answered as a problem, never a 500, with nothing changed.
/// </summary>
public sealed class SysfsModeTests
{
    private static readonly string DeviceBConfig = $"/api/mdevs/{DeviceB}/config";

    [FuseFact]
    public async Task The_host_reports_its_root_poll_lock_and_configuration()
    {
        await using var app = SysfsApplication.Start();
        using var client = app.CreateClient();

        var host = await GetObjectAsync(client, "/api/host");

        Assert.Equal("sysfs", (string?)host["mode"]);
        Assert.Equal(app.Fake.Root, ((string?)host["root"])!.TrimEnd('/'));
        Assert.Equal(0.2, (double)host["pollSeconds"]!);
        Assert.True((bool)host["available"]!);
        Assert.Null((string?)host["unavailable"]);
        Assert.NotNull((string?)host["lastRead"]);
        Assert.Equal(app.Fake.LockFile, (string?)host["lockFile"]);
        Assert.Contains("vfio_ap", Strings(host["drivers"]));
        Assert.Contains("cex4queue", Strings(host["drivers"]));
        Assert.DoesNotContain("cex4card", Strings(host["drivers"]));
        Assert.Contains("ap_config", Strings(host["vfioApFeatures"]));
    }

    [FuseFact]
    public async Task Guests_are_libvirts_attach_and_detach_answer_409_and_change_nothing()
    {
        await using var app = SysfsApplication.Start();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var attach = await SendAsync(client, HttpMethod.Put, $"/api/mdevs/{DeviceB}/guest", Json("""{"name":"guest-b"}"""));
        var problem = await AssertProblemAsync(attach, 409, "/problems/guest-managed-by-libvirt");
        Assert.Equal(DeviceB, (string?)problem["mdev"]);
        using var detach = await SendAsync(client, HttpMethod.Delete, $"/api/mdevs/{DeviceA}/guest");
        await AssertProblemAsync(detach, 409, "/problems/guest-managed-by-libvirt");

        Assert.Empty(app.Kernel.Writes);
        await AssertUnchangedAsync(client, before);
    }

    [FuseFact]
    public async Task Import_is_not_a_kernel_write_and_answers_409()
    {
        await using var app = SysfsApplication.Start();
        using var client = app.CreateClient();
        var export = await client.GetStringAsync("/api/export");
        var before = await StateAsync(client);

        using var response = await client.PostAsync("/api/import", Json(export));

        var problem = await AssertProblemAsync(response, 409, "/problems/unsupported-on-host");
        Assert.Equal("import", (string?)problem["operation"]);
        Assert.Empty(app.Kernel.Writes);
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task A_root_without_an_AP_bus_is_not_ready_and_changes_answer_a_problem()
    {
        var root = Directory.CreateTempSubdirectory("apmanager-empty-root-").FullName;
        try
        {
            await using var app = new ApManagerApplication(new Dictionary<string, string?>
            {
                ["ApManager:Host:Mode"] = "sysfs",
                ["ApManager:Host:Root"] = root,
                ["ApManager:Host:PollSeconds"] = "0.2",
            });
            using var client = app.CreateClient();

            using var ready = await client.GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            var host = await GetObjectAsync(client, "/api/host");
            Assert.False((bool)host["available"]!);
            Assert.Contains("bus/ap", (string?)host["unavailable"], StringComparison.Ordinal);

            using var write = await PutMaskAsync(client, "apmask", "-3");
            var problem = await AssertProblemAsync(write, 503, "/problems/host-unavailable");
            Assert.Contains("bus/ap", (string?)problem["reason"], StringComparison.Ordinal);
            Assert.NotNull(write.Headers.RetryAfter);
            using var dryRun = await PutMaskAsync(client, "apmask", "-3", dryRun: true);
            await AssertProblemAsync(dryRun, 503, "/problems/host-unavailable");
            Assert.False(Directory.Exists(Path.Combine(root, "sys")), "nothing was created under the root");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [FuseFact]
    public async Task On_a_6_1_kernel_a_device_configuration_is_written_as_single_assignments()
    {
        await using var app = SysfsApplication.Start(FakeHost.Demo(new FakeKernelOptions { ApConfig = false }));
        using var client = app.CreateClient();
        Assert.Empty(Strings((await GetObjectAsync(client, "/api/host"))["vfioApFeatures"]));

        using var response = await SendAsync(client, HttpMethod.Put, DeviceBConfig,
            Json("""{"adapters":[6],"domains":[4,5],"controlDomains":[4]}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var device = await GetObjectAsync(client, $"/api/mdevs/{DeviceB}");
        Assert.Equal([4, 5], Ints(device["domains"]));
        var write = Assert.Single(app.Kernel.Writes);
        Assert.Equal($"/devices/vfio_ap/matrix/{DeviceB}/assign_domain", write.Path);
        Assert.Equal("5\n", write.Data);
    }

    [FuseFact]
    public async Task On_a_6_1_kernel_a_refused_assignment_undoes_the_ones_before_it()
    {
        await using var app = SysfsApplication.Start(FakeHost.Demo(new FakeKernelOptions { ApConfig = false }));
        using var client = app.CreateClient();
        var before = await StateAsync(client);
        app.Kernel.FailNextWrite("/assign_control_domain", Errno.EBUSY);

        using var response = await SendAsync(client, HttpMethod.Put, DeviceBConfig,
            Json("""{"adapters":[6],"domains":[4,5],"controlDomains":[4,5]}"""));

        var problem = await AssertProblemAsync(response, 409, "/problems/host-refused");
        Assert.Equal("EBUSY", (string?)problem["errno"]);
        Assert.Equal(
            ["assign_domain 5", "assign_control_domain 5", "unassign_domain 5"],
            app.Kernel.Writes.Select(w => $"{Path.GetFileName(w.Path)} {w.Data.TrimEnd()}"));
        await AssertUnchangedAsync(client, before);
    }

    [FuseFact]
    public async Task A_machine_without_reconfiguration_refuses_config_as_a_problem_not_a_500()
    {
        await using var app = SysfsApplication.Start(FakeHost.Demo(new FakeKernelOptions { CanReconfigure = false }));
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await SendAsync(client, HttpMethod.Put, "/api/adapters/3/configured", Json("""{"configured":false}"""));

        var problem = await AssertProblemAsync(response, 409, "/problems/host-refused");
        Assert.Equal("EOPNOTSUPP", (string?)problem["errno"]);
        Assert.Equal("/sys/devices/ap/card03/config", (string?)problem["attribute"]);
        Assert.Equal("0", (string?)problem["written"]);
        await AssertUnchangedAsync(client, before);
    }

    [FuseFact]
    public async Task A_kernel_refusal_the_model_did_not_foresee_is_the_kernels_errno_and_nothing_changes()
    {
        await using var app = SysfsApplication.Start();
        using var client = app.CreateClient();
        var before = await StateAsync(client);
        app.Kernel.FailNextWrite("/bus/ap/apmask", Errno.EBUSY);

        using var response = await PutMaskAsync(client, "apmask", "-3");

        var problem = await AssertProblemAsync(response, 409, "/problems/host-refused");
        Assert.Equal("EBUSY", (string?)problem["errno"]);
        Assert.Equal("/sys/bus/ap/apmask", (string?)problem["attribute"]);
        Assert.Equal("-3", (string?)problem["written"]);
        await AssertUnchangedAsync(client, before);
        var audit = await GetArrayAsync(client, "/api/audit");
        Assert.Equal("/problems/host-refused", (string?)audit.Last()!["outcome"]!["problemType"]);
    }
}
