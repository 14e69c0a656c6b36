using System.Net;
using System.Text.Json.Nodes;
using static ApManager.Api.Tests.ApManagerApplication;

namespace ApManager.Api.Tests.Persistence;

/// <summary>
/// A file that survives a reboot cannot be written (here a full disk: the temp file the write goes
/// through is made a link to /dev/full, which answers ENOSPC): the change is refused as the host's
/// answer, audited, and leaves the old file and no temp file behind; it works again once the disk does.
/// </summary>
public class PersistentFileFailureTests
{
    public static TheoryData<string, string, string, string> Writes() => new()
    {
        { "PUT", $"/api/mdevs/{DefinitionTests.DeviceX}/definition", """{"start":"manual","adapters":[5],"domains":[4]}""", $"etc/mdevctl.d/matrix/{DefinitionTests.DeviceX}" },
        { "PUT", "/api/bus/persistent", """{"apmask":"-7"}""", "etc/udev/rules.d/41-ap.rules" },
    };

    [Theory]
    [MemberData(nameof(Writes))]
    public async Task AFullDiskIsRefusedAsTheHostsAnswerAuditedAndLeavesNoTempFile(string method, string url, string body, string file)
    {
        Assert.True(File.Exists("/dev/full"), "/dev/full is needed to make a write fail with ENOSPC.");
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        await DefinitionTests.KeepActiveMasksAtBootAsync(client);
        var root = Path.Combine(Path.GetDirectoryName(app.StoragePath)!, "simulated-host");
        var target = Path.Combine(root, file);
        var before = File.Exists(target) ? await File.ReadAllTextAsync(target) : null;
        var definitionsBefore = await client.GetStringAsync("/api/definitions") + await client.GetStringAsync("/api/bus/persistent");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temp = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.apmanager-{Environment.ProcessId}.tmp");
        File.CreateSymbolicLink(temp, "/dev/full");

        using var refused = await SendAsync(client, new HttpMethod(method), url, Json(body));

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var problem = await ReadObjectAsync(refused);
        Assert.Equal("/problems/host-refused", (string?)problem["type"]);
        Assert.Equal("ENOSPC", (string?)problem["errno"]);
        Assert.Equal(target, (string?)problem["attribute"]);
        Assert.False(File.Exists(temp) || new FileInfo(temp).LinkTarget is not null, "The temp file was left behind.");
        Assert.Equal(before, File.Exists(target) ? await File.ReadAllTextAsync(target) : null);
        Assert.Equal(definitionsBefore, await client.GetStringAsync("/api/definitions") + await client.GetStringAsync("/api/bus/persistent"));
        var record = (await GetArrayAsync(client, "/api/audit")).Last()!;
        Assert.Equal(409, (int)record["outcome"]!["status"]!);
        Assert.Equal("/problems/host-refused", (string?)record["outcome"]!["problemType"]);

        using var accepted = await SendAsync(client, new HttpMethod(method), url, Json(body));

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.True(File.Exists(target));
    }
}
