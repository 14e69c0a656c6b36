using System.Diagnostics;
using System.Text.Json.Nodes;
using ApManager.Core;
using ApManager.Core.Host;
using ApManager.Core.Matrix;
using ApManager.FakeSysfs;

namespace ApManager.Api.Tests.Sysfs;

/// <summary>
/// SPEC §11.4 on the fake kernel: what root's <c>echo</c>, mdevctl and libvirt change is followed
/// (audit actor <c>host</c>, action <c>host.changed</c>), and the s390-tools lock keeps ApManager out
/// while another tool holds it.
/// </summary>
public sealed class ChangesByOthersTests
{
    [FuseFact]
    public async Task Roots_echo_into_apmask_is_followed_and_audited_as_the_host()
    {
        await using var app = SysfsApplication.Start();
        using var client = app.CreateClient();
        var before = await ApManagerApplication.GetObjectAsync(client, "/api/bus");

        // Adapter 3's queues are free: the kernel takes them from cex4queue for vfio_ap.
        Shell($"echo -3 > {app.Fake.Root}/sys/bus/ap/apmask");

        var bus = await SysfsApplication.EventuallyAsync(client, "/api/bus", b => (string?)b["apmask"] != (string?)before["apmask"]);
        Assert.Equal(ApManagerApplication.MaskWithout(3, 5, 6), (string?)bus["apmask"]);
        Assert.True((long)bus["version"]! > (long)before["version"]!);
        var queue = await ApManagerApplication.GetObjectAsync(client, "/api/queues/03.0004");
        Assert.Equal("vfio_ap", (string?)queue["driver"]);

        var audit = await ApManagerApplication.GetArrayAsync(client, "/api/audit");
        var record = audit.Last(r => (string?)r!["action"] == "host.changed")!;
        Assert.Equal("host", (string?)record["actor"]);
        Assert.Equal(200, (int)record["outcome"]!["status"]!);
        Assert.Equal([new FakeWrite("/bus/ap/apmask", "-3\n", Errno.None)], app.Kernel.Writes);
    }

    [FuseFact]
    public async Task A_change_by_others_is_read_before_a_mutation_is_judged()
    {
        // A poll far in the future: only the re-read under the lock can see the echo.
        await using var app = SysfsApplication.Start(pollSeconds: 60);
        using var client = app.CreateClient();
        Assert.Equal(Errno.None, app.Kernel.Apply(new WriteMasks(null, "-4"u8.ToArray())));

        // Domain 4 is gone from aqmask: giving it back is a change, and the answer says so.
        using var response = await ApManagerApplication.PutMaskAsync(client, "aqmask", "+4");

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var body = await ApManagerApplication.ReadObjectAsync(response);
        Assert.Contains(body["rebound"]!.AsArray(), r => (string?)r!["apqn"] == "03.0004" && (string?)r["from"] == "vfio_ap");
        var audit = await ApManagerApplication.GetArrayAsync(client, "/api/audit");
        Assert.Equal(["host.changed", "bus.aqmask"], audit.TakeLast(2).Select(r => ((string?)r!["action"])!));
    }

    [FuseFact]
    public async Task A_lock_held_by_another_tool_answers_host_busy_and_writes_nothing()
    {
        await using var app = SysfsApplication.Start();
        using var client = app.CreateClient();
        using var other = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        try
        {
            await File.WriteAllTextAsync(app.Fake.LockFile, $"{other.Id}\n");
            var before = await ApManagerApplication.StateAsync(client);
            var watch = Stopwatch.StartNew();

            using var response = await ApManagerApplication.PutMaskAsync(client, "apmask", "-3");

            var problem = await ApManagerApplication.AssertProblemAsync(response, 503, "/problems/host-busy");
            Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(4.5), $"gave up after {watch.Elapsed}");
            Assert.Equal(app.Fake.LockFile, (string?)problem["lockFile"]);
            Assert.NotNull(response.Headers.RetryAfter);
            Assert.Empty(app.Kernel.Writes);
            await ApManagerApplication.AssertUnchangedAsync(client, before);
            Assert.Equal($"{other.Id}\n", await File.ReadAllTextAsync(app.Fake.LockFile));

            // The tool finishes: the same call goes through.
            File.Delete(app.Fake.LockFile);
            using var retry = await ApManagerApplication.PutMaskAsync(client, "apmask", "-3");
            Assert.Equal(System.Net.HttpStatusCode.OK, retry.StatusCode);
            Assert.False(File.Exists(app.Fake.LockFile), "ApManager let go of the lock");
        }
        finally
        {
            other.Kill();
        }
    }

    [FuseFact]
    public async Task A_libvirt_domain_appearing_is_the_devices_guest()
    {
        await using var app = SysfsApplication.Start();
        using var client = app.CreateClient();
        var device = ApManagerApplication.DeviceB;
        Assert.Null((string?)(await ApManagerApplication.GetObjectAsync(client, $"/api/mdevs/{device}"))["guest"]);

        Assert.Equal(Errno.None, app.Kernel.StartGuest("guest-b", MdevId.Parse(device)));

        var mdev = await SysfsApplication.EventuallyAsync(client, $"/api/mdevs/{device}", m => (string?)m["guest"] == "guest-b");
        Assert.Equal(["06.0004"], ApManagerApplication.Strings(mdev["guestMatrix"]));
        var queue = await ApManagerApplication.GetObjectAsync(client, "/api/queues/06.0004");
        Assert.Equal("guest-b", (string?)queue["guest"]);

        Assert.Equal(Errno.None, app.Kernel.StopGuest(MdevId.Parse(device)));
        await SysfsApplication.EventuallyAsync(client, $"/api/mdevs/{device}", m => m["guest"] is null);
    }

    [FuseFact]
    public async Task A_queue_in_use_without_a_libvirt_domain_has_an_unknown_guest()
    {
        await using var app = SysfsApplication.Start();
        using var client = app.CreateClient();

        // The guest runs, but libvirt's status file is not there (a guest started by hand with QEMU).
        File.Delete(Path.Combine(app.Fake.LibvirtRun, "guest-a.xml"));

        var mdev = await SysfsApplication.EventuallyAsync(client, $"/api/mdevs/{ApManagerApplication.DeviceA}", m => (string?)m["guest"] == "(unknown)");
        Assert.Equal(["05.0004", "05.0047"], ApManagerApplication.Strings(mdev["guestMatrix"]));

        // Still protected: the demo 409 names the unknown guest.
        using var response = await ApManagerApplication.PutMaskAsync(client, "apmask", "+5");
        var problem = await ApManagerApplication.AssertProblemAsync(response, 409, "/problems/queues-in-use");
        Assert.All(problem["offendingApqns"]!.AsArray(), o => Assert.Equal("(unknown)", (string?)o!["guest"]));
    }

    private static void Shell(string command)
    {
        using var shell = Process.Start(new ProcessStartInfo("sh", ["-c", command]) { UseShellExecute = false, RedirectStandardError = true })!;
        var error = shell.StandardError.ReadToEnd();
        shell.WaitForExit();
        Assert.True(shell.ExitCode == 0, $"{command}: {error}");
    }
}
