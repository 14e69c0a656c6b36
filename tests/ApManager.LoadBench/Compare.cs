using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

/// <summary>
/// ApManager against a bare Kestrel app on the same machine with the same load client, rounds
/// alternating between the servers so drift hits both alike.
/// </summary>
internal static class Compare
{
    private const string Key = "bench-admin-key";
    private const int WarmUpSeconds = 3;

    private sealed record Scenario(string Name, Func<int, long, HttpRequestMessage> ApManager, Func<int, long, HttpRequestMessage> Bare, HttpStatusCode Expected);

    public static async Task<int> RunAsync(Options options)
    {
        if (options.Api is null || !File.Exists(options.Api))
        {
            Console.Error.WriteLine("--api must name the built ApManager.Api.dll");
            return 2;
        }
        var dir = Path.Combine(options.Dir, "compare-" + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture));
        Directory.CreateDirectory(dir);
        var self = typeof(Compare).Assembly.Location;
        var servers = new List<(string Name, Process Process, Uri Uri)>();
        try
        {
            servers.Add(Start("bare", "dotnet", [self, "bare"], new Dictionary<string, string>()));
            servers.Add(Start("apmanager-memory", "dotnet", [options.Api], Env("memory", null)));
            servers.Add(Start("apmanager-durable", "dotnet", [options.Api], Env("sqlite", Path.Combine(dir, "apmanager.db"))));
            foreach (var s in servers)
            {
                await WaitReadyAsync(s.Uri);
            }
            var scenarios = new List<Scenario>
            {
                new("GET /api/bus", (_, _) => Get("/api/bus"), (_, _) => Get("/bus"), HttpStatusCode.OK),
                new("GET /api/queues", (_, _) => Get("/api/queues"), (_, _) => Get("/queues"), HttpStatusCode.OK),
                new("PUT apmask accepted (+3/-3)", (c, i) => Put("/api/bus/apmask", $"{{\"mask\":\"{(i % 2 == 0 ? '-' : '+')}3\"}}"), (c, i) => Put("/echo", $"{{\"mask\":\"{(i % 2 == 0 ? '-' : '+')}3\"}}"), HttpStatusCode.OK),
                new("PUT apmask refused 409 (+5,+6)", (_, _) => Put("/api/bus/apmask", "{\"mask\":\"+5,+6\"}"), (_, _) => Put("/echo", "{\"mask\":\"+5,+6\"}"), HttpStatusCode.Conflict),
                new("PUT/DELETE mdev domain (assign)", (c, i) => Assign(i), (c, i) => Put("/echo", "{}"), HttpStatusCode.OK),
            };
            // Warm-up, not measured: every scenario on every server until the JIT has moved the hot
            // paths to their optimized tier. Unwarmed, the first rounds measured ApManager's JIT
            // (a CPU profile showed the tiered-compilation thread at a third of the process) more
            // than its request path, while the bare app has little code to compile.
            foreach (var scenario in scenarios)
            {
                foreach (var (name, _, uri) in servers)
                {
                    var isBare = name == "bare";
                    await LoadAsync(uri, options.Connections, TimeSpan.FromSeconds(WarmUpSeconds), isBare ? scenario.Bare : scenario.ApManager, HttpStatusCode.OK);
                }
            }
            Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {options.Connections} connections, {WarmUpSeconds} s warm-up then {options.Seconds} s per round, 2 rounds per server and scenario");
            var results = new List<string>();
            foreach (var scenario in scenarios)
            {
                var figures = new Dictionary<string, List<(double Rps, double P99, int Bad)>>();
                for (var round = 0; round < 2; round++)
                {
                    foreach (var (name, _, uri) in servers)
                    {
                        var isBare = name == "bare";
                        var r = await LoadAsync(uri, options.Connections, TimeSpan.FromSeconds(options.Seconds), isBare ? scenario.Bare : scenario.ApManager, isBare ? HttpStatusCode.OK : scenario.Expected);
                        (figures.TryGetValue(name, out var list) ? list : figures[name] = []).Add(r);
                    }
                }
                var bare = figures["bare"].Average(f => f.Rps);
                foreach (var (name, list) in figures)
                {
                    var rps = list.Average(f => f.Rps);
                    var line = $"| {scenario.Name} | {name} | {rps:F0} | {list.Max(f => f.P99):F2} | {rps / bare:F2} | {list.Sum(f => f.Bad)} |";
                    results.Add(line);
                    Console.WriteLine(line);
                }
            }
            Console.WriteLine();
            Console.WriteLine("| scenario | server | requests/s | p99 ms | ratio to bare | unexpected statuses |");
            Console.WriteLine("|---|---|---|---|---|---|");
            results.ForEach(Console.WriteLine);
            foreach (var (name, process, _) in servers.Where(s => s.Name != "bare"))
            {
                process.Refresh();
                Console.WriteLine($"{name}: working set {process.WorkingSet64 / (1024 * 1024)} MB after the run");
            }
            return 0;
        }
        finally
        {
            foreach (var (_, process, _) in servers)
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync();
                }
                catch (InvalidOperationException)
                {
                }
            }
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static HttpRequestMessage Get(string path) => new(HttpMethod.Get, path);

    internal static HttpRequestMessage Put(string path, string json) => new(HttpMethod.Put, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    private static HttpRequestMessage Assign(long i) =>
        new(i % 2 == 0 ? HttpMethod.Put : HttpMethod.Delete, "/api/mdevs/5d2e8a41-93c7-4f0b-8b6e-2c4f1a7d9e30/domains/5");

    internal static Dictionary<string, string> Env(string mode, string? path)
    {
        var env = new Dictionary<string, string>
        {
            ["ApManager__Storage__Mode"] = mode,
            ["ApManager__RateLimit__MutationsPerSecond"] = "0",
            ["ApManager__Auth__ApiKeys__0__Name"] = "bench",
            ["ApManager__Auth__ApiKeys__0__Role"] = "admin",
            ["ApManager__Auth__ApiKeys__0__Hash"] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Key))),
            ["Serilog__MinimumLevel__Default"] = "Warning",
        };
        if (path is not null)
        {
            env["ApManager__Storage__Path"] = path;
        }
        return env;
    }

    internal static (string Name, Process Process, Uri Uri) Start(string name, string file, string[] args, Dictionary<string, string> env)
    {
        var port = FreePort();
        var info = new ProcessStartInfo(file, [.. args, "--urls", $"http://127.0.0.1:{port}", "--port", port.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (k, v) in env)
        {
            info.Environment[k] = v;
        }
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"[{name}] {e.Data}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (name, process, new Uri($"http://127.0.0.1:{port}"));
    }

    internal static async Task WaitReadyAsync(Uri uri)
    {
        using var client = new HttpClient { BaseAddress = uri };
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                if ((await client.GetAsync("/health/ready")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"{uri} did not become ready");
    }

    public static async Task<(double Rps, double P99, int Bad)> LoadAsync(Uri uri, int connections, TimeSpan duration, Func<int, long, HttpRequestMessage> make, HttpStatusCode expected)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan, UseCookies = false };
        using var client = new HttpClient(handler) { BaseAddress = uri };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Key);
        // Warm up connections and JIT.
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async c => { using var r = await client.SendAsync(make(c, 0)); }));
        var latencies = new List<double>[connections];
        var bad = 0;
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async c =>
        {
            var mine = latencies[c] = new List<double>(4096);
            for (long i = 1; sw.Elapsed < duration; i++)
            {
                var t = Stopwatch.GetTimestamp();
                using var response = await client.SendAsync(make(c, i));
                await response.Content.LoadIntoBufferAsync();
                mine.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                if (response.StatusCode != expected)
                {
                    Interlocked.Increment(ref bad);
                }
            }
        }));
        var elapsed = sw.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return (all.Length / elapsed, all.Length == 0 ? 0 : all[Math.Min(all.Length - 1, (int)(all.Length * 0.99))], bad);
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}

/// <summary>
/// The baseline: Kestrel with no middleware, answering JSON objects of the same size as ApManager's.
/// </summary>
internal static class Bare
{
    public static async Task<int> RunAsync(int port, string? commitDatabase)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var bus = Encoding.UTF8.GetBytes("{\"apmask\":\"0xf9ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\",\"aqmask\":\"0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\",\"maxAdapterId\":63,\"maxDomainId\":84,\"version\":1}");
        var queues = Encoding.UTF8.GetBytes("[" + string.Join(",", Enumerable.Range(0, 25).Select(i =>
            $"{{\"apqn\":\"0{3 + (i / 5)}.00{i % 5:x2}\",\"adapter\":{3 + (i / 5)},\"domain\":{i % 5},\"driver\":\"cex4queue\",\"mdev\":null,\"guest\":null,\"online\":true,\"version\":1}}")) + "]");
        app.MapGet("/health/ready", () => "ok");
        app.MapGet("/bus", (HttpContext c) => Write(c, bus));
        app.MapGet("/queues", (HttpContext c) => Write(c, queues));
        app.MapPut("/echo", async (HttpContext c) =>
        {
            using var reader = new StreamReader(c.Request.Body);
            var body = await reader.ReadToEndAsync();
            await Write(c, Encoding.UTF8.GetBytes($"{{\"apmask\":\"0xf9ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\",\"aqmask\":\"0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\",\"version\":2,\"rebound\":[],\"dryRun\":false,\"echo\":{body.Length}}}"));
        });
        if (commitDatabase is not null)
        {
            // The durability ceiling: a bare endpoint whose only work is the raw single-row commit
            // (WAL, synchronous=FULL) the durability benchmark measures without HTTP.
            var connection = new SqliteConnection($"Data Source={commitDatabase};Pooling=False");
            connection.Open();
            foreach (var sql in new[] { "PRAGMA journal_mode=WAL;", "PRAGMA synchronous=FULL;", "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT NOT NULL);" })
            {
                using var command = connection.CreateCommand();
                command.CommandText = sql;
                command.ExecuteNonQuery();
            }
            var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO t (v) VALUES ($v);";
            var value = insert.Parameters.Add("$v", SqliteType.Text);
            var gate = new Lock();
            app.MapPut("/commit", async (HttpContext c) =>
            {
                using var reader = new StreamReader(c.Request.Body);
                var body = await reader.ReadToEndAsync();
                lock (gate)
                {
                    using var tx = connection.BeginTransaction();
                    insert.Transaction = tx;
                    value.Value = body;
                    insert.ExecuteNonQuery();
                    tx.Commit();
                }
                await Write(c, Encoding.UTF8.GetBytes($"{{\"committed\":{body.Length}}}"));
            });
        }
        await app.RunAsync();
        return 0;
    }

    private static Task Write(HttpContext context, byte[] body)
    {
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body).AsTask();
    }
}
