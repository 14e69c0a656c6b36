using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using static ApManager.Api.Tests.ApManagerApplication;

namespace ApManager.Api.Tests.Durability;

/// <summary>
/// Dispose the host, start a new one on the same file: everything a client can see is identical,
/// versions and ETags included, and the audit trail is intact.
/// </summary>
public class RestartTests
{
    private const string U1 = "11111111-2222-4333-8444-555555555501";
    private const string U2 = "11111111-2222-4333-8444-555555555502";

    private static readonly string[] Resources =
    [
        $"/api/mdevs/{U1}", $"/api/mdevs/{U2}", $"/api/mdevs/{DeviceA}", $"/api/mdevs/{DeviceB}",
        "/api/adapters/5", "/api/adapters/7", "/api/queues/07.0005", "/api/queues/03.0047", "/api/queues/05.0004",
        "/api/drivers", "/api/export",
    ];

    [Fact]
    public async Task EveryKindOfChangeSurvivesARestartWithIdenticalBodiesVersionsAndETags()
    {
        var path = NewStoragePath();
        try
        {
            IReadOnlyList<string> before;
            List<JsonObject> auditBefore;
            await using (var app = new ApManagerApplication(storagePath: path))
            {
                using var client = app.CreateClient();
                await ChangeEverythingAsync(client);
                before = await StateCapture.CaptureAsync(client, Resources);
                auditBefore = await StateCapture.AuditAsync(client);
            }

            await using (var app = new ApManagerApplication(storagePath: path))
            {
                using var client = app.CreateClient();
                var after = await StateCapture.CaptureAsync(client, Resources);
                var auditAfter = await StateCapture.AuditAsync(client);

                StateCapture.AssertIdentical(before, after);
                Assert.Equal(string.Join('\n', auditBefore.Select(r => r.ToJsonString())), string.Join('\n', auditAfter.Select(r => r.ToJsonString())));

                // The restored state is the changed one, not the seed.
                var bus = JsonNode.Parse(await client.GetStringAsync("/api/bus"))!;
                Assert.Equal("0xf8" + new string('f', 62), (string?)bus["apmask"]);
                Assert.Equal("0x" + new string('f', 17) + "e" + new string('f', 46), (string?)bus["aqmask"]);
                Assert.Equal(3, (long)bus["version"]!);
                var u1 = JsonNode.Parse(await client.GetStringAsync($"/api/mdevs/{U1}"))!;
                Assert.Equal("restart-1", (string?)u1["name"]);
                Assert.Equal([7], u1["adapters"]!.AsArray().Select(n => (int)n!));
                Assert.Equal([5], u1["domains"]!.AsArray().Select(n => (int)n!));
                Assert.Equal([9], u1["controlDomains"]!.AsArray().Select(n => (int)n!));
                Assert.Equal(["07.0005"], u1["guestMatrix"]!.AsArray().Select(n => (string)n!));
                Assert.Equal("guest-r", (string?)u1["guest"]);
                var a = JsonNode.Parse(await client.GetStringAsync($"/api/mdevs/{DeviceA}"))!;
                Assert.Null((string?)a["guest"]);
                Assert.Empty(a["guestMatrix"]!.AsArray());
                var adapter5 = JsonNode.Parse(await client.GetStringAsync("/api/adapters/5"))!;
                Assert.False((bool)adapter5["configured"]!);
                Assert.Empty(adapter5["queues"]!.AsArray());
                Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/mdevs/{DeviceB}")).StatusCode);
                Assert.Equal(14, auditAfter.Count);
            }
        }
        finally
        {
            DeleteStorage(path);
        }
    }

    [Fact]
    public async Task WritesAfterARestartContinueTheGlobalVersionAndTheAuditSequence()
    {
        var path = NewStoragePath();
        try
        {
            await using (var app = new ApManagerApplication(storagePath: path))
            {
                using var client = app.CreateClient();
                Assert.Equal(HttpStatusCode.OK, (await PutMaskAsync(client, "apmask", "-7")).StatusCode);
                Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/api/mdevs", Json($$"""{"uuid":"{{U1}}","name":"after-restart"}"""))).StatusCode);
            }

            await using (var app = new ApManagerApplication(storagePath: path))
            {
                using var client = app.CreateClient();
                Assert.Equal(3, await StateCapture.GlobalVersionAsync(client));

                var response = await PutMaskAsync(client, "apmask", "-3", ifMatch: "\"2\"");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal("\"4\"", response.Headers.ETag?.Tag);
                var body = await ReadObjectAsync(response);
                Assert.Equal(4, (long)body["version"]!);
                Assert.Equal(5, body["rebound"]!.AsArray().Count);

                var audit = await StateCapture.AuditAsync(client);
                Assert.Equal([1L, 2L, 3L], audit.Select(r => (long)r["seq"]!));
                Assert.Equal("bus.apmask", (string?)audit[2]["action"]);
                Assert.Equal("-3", (string?)audit[2]["input"]);
                Assert.Equal(3, (long)audit[2]["versionBefore"]!);
                Assert.Equal(4, (long)audit[2]["versionAfter"]!);
                Assert.Equal(4, await StateCapture.GlobalVersionAsync(client));
            }
        }
        finally
        {
            DeleteStorage(path);
        }
    }

    [Fact]
    public async Task SeedNoneOnAnExistingDemoStoreKeepsTheDemoState()
    {
        var path = NewStoragePath();
        try
        {
            IReadOnlyList<string> demo;
            await using (var app = new ApManagerApplication(storagePath: path))
            {
                using var client = app.CreateClient();
                demo = await StateCapture.CaptureAsync(client, Resources);
            }

            await using (var app = new ApManagerApplication(new Dictionary<string, string?> { ["ApManager:Seed"] = "none" }, path))
            {
                using var client = app.CreateClient();
                StateCapture.AssertIdentical(demo, await StateCapture.CaptureAsync(client, Resources));
                var bus = JsonNode.Parse(await client.GetStringAsync("/api/bus"))!;
                Assert.Equal("0xf9ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", (string?)bus["apmask"]);
                Assert.Equal(2, (await ReadArrayAsync(await client.GetAsync("/api/mdevs"))).Count);
            }
        }
        finally
        {
            DeleteStorage(path);
        }
    }

    [Fact]
    public async Task SeedNoneOnAnEmptyStoreStartsFromKernelDefaultsAndSeedDemoLaterDoesNotOverwriteIt()
    {
        var path = NewStoragePath();
        try
        {
            IReadOnlyList<string> none;
            await using (var app = new ApManagerApplication(new Dictionary<string, string?> { ["ApManager:Seed"] = "none" }, path))
            {
                using var client = app.CreateClient();
                var bus = JsonNode.Parse(await client.GetStringAsync("/api/bus"))!;
                Assert.Equal("0x" + new string('f', 64), (string?)bus["apmask"]);
                Assert.Equal("0x" + new string('f', 64), (string?)bus["aqmask"]);
                Assert.Equal(1, (long)bus["version"]!);
                Assert.Empty(await ReadArrayAsync(await client.GetAsync("/api/mdevs")));
                none = await StateCapture.CaptureAsync(client);
            }

            await using (var app = new ApManagerApplication(new Dictionary<string, string?> { ["ApManager:Seed"] = "demo" }, path))
            {
                using var client = app.CreateClient();
                StateCapture.AssertIdentical(none, await StateCapture.CaptureAsync(client));
                var queues = await ReadArrayAsync(await client.GetAsync("/api/queues"));
                Assert.Equal(25, queues.Count);
                Assert.All(queues, q => Assert.Equal("cex4queue", (string?)q!["driver"]));
            }
        }
        finally
        {
            DeleteStorage(path);
        }
    }

    [Fact]
    public async Task AnAcknowledgedChangeIsCommittedToTheFileBeforeItsResponseArrives()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        string[] writes = ["-7", "-3", "+3", "-4"];
        for (var i = 0; i < writes.Length; i++)
        {
            var response = await PutMaskAsync(client, "apmask", writes[i]);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await ReadObjectAsync(response);

            // A second connection of our own sees exactly what the response acknowledged.
            var (version, apmask, auditRows) = ReadFile(app.StoragePath);
            Assert.Equal((long)body["version"]!, version);
            Assert.Equal((string?)body["apmask"], apmask);
            Assert.Equal(i + 1, auditRows);
        }
    }

    [Fact]
    public async Task InMemoryModeWritesNoFileAndStartsFromTheSeedAfterARestart()
    {
        var settings = new Dictionary<string, string?> { ["ApManager:Storage:Mode"] = "memory" };
        var path = NewStoragePath();
        try
        {
            await using (var app = new ApManagerApplication(settings, path))
            {
                using var client = app.CreateClient();
                var response = await PutMaskAsync(client, "apmask", "-7");
                Assert.Equal(2, (long)(await ReadObjectAsync(response))["version"]!);
                Assert.Single(await StateCapture.AuditAsync(client));
            }
            Assert.False(File.Exists(path), "The in-memory mode created the database file.");

            await using (var app = new ApManagerApplication(settings, path))
            {
                using var client = app.CreateClient();
                var bus = JsonNode.Parse(await client.GetStringAsync("/api/bus"))!;
                Assert.Equal("0xf9ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", (string?)bus["apmask"]);
                Assert.Equal(1, (long)bus["version"]!);
                Assert.Empty(await StateCapture.AuditAsync(client));
            }
        }
        finally
        {
            DeleteStorage(path);
        }
    }

    [Fact]
    public async Task DisposingTheHostClosesTheDatabaseFile()
    {
        if (!Directory.Exists("/proc/self/fd"))
        {
            return; // Linux only: open files are read from procfs.
        }
        var path = NewStoragePath();
        try
        {
            await using (var app = new ApManagerApplication(storagePath: path))
            {
                using var client = app.CreateClient();
                Assert.Equal(HttpStatusCode.OK, (await PutMaskAsync(client, "apmask", "-7")).StatusCode);
                Assert.NotEmpty(OpenFilesUnder(Path.GetDirectoryName(path)!));
            }

            // The entry point's own RunAsync may still be finishing the disposal it started: allow it a moment.
            var open = OpenFilesUnder(Path.GetDirectoryName(path)!);
            for (var waited = 0; open.Count > 0 && waited < 100; waited++)
            {
                await Task.Delay(50);
                open = OpenFilesUnder(Path.GetDirectoryName(path)!);
            }
            Assert.Empty(open);
        }
        finally
        {
            DeleteStorage(path);
        }
    }

    [Fact]
    public async Task AnAdapterAddedToTheConfiguredTopologyKeepsItsVersionAcrossLaterRestarts()
    {
        var path = NewStoragePath();
        var withAdapter8 = new Dictionary<string, string?>();
        foreach (var (a, i) in new[] { (3, "CEX8C"), (4, "CEX8P"), (5, "CEX8C"), (6, "CEX8C"), (7, "CEX7A"), (8, "CEX8C") }.Select((a, i) => (a, i)))
        {
            withAdapter8[$"ApManager:Host:Adapters:{i}:Id"] = a.Item1.ToString(System.Globalization.CultureInfo.InvariantCulture);
            withAdapter8[$"ApManager:Host:Adapters:{i}:Type"] = a.Item2;
        }
        string[] paths = ["/api/adapters/8", "/api/queues/08.0004", "/api/queues/08.0048"];
        try
        {
            await using (var app = new ApManagerApplication(storagePath: path))
            {
                using var client = app.CreateClient();
                Assert.Equal(HttpStatusCode.OK, (await PutMaskAsync(client, "apmask", "-7")).StatusCode);
            }

            // The operator adds adapter 8 to the configuration: it appears, then the state moves on without touching it.
            IReadOnlyList<string> first;
            await using (var app = new ApManagerApplication(withAdapter8, path))
            {
                using var client = app.CreateClient();
                first = await StateCapture.CaptureAsync(client, paths);
                Assert.Equal(HttpStatusCode.OK, (await PutMaskAsync(client, "apmask", "-3")).StatusCode);
                Assert.Equal(HttpStatusCode.OK, (await PutMaskAsync(client, "apmask", "-4")).StatusCode);
            }

            await using (var app = new ApManagerApplication(withAdapter8, path))
            {
                using var client = app.CreateClient();
                var later = await StateCapture.CaptureAsync(client, paths);
                // Adapter 8 and its queues did not change, so neither did their versions and ETags.
                for (var i = 0; i < paths.Length; i++)
                {
                    Assert.Equal(first[StateCapture.Collections.Length + i], later[StateCapture.Collections.Length + i]);
                }
            }
        }
        finally
        {
            DeleteStorage(path);
        }
    }

    private static async Task ChangeEverythingAsync(HttpClient client)
    {
        async Task Expect(HttpStatusCode status, Task<HttpResponseMessage> call)
        {
            using var response = await call;
            Assert.True(status == response.StatusCode, $"{response.RequestMessage!.Method} {response.RequestMessage.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        await Expect(HttpStatusCode.OK, PutMaskAsync(client, "apmask", "-7"));
        await Expect(HttpStatusCode.OK, PutMaskAsync(client, "aqmask", "-71"));
        await Expect(HttpStatusCode.Created, client.PostAsync("/api/mdevs", Json($$"""{"uuid":"{{U1}}","name":"restart-1"}""")));
        await Expect(HttpStatusCode.OK, client.PutAsync($"/api/mdevs/{U1}/adapters/7", null));
        await Expect(HttpStatusCode.OK, client.PutAsync($"/api/mdevs/{U1}/domains/5", null));
        await Expect(HttpStatusCode.OK, client.PutAsync($"/api/mdevs/{U1}/control-domains/9", null));
        await Expect(HttpStatusCode.OK, client.PutAsync($"/api/mdevs/{U1}/guest", Json("""{"name":"guest-r"}""")));
        await Expect(HttpStatusCode.Created, client.PostAsync("/api/mdevs", Json($$"""{"uuid":"{{U2}}","name":"restart-2"}""")));
        await Expect(HttpStatusCode.OK, client.PutAsync($"/api/mdevs/{U2}/config", Json("""{"adapters":[3],"domains":[71],"controlDomains":[71,80]}""")));
        await Expect(HttpStatusCode.NoContent, client.DeleteAsync($"/api/mdevs/{DeviceB}"));
        await Expect(HttpStatusCode.OK, client.DeleteAsync($"/api/mdevs/{DeviceA}/guest"));
        await Expect(HttpStatusCode.OK, client.PutAsJsonAsync("/api/adapters/5/configured", new { configured = false }));
        await Expect(HttpStatusCode.Conflict, PutMaskAsync(client, "apmask", "+7"));
        await Expect(HttpStatusCode.OK, client.PutAsJsonAsync("/api/adapters/4/configured?dryRun=true", new { configured = false }));
    }

    private static (long Version, string Apmask, long AuditRows) ReadFile(string path)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        string Scalar(string sql)
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture)!;
        }
        return (long.Parse(Scalar("SELECT value FROM meta WHERE key = 'global_version';"), System.Globalization.CultureInfo.InvariantCulture),
            Scalar("SELECT value FROM meta WHERE key = 'apmask';"),
            long.Parse(Scalar("SELECT COUNT(*) FROM audit;"), System.Globalization.CultureInfo.InvariantCulture));
    }

    private static List<string> OpenFilesUnder(string directory) =>
        [.. Directory.GetFiles("/proc/self/fd")
            .Select(fd =>
            {
                try
                {
                    return new FileInfo(fd).LinkTarget;
                }
                catch (IOException)
                {
                    return null; // The descriptor closed while we looked.
                }
            })
            .OfType<string>()
            .Where(target => target.StartsWith(directory, StringComparison.Ordinal))];
}
