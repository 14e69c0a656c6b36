using System.Globalization;

// Load benchmarks that need a real server and a real disk (not BenchmarkDotNet territory). The
// load generator is wrk (a small C program, see Wrk.cs): a load client written in .NET took a
// large share of the 2 cores itself and pulled every ratio towards 1. README.md has the commands.
//   compare    ApManager (in-memory and durable) against the bare Kestrel app, scenario by scenario
//   durability accepted durable changes over HTTP (1 and 32 connections) against raw SQLite commits
//   scale      a 256 x 256 host with 4,096 devices: ready times, RSS, RSS after mixed load
//   bare       the bare app itself (started by compare and durability)
var options = Options.Parse(args);
if (options.Error is not null)
{
    Console.Error.WriteLine(options.Error);
    return Usage();
}
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
    Console.Error.WriteLine("usage: ApManager.LoadBench compare --api <ApManager.Api.dll> [--scenario <name part>[,...]] [common options]");
    Console.Error.WriteLine("       ApManager.LoadBench durability --api <ApManager.Api.dll> [common options]");
    Console.Error.WriteLine("       ApManager.LoadBench scale --api <ApManager.Api.dll> [--mixed-seconds <n>] [common options]");
    Console.Error.WriteLine("common options: --dir <folder for stores and results> --seconds <per round> --rounds <n> --warmup <rounds>");
    Console.Error.WriteLine("                --connections <n> --threads <wrk threads> --json <result file>");
    return 2;
}

internal sealed record Options(
    string Mode,
    string? Api,
    string Dir,
    int Seconds,
    int Rounds,
    int Warmup,
    int Connections,
    int Threads,
    int MixedSeconds,
    IReadOnlyList<string> Scenarios,
    string? Json,
    int Port,
    string? Commit,
    string? Error)
{
    public static Options Parse(string[] args)
    {
        string? api = null;
        var dir = Path.Combine(Path.GetTempPath(), "apmanager-bench");
        int seconds = 4, rounds = 5, warmup = 3, connections = 32, threads = 2, mixedSeconds = 60, port = 0;
        var scenarios = new List<string>();
        string? json = null, commit = null, error = null;
        for (var i = 1; i < args.Length && error is null; i++)
        {
            var name = args[i];
            if (i + 1 >= args.Length)
            {
                error = $"{name}: a value is missing";
                break;
            }
            var value = args[++i];
            int Number(int min)
            {
                if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min)
                {
                    return n;
                }
                error = $"{name} {value}: expected a whole number >= {min}";
                return min;
            }
            switch (name)
            {
                case "--api": api = value; break;
                case "--dir": dir = value; break;
                case "--seconds": seconds = Number(1); break;
                case "--rounds": rounds = Number(1); break;
                case "--warmup": warmup = Number(0); break;
                case "--connections": connections = Number(1); break;
                case "--threads": threads = Number(1); break;
                case "--mixed-seconds": mixedSeconds = Number(1); break;
                case "--scenario": scenarios.AddRange(value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)); break;
                case "--json": json = value; break;
                case "--port": port = Number(0); break;
                case "--commit-db": commit = value; break;
                default: error = $"unknown option {name}"; break;
            }
        }
        return new Options(args.Length > 0 ? args[0] : string.Empty, api, Path.GetFullPath(dir), seconds, rounds, warmup,
            connections, Math.Min(threads, connections), mixedSeconds, scenarios, json, port, commit, error);
    }

    /// <summary>The checks every measuring mode needs before it starts anything; null when all is well.</summary>
    public string? Problem() =>
        Api is null || !File.Exists(Api) ? "--api must name the built ApManager.Api.dll (dotnet build -c Release src/ApManager.Api)"
        : Wrk.Missing();

    /// <summary>Where the result file goes: --json, else a time-stamped file under --dir.</summary>
    public string JsonPath(string stamp) => Json ?? Path.Combine(Dir, $"{Mode}-{stamp}.json");

    /// <summary>A new folder for this run's stores and scripts under --dir, named after the mode and the time.</summary>
    public (string Stamp, string Folder) RunFolder()
    {
        var stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        return (stamp, Directory.CreateDirectory(Path.Combine(Dir, $"{Mode}-{stamp}")).FullName);
    }
}

/// <summary>How a run was made, at the head of every result file.</summary>
internal sealed record RunInfo(string Mode, string Tool, int Cores, int WrkThreads, int Connections, int SecondsPerRound,
    int WarmupRounds, int MeasuredRounds, int MixedSeconds)
{
    public static RunInfo Of(Options o) =>
        new(o.Mode, "wrk", Environment.ProcessorCount, o.Threads, o.Connections, o.Seconds, o.Warmup, o.Rounds, o.MixedSeconds);
}
