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
    "bare" => await Bare.RunAsync(options.Port, options.Commit),
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

internal sealed record Options(string Mode, string? Api, string Dir, int Seconds, int Port, int Connections, bool Scale, string? Commit)
{
    public static Options Parse(string[] args)
    {
        string? api = null;
        var dir = Path.Combine(Path.GetTempPath(), "apmanager-bench");
        var seconds = 10;
        var port = 0;
        var connections = 32;
        var scale = false;
        string? commit = null;
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
                case "--commit-db": commit = args[++i]; break;
            }
        }
        return new Options(args.Length > 0 ? args[0] : string.Empty, api, dir, seconds, port, connections, scale, commit);
    }
}

internal static class Durability
{
    private const int Rounds = 3;

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
        var self = typeof(Durability).Assembly.Location;
        var servers = new List<(string Name, Process Process, Uri Uri)>();
        try
        {
            servers.Add(Compare.Start("apmanager", "dotnet", [options.Api], Compare.Env("sqlite", Path.Combine(run, "apmanager.db"))));
            servers.Add(Compare.Start("bare-commit", "dotnet", [self, "bare", "--commit-db", Path.Combine(run, "bare.db")], []));
            foreach (var server in servers)
            {
                await Compare.WaitReadyAsync(server.Uri);
            }
            var (apmanager, bare) = (servers[0].Uri, servers[1].Uri);
            // Each client owns one apmask bit (100 + client) and flips it, so every write is an accepted change.
            var cleared = new bool[32];
            HttpRequestMessage Flip(int client, long _)
            {
                cleared[client] = !cleared[client];
                return Compare.Put("/api/bus/apmask", $"{{\"mask\":\"{(cleared[client] ? '-' : '+')}{100 + client}\"}}");
            }
            HttpRequestMessage Commit(int client, long i) => Compare.Put("/commit", $"{{\"mask\":\"{(i % 2 == 0 ? '-' : '+')}{100 + client}\"}}");
            Task<(double Rps, double P99, int Bad)> Load(Uri uri, int clients, int seconds, Func<int, long, HttpRequestMessage> make) =>
                Compare.LoadAsync(uri, clients, TimeSpan.FromSeconds(seconds), make, HttpStatusCode.OK);

            // Warm-up (not counted): the JIT's first tiers and the thread pool's ramp-up would
            // otherwise be measured as the service's cost.
            await Load(apmanager, 1, 2, Flip);
            await Load(apmanager, 32, 2, Flip);
            await Load(bare, 1, 1, Commit);
            RawSqliteCommitsPerSecond(Path.Combine(run, "raw.db"), TimeSpan.FromSeconds(1));

            // The disk's fsync latency drifts (shared virtual disks more than most): raw and HTTP
            // run in alternating rounds so every ratio compares neighbours in time.
            var rounds = new List<(double Raw, double Ceiling, double One, double Many)>();
            var errors = 0;
            for (var round = 1; round <= Rounds; round++)
            {
                var raw = RawSqliteCommitsPerSecond(Path.Combine(run, "raw.db"), TimeSpan.FromSeconds(options.Seconds));
                var ceiling = await Load(bare, 1, options.Seconds, Commit);
                var one = await Load(apmanager, 1, options.Seconds, Flip);
                var many = await Load(apmanager, 32, options.Seconds, Flip);
                errors += ceiling.Bad + one.Bad + many.Bad;
                rounds.Add((raw, ceiling.Rps, one.Rps, many.Rps));
                Console.WriteLine($"round {round}: raw {raw:F0}/s; bare Kestrel + raw commit, 1 client {ceiling.Rps:F0}/s = {ceiling.Rps / raw:F2}x; " +
                    $"ApManager 1 client {one.Rps:F0}/s (p99 {one.P99:F2} ms) = {one.Rps / raw:F2}x; 32 clients {many.Rps:F0}/s (p99 {many.P99:F2} ms) = {many.Rps / raw:F2}x");
            }
            Console.WriteLine();
            Console.WriteLine($"median of {Rounds} rounds of {options.Seconds} s, {errors} unexpected statuses; targets: 1 client >= 0.8x raw, 32 clients >= 2x raw");
            Console.WriteLine("| measurement | per second | ratio to raw |");
            Console.WriteLine("|---|---|---|");
            Console.WriteLine($"| raw SQLite single-row commit (WAL, FULL), no HTTP | {Median(rounds.Select(r => r.Raw)):F0} | 1.00 |");
            Console.WriteLine($"| bare Kestrel PUT doing only that commit, 1 client (the ceiling) | {Median(rounds.Select(r => r.Ceiling)):F0} | {Median(rounds.Select(r => r.Ceiling / r.Raw)):F2} |");
            Console.WriteLine($"| ApManager PUT /api/bus/apmask accepted, 1 client | {Median(rounds.Select(r => r.One)):F0} | {Median(rounds.Select(r => r.One / r.Raw)):F2} |");
            Console.WriteLine($"| ApManager PUT /api/bus/apmask accepted, 32 clients | {Median(rounds.Select(r => r.Many)):F0} | {Median(rounds.Select(r => r.Many / r.Raw)):F2} |");
            return errors == 0 ? 0 : 1;
        }
        finally
        {
            foreach (var (_, process, _) in servers)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
            try
            {
                Directory.Delete(run, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static double RawSqliteCommitsPerSecond(string path, TimeSpan duration)
    {
        using var c = new SqliteConnection($"Data Source={path};Pooling=False");
        c.Open();
        Exec(c, "PRAGMA journal_mode=WAL;");
        Exec(c, "PRAGMA synchronous=FULL;");
        Exec(c, "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT NOT NULL);");
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
}
