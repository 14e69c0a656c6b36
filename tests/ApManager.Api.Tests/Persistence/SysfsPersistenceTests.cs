using System.Diagnostics;
using System.Net;
using System.Text;
using ApManager.Api.Tests.Sysfs;
using ApManager.FakeSysfs;
using static ApManager.Api.Tests.ApManagerApplication;
using static ApManager.Api.Tests.Persistence.DefinitionTests;

namespace ApManager.Api.Tests.Persistence;

/// <summary>Definitions and persistent masks on a real host (the FUSE fake): mdevctl's and chzdev's own files under Host:Root.</summary>
public class SysfsPersistenceTests
{
    private static string Fixture(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "tests/ApManager.Core.Tests/Persistence/Fixtures", name);
            if (File.Exists(path))
            {
                return path;
            }
        }
        throw new FileNotFoundException(name);
    }

    private static string MatrixFile(SysfsApplication app, string uuid) => Path.Combine(app.Fake.Root, "etc/mdevctl.d/matrix", uuid);

    private static string RulesFile(SysfsApplication app) => Path.Combine(app.Fake.Root, "etc/udev/rules.d/41-ap.rules");

    [FuseFact]
    public async Task ADefinitionWrittenByApManagerIsTheFileMdevctlWrites()
    {
        await using var app = SysfsApplication.Start();
        using var client = app.CreateClient();
        await DefinitionTests.KeepActiveMasksAtBootAsync(client);

        using var response = await PutDefinitionAsync(client, DeviceX, """{"start":"auto","adapters":[6,5],"domains":[171,4],"controlDomains":[171]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // mdevctl 1.x (serde_json pretty, no final newline), attrs as ap-check's get-attributes gives them.
        var expected = """
            {
              "mdev_type": "vfio_ap-passthrough",
              "start": "auto",
              "attrs": [
                {
                  "assign_adapter": "5"
                },
                {
                  "assign_adapter": "6"
                },
                {
                  "assign_domain": "4"
                },
                {
                  "assign_domain": "171"
                },
                {
                  "assign_control_domain": "171"
                }
              ]
            }
            """.Replace("\r\n", "\n");
        Assert.Equal(Encoding.UTF8.GetBytes(expected), await File.ReadAllBytesAsync(MatrixFile(app, DeviceX)));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(MatrixFile(app, DeviceX))!, ".*"));
    }

    [FuseFact]
    public async Task FilesPlacedByMdevctlAreListedAndABadOneIsAnEntryWithItsProblem()
    {
        await using var app = SysfsApplication.Start();
        using var client = app.CreateClient();
        Directory.CreateDirectory(Path.GetDirectoryName(MatrixFile(app, DeviceX))!);
        File.Copy(Fixture("mdevctl-auto-mixed"), MatrixFile(app, DeviceX));
        File.Copy(Fixture("mdevctl-manual-empty"), MatrixFile(app, DeviceY));
        await File.WriteAllTextAsync(MatrixFile(app, DeviceA), """{"mdev_type": "vfio_ap-passthrough", "start": "auto", "attrs": [{"assign_adapter": 5}]}""");
        await File.WriteAllTextAsync(Path.Combine(Path.GetDirectoryName(MatrixFile(app, DeviceX))!, "not-a-uuid"), "{}");

        var listed = await GetArrayAsync(client, "/api/definitions");

        Assert.Equal([DeviceA, DeviceX, DeviceY], listed.Select(d => (string)d!["uuid"]!));
        var bad = listed[0]!;
        Assert.True((bool)bad["active"]!);
        Assert.Equal("attrs[0].assign_adapter", (string?)bad["problem"]!["member"]);
        var x = listed[1]!;
        Assert.Equal("auto", (string?)x["start"]);
        Assert.Equal([5, 11], Ints(x["adapters"]));
        Assert.Equal([4, 171], Ints(x["domains"]));
        Assert.Equal("0x0b", (string?)x["attrs"]![1]!["assign_adapter"]);
        Assert.False((bool)x["active"]!);
        Assert.Equal("manual", (string?)listed[2]!["start"]);
    }

    [FuseFact]
    public async Task TheRulesFileChzdevWroteIsReadAndRewrittenTheWayChzdevWritesIt()
    {
        await using var app = SysfsApplication.Start();
        using var client = app.CreateClient();
        Directory.CreateDirectory(Path.GetDirectoryName(RulesFile(app))!);
        File.Copy(Fixture("41-ap.rules"), RulesFile(app));
        var original = await File.ReadAllTextAsync(RulesFile(app));

        var masks = await GetObjectAsync(client, "/api/bus/persistent");
        using var response = await SendAsync(client, HttpMethod.Put, "/api/bus/persistent", Json("""{"apmask":"-8"}"""));

        Assert.Equal("0xf080" + new string('0', 60), (string?)masks["apmask"]);
        Assert.Equal("0xffff" + new string('0', 60), (string?)masks["aqmask"]);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(original.Replace("0xf080", "0xf000"), await File.ReadAllTextAsync(RulesFile(app)));
    }

    [FuseFact]
    public async Task ADefinitionChangeWaitsForTheS390ToolsLockAndAnswers503WhenItStaysHeld()
    {
        await using var app = SysfsApplication.Start();
        using var client = app.CreateClient();
        using var other = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        try
        {
            await File.WriteAllTextAsync(app.Fake.LockFile, $"{other.Id}\n");

            using var response = await PutDefinitionAsync(client, DeviceX, """{"start":"manual","adapters":[5],"domains":[4]}""");

            var problem = await AssertProblemAsync(response, 503, "/problems/host-busy");
            Assert.Equal(app.Fake.LockFile, (string?)problem["lockFile"]);
            Assert.False(File.Exists(MatrixFile(app, DeviceX)));
        }
        finally
        {
            other.Kill();
            File.Delete(app.Fake.LockFile);
        }
    }

    [FuseFact]
    public async Task ARealHostIsNotRebootedByApManager()
    {
        await using var app = SysfsApplication.Start();
        using var client = app.CreateClient();

        using var response = await client.PostAsync("/api/host/reboot", null);

        var problem = await AssertProblemAsync(response, 409, "/problems/unsupported-on-host");
        Assert.Equal("reboot", (string?)problem["operation"]);
    }
}
