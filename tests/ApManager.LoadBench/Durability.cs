using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;

/// <summary>
/// Issue 5's durability figures in one run on one disk: accepted durable mask changes over HTTP
/// (wrk, 1 connection and --connections) against the bare app's PUT doing one raw SQLite commit
/// (wrk, 1 connection) and against raw single-row commits without HTTP. The raw loop stays in
/// .NET: it is not HTTP, there is nothing for wrk to drive.
/// </summary>
internal static class Durability
{
    /// <summary>The first apmask bit the benchmark flips; the demo host's adapters end at 63.</summary>
    private const int FirstBit = 100;

    private sealed record Round(int Number, double Raw, WrkResult Bare, WrkResult One, WrkResult Many)
    {
        public double OneToBare => One.Rps / Bare.Rps;

        public double ManyToRaw => Many.Rps / Raw;
    }

    public static async Task<int> RunAsync(Options options)
    {
        if (options.Problem() is { } problem)
        {
            Console.Error.WriteLine(problem);
            return 2;
        }
        var (stamp, run) = options.RunFolder();
        Console.WriteLine($"disk under test: {run}");
        var rounds = new List<Round>();
        try
        {
            await using var apmanager = Servers.ApManager("apmanager", options.Api!, Servers.Env(Path.Combine(run, "apmanager.db")));
            await using var bare = Servers.Bare("bare-commit", "--commit-db", Path.Combine(run, "bare.db"));
            await apmanager.WaitReadyAsync();
            await bare.WaitReadyAsync();

            // Every write is an accepted change that must be committed: one connection clears and
            // sets one bit (the demo sets every bit from 3 up); with many connections each wrk
            // thread clears then sets its own run of bits, so a bit's two writes are further apart
            // than the requests one thread has in flight.
            var perThread = Math.Min(32, (256 - FirstBit) / options.Threads);
            var one = Wrk.Script(Path.Combine(run, "one.lua"), [Flips(FirstBit, 1)], Servers.Key);
            var many = Wrk.Script(Path.Combine(run, "many.lua"),
                [.. Enumerable.Range(0, options.Threads).Select(t => Flips(FirstBit + (t * perThread), perThread))], Servers.Key);
            var commit = Wrk.Script(Path.Combine(run, "commit.lua"),
                [[WrkRequest.Put("/commit", """{"mask":"-100"}"""), WrkRequest.Put("/commit", """{"mask":"+100"}""")]], null);
            Task<WrkResult> One() => Wrk.RunAsync(apmanager.Uri, one, 1, 1, options.Seconds);
            Task<WrkResult> Many() => Wrk.RunAsync(apmanager.Uri, many, options.Threads, options.Connections, options.Seconds);
            Task<WrkResult> Bare() => Wrk.RunAsync(bare.Uri, commit, 1, 1, options.Seconds);
            var rawDb = Path.Combine(run, "raw.db");
            Console.WriteLine($"wrk -d{options.Seconds}s --latency: 1 connection (-t1 -c1) and -t{options.Threads} -c{options.Connections}; " +
                $"{options.Warmup} warm-up and {options.Rounds} measured rounds");

            // Warm-up (not counted): the JIT's first tiers and the thread pool's ramp-up would
            // otherwise be measured as the service's cost.
            for (var i = 1; i <= options.Warmup; i++)
            {
                var (w1, wn, wb) = (await One(), await Many(), await Bare());
                RawCommitsPerSecond(rawDb, TimeSpan.FromSeconds(1));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"warm-up {i}: ApManager 1 conn {w1.Rps:F0}/s, {options.Connections} conn {wn.Rps:F0}/s; bare commit {wb.Rps:F0}/s"));
            }

            // The disk's fsync latency drifts (shared virtual disks more than most): every round
            // measures all four side by side, and each ratio compares neighbours in time.
            for (var i = 1; i <= options.Rounds; i++)
            {
                var raw = RawCommitsPerSecond(rawDb, TimeSpan.FromSeconds(options.Seconds));
                var round = new Round(i, raw, await Bare(), await One(), await Many());
                rounds.Add(round);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"round {i}: raw {raw:F0}/s | bare commit PUT 1 conn {round.Bare} | ApManager 1 conn {round.One} = {round.OneToBare:F2}x bare | " +
                    $"{options.Connections} conn {round.Many} = {round.ManyToRaw:F2}x raw"));
            }
        }
        finally
        {
            Compare.TryDelete(run);
        }

        var unexpected = rounds.Sum(r => r.Bare.Non2xx + r.One.Non2xx + r.Many.Non2xx);
        var socket = rounds.Sum(r => r.Bare.SocketErrors + r.One.SocketErrors + r.Many.SocketErrors);
        var (oneToBare, manyToRaw) = (Servers.Median(rounds.Select(r => r.OneToBare)), Servers.Median(rounds.Select(r => r.ManyToRaw)));
        string M(Func<Round, double> f) => Servers.Median(rounds.Select(f)).ToString("F0", CultureInfo.InvariantCulture);
        string P99(Func<Round, WrkResult> f) => Servers.Median(rounds.Select(r => f(r).P99Ms)).ToString("F2", CultureInfo.InvariantCulture);
        Console.WriteLine();
        Console.WriteLine($"medians of {options.Rounds} rounds of {options.Seconds} s; {unexpected} non-2xx answers, {socket} socket errors");
        Console.WriteLine("| measurement | per second | p99 ms | ratio | target |");
        Console.WriteLine("|---|---|---|---|---|");
        Console.WriteLine($"| raw SQLite single-row commit (WAL, FULL), no HTTP | {M(r => r.Raw)} | – | 1.00 to raw | |");
        Console.WriteLine($"| bare Kestrel PUT doing only that commit, 1 connection | {M(r => r.Bare.Rps)} | {P99(r => r.Bare)} | {Servers.Median(rounds.Select(r => r.Bare.Rps / r.Raw)):F2} to raw | |");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| ApManager PUT /api/bus/apmask accepted, 1 connection | {M(r => r.One.Rps)} | {P99(r => r.One)} | {oneToBare:F2} to bare commit PUT | >= 0.90 {(oneToBare >= 0.9 ? "met" : "not met")} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| ApManager PUT /api/bus/apmask accepted, {options.Connections} connections | {M(r => r.Many.Rps)} | {P99(r => r.Many)} | {manyToRaw:F2} to raw | >= 2.00 {(manyToRaw >= 2 ? "met" : "not met")} |"));
        Servers.WriteJson(options.JsonPath(stamp), new
        {
            run = RunInfo.Of(options),
            oneConnectionToBareCommit = oneToBare,
            oneConnectionTarget = 0.9,
            manyConnectionsToRaw = manyToRaw,
            manyConnectionsTarget = 2.0,
            unexpectedStatuses = unexpected,
            socketErrors = socket,
            rounds,
        });
        return unexpected == 0 ? 0 : 1;
    }

    /// <summary>Clears then sets each of <paramref name="count"/> bits from <paramref name="first"/>.</summary>
    private static WrkRequest[] Flips(int first, int count) =>
    [
        .. Enumerable.Range(first, count).Select(b => WrkRequest.Put("/api/bus/apmask", $$"""{"mask":"-{{b}}"}""")),
        .. Enumerable.Range(first, count).Select(b => WrkRequest.Put("/api/bus/apmask", $$"""{"mask":"+{{b}}"}""")),
    ];

    private static double RawCommitsPerSecond(string path, TimeSpan duration)
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
