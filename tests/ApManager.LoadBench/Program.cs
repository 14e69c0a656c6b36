using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Data.Sqlite;

// Load benchmarks that need a real server and a real disk (not BenchmarkDotNet territory):
//   durability --api <ApManager.Api.dll> [--dir <folder on the disk to measure>] [--seconds N]
// Measures, in one run on the same disk: raw SQLite single-row commits/s (WAL + synchronous=FULL)
// and accepted durable mask changes/s through HTTP with 1 and with 32 clients.
//   compare --api <ApManager.Api.dll> [--seconds N] [--connections 32]
// Runs ApManager (in-memory and durable) and a bare Kestrel app side by side and prints
// requests/s, p99 and the ratio for each scenario.
//   bare --port N   (the bare app itself; started by compare)
var options = Options.Parse(args);
return options.Mode switch
{
    "durability" => await Durability.RunAsync(options),
    "compare" => await Compare.RunAsync(options),
    "bare" => await Bare.RunAsync(options.Port),
    "scale" => await Scale.RunAsync(options),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: ApManager.LoadBench durability --api <ApManager.Api.dll> [--dir <folder>] [--seconds <n>]");
    Console.Error.WriteLine("       ApManager.LoadBench compare --api <ApManager.Api.dll> [--seconds <n per round>] [--connections <n>]");
    Console.Error.WriteLine("       ApManager.LoadBench scale --api <ApManager.Api.dll>");
    return 2;
}

internal sealed record Options(string Mode, string? Api, string Dir, int Seconds, int Port, int Connections, bool Scale)
{
    public static Options Parse(string[] args)
    {
        string? api = null;
        var dir = Path.Combine(Path.GetTempPath(), "apmanager-bench");
        var seconds = 10;
        var port = 0;
        var connections = 32;
        var scale = false;
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--api": api = args[++i]; break;
                case "--dir": dir = args[++i]; break;
                case "--seconds": seconds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--port": port = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--connections": connections = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--scale": scale = true; break;
            }
        }
        return new Options(args.Length > 0 ? args[0] : string.Empty, api, dir, seconds, port, connections, scale);
    }
}

internal static class Durability
{
    private const string BenchKey = "bench-admin-key";

    public static async Task<int> RunAsync(Options options)
    {
        if (options.Api is null || !File.Exists(options.Api))
        {
            Console.Error.WriteLine("--api must name the built ApManager.Api.dll");
            return 2;
        }
        var run = Path.Combine(options.Dir, DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture));
        Directory.CreateDirectory(run);
        Console.WriteLine($"disk under test: {run}");
        var raw = RawSqliteCommitsPerSecond(Path.Combine(run, "raw.db"), TimeSpan.FromSeconds(options.Seconds));
        Console.WriteLine($"raw SQLite single-row commits/s (WAL, synchronous=FULL): {raw:F0}");

        var port = FreePort();
        using var server = StartServer(options.Api, port, Path.Combine(run, "apmanager.db"));
        try
        {
            var baseUri = new Uri($"http://127.0.0.1:{port}");
            await WaitReadyAsync(baseUri);
            var one = await MaskChangesPerSecondAsync(baseUri, 1, TimeSpan.FromSeconds(options.Seconds));
            var many = await MaskChangesPerSecondAsync(baseUri, 32, TimeSpan.FromSeconds(options.Seconds));
            Console.WriteLine($"HTTP accepted durable mask changes/s, 1 client:   {one.Rate:F0} (p99 {one.P99:F2} ms, {one.Errors} errors) = {one.Rate / raw:F2}x raw (target >= 0.8x)");
            Console.WriteLine($"HTTP accepted durable mask changes/s, 32 clients: {many.Rate:F0} (p99 {many.P99:F2} ms, {many.Errors} errors) = {many.Rate / raw:F2}x raw (target >= 2x)");
            Console.WriteLine();
            Console.WriteLine("| measurement | per second | ratio to raw |");
            Console.WriteLine("|---|---|---|");
            Console.WriteLine($"| raw SQLite single-row commit (WAL, FULL) | {raw:F0} | 1.00 |");
            Console.WriteLine($"| PUT /api/bus/apmask accepted, 1 client | {one.Rate:F0} | {one.Rate / raw:F2} |");
            Console.WriteLine($"| PUT /api/bus/apmask accepted, 32 clients | {many.Rate:F0} | {many.Rate / raw:F2} |");
            return 0;
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            try
            {
                Directory.Delete(run, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static double RawSqliteCommitsPerSecond(string path, TimeSpan duration)
    {
        using var c = new SqliteConnection($"Data Source={path};Pooling=False");
        c.Open();
        Exec(c, "PRAGMA journal_mode=WAL;");
        Exec(c, "PRAGMA synchronous=FULL;");
        Exec(c, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL);");
        using var insert = c.CreateCommand();
        insert.CommandText = "INSERT INTO t (v) VALUES ($v);";
        var v = insert.Parameters.Add("$v", SqliteType.Text);
        var sw = Stopwatch.StartNew();
        var n = 0;
        while (sw.Elapsed < duration)
        {
            using var tx = c.BeginTransaction();
            insert.Transaction = tx;
            v.Value = "0xf9ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
            insert.ExecuteNonQuery();
            tx.Commit();
            n++;
        }
        return n / sw.Elapsed.TotalSeconds;
    }

    private static void Exec(SqliteConnection c, string sql)
    {
        using var command = c.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static Process StartServer(string api, int port, string db)
    {
        var info = new ProcessStartInfo("dotnet", [api, "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["ApManager__Storage__Path"] = db;
        info.Environment["ApManager__RateLimit__MutationsPerSecond"] = "0";
        info.Environment["ApManager__Auth__ApiKeys__0__Name"] = "bench";
        info.Environment["ApManager__Auth__ApiKeys__0__Role"] = "admin";
        info.Environment["ApManager__Auth__ApiKeys__0__Hash"] = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(BenchKey)));
        info.Environment["Serilog__MinimumLevel__Default"] = "Warning";
        info.Environment["Serilog__MinimumLevel__Override__Serilog.AspNetCore.RequestLoggingMiddleware"] = "Warning";
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"[server] {e.Data}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitReadyAsync(Uri baseUri)
    {
        using var client = new HttpClient { BaseAddress = baseUri };
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(30))
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
        throw new TimeoutException("the server did not become ready");
    }

    /// <summary>Each client owns one apmask bit (100 + client) and flips it, so every write is an accepted change.</summary>
    private static async Task<(double Rate, double P99, int Errors)> MaskChangesPerSecondAsync(Uri baseUri, int clients, TimeSpan duration)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = clients, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var client = new HttpClient(handler) { BaseAddress = baseUri };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", BenchKey);
        var latencies = new List<double>[clients];
        var errors = 0;
        var stop = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, clients).Select(async c =>
        {
            var mine = latencies[c] = [];
            var bit = 100 + c;
            var set = true;
            while (stop.Elapsed < duration)
            {
                var body = new StringContent($"{{\"mask\":\"{(set ? '+' : '-')}{bit}\"}}", Encoding.UTF8, "application/json");
                var t = Stopwatch.GetTimestamp();
                using var response = await client.PutAsync("/api/bus/apmask", body);
                mine.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref errors);
                }
                set = !set;
            }
        }).ToArray();
        await Task.WhenAll(tasks);
        var all = latencies.SelectMany(l => l).Order().ToArray();
        var ok = all.Length - errors;
        return (ok / stop.Elapsed.TotalSeconds, all.Length == 0 ? 0 : all[(int)(all.Length * 0.99)], errors);
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
