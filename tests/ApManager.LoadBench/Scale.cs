using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

/// <summary>
/// Issue 7's scale check: a host of 256 adapters x 256 domains with 4,096 matrix devices.
/// Measures ready time (first 200 from /health/ready after the process started) for the demo
/// seed and after a restart on the big store, the import, the memory the state takes (RSS),
/// paged reads at that size, and RSS after --mixed-seconds of mixed wrk load. The import and the
/// per-call read timings are single sequential requests (a .NET client is fine there: it is not
/// load); the load itself is wrk.
/// </summary>
internal static class Scale
{
    private const int DemoStarts = 3;

    public static async Task<int> RunAsync(Options options)
    {
        if (options.Problem() is { } problem)
        {
            Console.Error.WriteLine(problem);
            return 2;
        }
        var (stamp, dir) = options.RunFolder();
        var db = Path.Combine(dir, "apmanager.db");
        var result = new Dictionary<string, object?> { ["run"] = RunInfo.Of(options) };
        try
        {
            // The demo seed on a fresh durable store (the default mode), a few starts: one start
            // is one sample of a noisy figure.
            var demo = new List<double>();
            for (var i = 1; i <= DemoStarts; i++)
            {
                var env = Servers.Env(Path.Combine(dir, $"demo-{i}.db"));
                env["ApManager__Seed"] = "demo";
                await using var server = Servers.ApManager("demo", options.Api!, env);
                var demoStart = await server.WaitReadyAsync();
                demo.Add(demoStart.TotalMilliseconds);
                Console.WriteLine($"demo seed, start {i}: ready in {demoStart.TotalMilliseconds:F0} ms, RSS {server.RssMb} MB");
            }
            var demoReady = Servers.Median(demo);
            Console.WriteLine($"demo seed: ready in {demoReady:F0} ms, median of {DemoStarts} starts (target <= 1000: {Met(demoReady <= 1000)})");
            result["demoReadyMs"] = demoReady;
            result["demoReadyStartsMs"] = demo;

            var (process, ready) = await StartAsync(options.Api!, db);
            Console.WriteLine($"first start (empty store, seed none): ready in {ready.TotalMilliseconds:F0} ms, RSS {process.RssMb} MB");
            await using (process)
            {
                using var client = Servers.Client(process.Uri);

                var import = new JsonObject
                {
                    ["apmask"] = "0x" + new string('f', 64),
                    ["aqmask"] = "0xffff" + new string('0', 60),
                    ["mdevs"] = new JsonArray([.. Enumerable.Range(0, 4096).Select(i => (JsonNode)new JsonObject
                    {
                        ["uuid"] = new Guid(i, 0x1234, 0x4abc, 0x8d, 0x5f, 0x3e, 0x6b, 0x0a, 0x4c, 0x9d, 0x77).ToString(),
                        ["name"] = $"scale-{i}",
                        ["mdevctl"] = new JsonObject
                        {
                            ["mdev_type"] = "vfio_ap-passthrough",
                            ["start"] = "auto",
                            ["attrs"] = new JsonArray(
                                new JsonObject { ["assign_adapter"] = (i % 256).ToString(CultureInfo.InvariantCulture) },
                                new JsonObject { ["assign_domain"] = $"0x{16 + (i / 256):x}" },
                                new JsonObject { ["assign_control_domain"] = $"0x{16 + (i / 256):x}" }),
                        },
                    })]),
                    ["guests"] = new JsonArray([.. Enumerable.Range(0, 1024).Select(i => (JsonNode)new JsonObject
                    {
                        ["name"] = $"guest-{i}",
                        ["mdev"] = new Guid(i, 0x1234, 0x4abc, 0x8d, 0x5f, 0x3e, 0x6b, 0x0a, 0x4c, 0x9d, 0x77).ToString(),
                    })]),
                };
                var sw = Stopwatch.StartNew();
                var response = await client.PostAsync("/api/import", new StringContent(import.ToJsonString(), Encoding.UTF8, "application/json"));
                Console.WriteLine($"import of 4,096 devices and 1,024 guests: {(int)response.StatusCode} in {sw.ElapsedMilliseconds} ms");
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Console.WriteLine(await response.Content.ReadAsStringAsync());
                    return 1;
                }
                GC.Collect();
                await Task.Delay(1000);
                Console.WriteLine($"after import: RSS {process.RssMb} MB");
                await ReadsAsync(client);
            }

            var (restarted, readyAgain) = await StartAsync(options.Api!, db);
            await using (restarted)
            {
                using var client2 = Servers.Client(restarted.Uri);
                var count = JsonNode.Parse(await client2.GetStringAsync("/api/mdevs?limit=10000"))!.AsArray().Count;
                var rss = restarted.RssMb;
                Console.WriteLine($"restart on the 4,096-device store: ready in {readyAgain.TotalMilliseconds:F0} ms (target <= 1500: {Met(readyAgain.TotalMilliseconds <= 1500)}), " +
                    $"{count} devices, RSS {rss} MB (target <= 100: {Met(rss <= 100)}), {await HeapAsync(client2)}");
                result["restartReadyMs"] = readyAgain.TotalMilliseconds;
                result["restartRssMb"] = rss;
                Console.WriteLine($"  RSS by kind (MB): {restarted.RssParts}");
                result["restartRssParts"] = restarted.RssParts;
                await ReadsAsync(client2);
                Console.WriteLine($"after reads: RSS {restarted.RssMb} MB, {await HeapAsync(client2)}");

                var mixed = await MixedLoadAsync(options, restarted, dir);
                var rssMixed = restarted.RssMb;
                Console.WriteLine($"after {options.MixedSeconds} s of mixed load: {mixed}; RSS {rssMixed} MB (target <= 100: {Met(rssMixed <= 100)}), {await HeapAsync(client2)}");
                result["mixedSeconds"] = options.MixedSeconds;
                result["mixedLoad"] = mixed;
                result["mixedRssMb"] = rssMixed;
                Console.WriteLine($"  RSS by kind (MB): {restarted.RssParts}");
                result["mixedRssParts"] = restarted.RssParts;
                Servers.WriteJson(options.JsonPath(stamp), result);
                return mixed.Non2xx == 0 ? 0 : 1;
            }
        }
        finally
        {
            if (Environment.GetEnvironmentVariable("APMANAGER_SCALE_KEEP") == "1")
            {
                Console.WriteLine($"store kept (APMANAGER_SCALE_KEEP=1): {db}");
            }
            else
            {
                Compare.TryDelete(dir);
            }
        }
    }

    /// <summary>
    /// wrk for --mixed-seconds with --connections: reads of the bus, a page of queues and a page
    /// of devices, and an accepted apmask change (adapter 3 leaves and rejoins the host's
    /// domains 0-15, which no device uses) for every three reads.
    /// </summary>
    private static Task<WrkResult> MixedLoadAsync(Options options, Server server, string dir)
    {
        WrkRequest[] reads = [WrkRequest.Get("/api/bus"), WrkRequest.Get("/api/queues?limit=100"), WrkRequest.Get("/api/mdevs?limit=100")];
        var script = Wrk.Script(Path.Combine(dir, "mixed.lua"),
            [[.. reads, WrkRequest.Put("/api/bus/apmask", """{"mask":"-3"}"""), .. reads, WrkRequest.Put("/api/bus/apmask", """{"mask":"+3"}""")]], Servers.Key);
        Console.WriteLine($"mixed load: wrk -t{options.Threads} -c{options.Connections} -d{options.MixedSeconds}s ...");
        return Wrk.RunAsync(server.Uri, script, options.Threads, options.Connections, options.MixedSeconds);
    }

    private static string Met(bool met) => met ? "met" : "not met";

    private static async Task ReadsAsync(HttpClient client)
    {
        foreach (var path in new[] { "/api/queues?limit=1000", "/api/queues?adapter=7", "/api/mdevs?limit=1000", "/api/bus" })
        {
            var sw = Stopwatch.StartNew();
            const int n = 50;
            long bytes = 0;
            for (var i = 0; i < n; i++)
            {
                bytes += (await client.GetByteArrayAsync(path)).Length;
            }
            Console.WriteLine($"GET {path}: {sw.Elapsed.TotalMilliseconds / n:F2} ms per call, {bytes / n / 1024} KiB");
        }
    }

    /// <summary>The managed heap as the service itself reports it, to tell state from runtime overhead.</summary>
    private static async Task<string> HeapAsync(HttpClient client)
    {
        var text = await client.GetStringAsync("/metrics");
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith("dotnet_total_memory_bytes ", StringComparison.Ordinal));
        return line is null ? "managed heap unknown" : $"managed heap {double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture) / (1024 * 1024):F1} MB";
    }

    private static async Task<(Server, TimeSpan)> StartAsync(string api, string db)
    {
        var env = Servers.Env(db);
        env["ApManager__Seed"] = "none";
        env["ApManager__Host__MaxAdapterId"] = "255";
        env["ApManager__Host__MaxDomainId"] = "255";
        env["ApManager__Host__UsageDomains"] = "0-255";
        env["ApManager__Host__ControlDomains"] = "0-255";
        for (var i = 0; i < 256; i++)
        {
            env[$"ApManager__Host__Adapters__{i}__Id"] = i.ToString(CultureInfo.InvariantCulture);
            env[$"ApManager__Host__Adapters__{i}__Type"] = "CEX8C";
        }
        var server = Servers.ApManager("server", api, env);
        return (server, await server.WaitReadyAsync());
    }
}
