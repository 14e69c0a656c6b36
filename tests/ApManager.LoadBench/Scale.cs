using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

/// <summary>
/// Issue 7's scale check: a host of 256 adapters x 256 domains with 4,096 matrix devices.
/// Measures the import, the memory the state takes (RSS), startup to ready on the durable file,
/// and paged reads at that size.
/// </summary>
internal static class Scale
{
    private const string Key = "bench-admin-key";

    public static async Task<int> RunAsync(Options options)
    {
        if (options.Api is null || !File.Exists(options.Api))
        {
            Console.Error.WriteLine("--api must name the built ApManager.Api.dll");
            return 2;
        }
        var dir = Path.Combine(options.Dir, "scale-" + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture));
        Directory.CreateDirectory(dir);
        var db = Path.Combine(dir, "apmanager.db");
        try
        {
            var (process, uri, ready) = await StartAsync(options.Api, db);
            Console.WriteLine($"first start (empty store, seed none): ready in {ready.TotalMilliseconds:F0} ms, RSS {Rss(process)} MB");
            using var client = Client(uri);

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
            Console.WriteLine($"after import: RSS {Rss(process)} MB");
            await ReadsAsync(client);
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();

            var (restarted, uri2, ready2) = await StartAsync(options.Api, db);
            using var client2 = Client(uri2);
            var count = JsonNode.Parse(await client2.GetStringAsync("/api/mdevs?limit=10000"))!.AsArray().Count;
            Console.WriteLine($"restart on the 4,096-device store: ready in {ready2.TotalMilliseconds:F0} ms (target <= 1500), {count} devices, RSS {Rss(restarted)} MB (target <= 100), {await HeapAsync(client2)}");
            await ReadsAsync(client2);
            Console.WriteLine($"after reads: RSS {Rss(restarted)} MB, {await HeapAsync(client2)}");
            restarted.Kill(entireProcessTree: true);
            await restarted.WaitForExitAsync();
            return 0;
        }
        finally
        {
            try
            {
                if (Environment.GetEnvironmentVariable("APMANAGER_SCALE_KEEP") == "1")
                {
                    Console.WriteLine($"store kept (APMANAGER_SCALE_KEEP=1): {db}");
                }
                else
                {
                    Directory.Delete(dir, recursive: true);
                }
            }
            catch (IOException)
            {
            }
        }
    }

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

    private static HttpClient Client(Uri uri)
    {
        var client = new HttpClient { BaseAddress = uri, Timeout = TimeSpan.FromMinutes(5) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        return client;
    }

    private static long Rss(Process p)
    {
        p.Refresh();
        return p.WorkingSet64 / (1024 * 1024);
    }

    private static async Task<(Process, Uri, TimeSpan)> StartAsync(string api, string db)
    {
        using var l = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        var info = new ProcessStartInfo("dotnet", [api, "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var env = info.Environment;
        env["ApManager__Storage__Path"] = db;
        env["ApManager__Seed"] = "none";
        env["ApManager__RateLimit__MutationsPerSecond"] = "0";
        env["ApManager__Host__MaxAdapterId"] = "255";
        env["ApManager__Host__MaxDomainId"] = "255";
        env["ApManager__Host__UsageDomains"] = "0-255";
        env["ApManager__Host__ControlDomains"] = "0-255";
        for (var i = 0; i < 256; i++)
        {
            env[$"ApManager__Host__Adapters__{i}__Id"] = i.ToString(CultureInfo.InvariantCulture);
            env[$"ApManager__Host__Adapters__{i}__Type"] = "CEX8C";
        }
        env["ApManager__Auth__ApiKeys__0__Name"] = "bench";
        env["ApManager__Auth__ApiKeys__0__Role"] = "admin";
        env["ApManager__Auth__ApiKeys__0__Hash"] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Key)));
        env["Serilog__MinimumLevel__Default"] = "Warning";
        var sw = Stopwatch.StartNew();
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"[server] {e.Data}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var uri = new Uri($"http://127.0.0.1:{port}");
        using var probe = new HttpClient { BaseAddress = uri };
        while (sw.Elapsed < TimeSpan.FromSeconds(120))
        {
            try
            {
                if ((await probe.GetAsync("/health/ready")).IsSuccessStatusCode)
                {
                    return (process, uri, sw.Elapsed);
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(20);
        }
        throw new TimeoutException("not ready");
    }
}
