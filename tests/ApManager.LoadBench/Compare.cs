using System.Globalization;
using System.Net;
using System.Text;

/// <summary>
/// ApManager against the bare Kestrel app (Bare.cs) on the same machine in the same run, wrk as
/// the load generator. Per scenario both servers are started fresh (ApManager in-memory or
/// durable on a new store, demo seed, rate limit off, one admin key), warmed up, then measured
/// in alternating rounds (A B, B A, ...) so drift hits both alike; the ratio is the median of the
/// per-round ratios of requests/s.
/// </summary>
internal static class Compare
{
    private sealed record Scenario(string Name, string What, bool Durable, IReadOnlyList<WrkRequest> ApManager,
        IReadOnlyList<WrkRequest> Bare, HttpStatusCode Expected, double? Target);

    private sealed record Round(int Number, WrkResult ApManager, WrkResult Bare)
    {
        public double Ratio => ApManager.Rps / Bare.Rps;
    }

    private static IReadOnlyList<Scenario> Scenarios()
    {
        WrkRequest[] bareGet = [WrkRequest.Get("/json")];
        WrkRequest[] barePut = [WrkRequest.Put("/json", """{"mask":"+5"}""")];
        WrkRequest[] accepted = [WrkRequest.Put("/api/bus/apmask", """{"mask":"+3"}"""), WrkRequest.Put("/api/bus/apmask", """{"mask":"-3"}""")];
        var list = new List<Scenario>();
        foreach (var durable in new[] { false, true })
        {
            var mode = durable ? "durable" : "memory";
            list.Add(new($"get-bus-{mode}", "GET /api/bus vs GET /json", durable, [WrkRequest.Get("/api/bus")], bareGet, HttpStatusCode.OK, 0.85));
            list.Add(new($"get-queues-{mode}", "GET /api/queues vs GET /json", durable, [WrkRequest.Get("/api/queues")], bareGet, HttpStatusCode.OK, null));
            list.Add(new($"put-accepted-{mode}", "PUT /api/bus/apmask +3/-3 (accepted) vs PUT /json", durable, accepted, barePut, HttpStatusCode.OK, durable ? null : 0.6));
            list.Add(new($"put-refused-{mode}", "PUT /api/bus/apmask +5,+6 (refused, 409) vs PUT /json", durable,
                [WrkRequest.Put("/api/bus/apmask", """{"mask":"+5,+6"}""")], barePut, HttpStatusCode.Conflict, durable ? null : 0.5));
        }
        return list;
    }

    public static async Task<int> RunAsync(Options options)
    {
        if (options.Problem() is { } problem)
        {
            Console.Error.WriteLine(problem);
            return 2;
        }
        var all = Scenarios();
        var chosen = options.Scenarios.Count == 0 ? all
            : all.Where(s => options.Scenarios.Any(f => s.Name.Contains(f, StringComparison.OrdinalIgnoreCase))).ToList();
        if (chosen.Count == 0)
        {
            Console.Error.WriteLine($"--scenario matched nothing; scenarios: {string.Join(", ", all.Select(s => s.Name))}");
            return 2;
        }
        var (stamp, run) = options.RunFolder();
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores; wrk -t{options.Threads} -c{options.Connections} -d{options.Seconds}s --latency; " +
            $"{options.Warmup} warm-up and {options.Rounds} measured rounds per scenario, alternating ApManager (A) and bare Kestrel (B)");
        var results = new List<(Scenario Scenario, List<Round> Rounds)>();
        var unexpected = 0L;
        try
        {
            foreach (var scenario in chosen)
            {
                Console.WriteLine();
                Console.WriteLine($"== {scenario.Name}: {scenario.What} ({(scenario.Durable ? "durable, fresh store" : "in-memory")})");
                var rounds = await RunScenarioAsync(options, run, scenario);
                if (rounds is null)
                {
                    unexpected++;
                    continue;
                }
                results.Add((scenario, rounds));
                unexpected += rounds.Sum(r => Unexpected(scenario, r));
            }
        }
        finally
        {
            TryDelete(run);
        }

        Console.WriteLine();
        Console.WriteLine($"medians of {options.Rounds} rounds of {options.Seconds} s, {options.Connections} connections; ratio = median of per-round ApManager/bare requests/s");
        Console.WriteLine("| scenario | ApManager req/s | p99 ms | bare req/s | p99 ms | ratio | per-round ratios | target | unexpected statuses |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var (s, rounds) in results)
        {
            var ratios = rounds.Select(r => r.Ratio).ToArray();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {s.Name} | {Servers.Median(rounds.Select(r => r.ApManager.Rps)):F0} | {Servers.Median(rounds.Select(r => r.ApManager.P99Ms)):F2} | " +
                $"{Servers.Median(rounds.Select(r => r.Bare.Rps)):F0} | {Servers.Median(rounds.Select(r => r.Bare.P99Ms)):F2} | " +
                $"{Servers.Median(ratios):F2} | {ratios.Min():F2}–{ratios.Max():F2} | {Target(s, Servers.Median(ratios))} | {rounds.Sum(r => Unexpected(s, r))} |"));
        }
        Servers.WriteJson(options.JsonPath(stamp), new
        {
            run = RunInfo.Of(options),
            scenarios = results.Select(x => new
            {
                name = x.Scenario.Name,
                what = x.Scenario.What,
                expectedStatus = (int)x.Scenario.Expected,
                target = x.Scenario.Target,
                ratio = Servers.Median(x.Rounds.Select(r => r.Ratio)),
                ratioMin = x.Rounds.Min(r => r.Ratio),
                ratioMax = x.Rounds.Max(r => r.Ratio),
                apManagerRps = Servers.Median(x.Rounds.Select(r => r.ApManager.Rps)),
                apManagerP99Ms = Servers.Median(x.Rounds.Select(r => r.ApManager.P99Ms)),
                bareRps = Servers.Median(x.Rounds.Select(r => r.Bare.Rps)),
                bareP99Ms = Servers.Median(x.Rounds.Select(r => r.Bare.P99Ms)),
                unexpectedStatuses = x.Rounds.Sum(r => Unexpected(x.Scenario, r)),
                rounds = x.Rounds,
            }),
        });
        return unexpected == 0 ? 0 : 1;
    }

    /// <summary>The measured rounds of one scenario, or null when a server answered the wrong status.</summary>
    private static async Task<List<Round>?> RunScenarioAsync(Options options, string run, Scenario scenario)
    {
        var store = scenario.Durable ? Path.Combine(run, scenario.Name + ".db") : null;
        await using var a = Servers.ApManager("apmanager", options.Api!, Servers.Env(store));
        await using var b = Servers.Bare("bare");
        await a.WaitReadyAsync();
        await b.WaitReadyAsync();
        if (!await ChecksAsync(a, scenario.ApManager[0], scenario.Expected) || !await ChecksAsync(b, scenario.Bare[0], HttpStatusCode.OK))
        {
            return null;
        }
        var scriptA = Wrk.Script(Path.Combine(run, scenario.Name + "-a.lua"), [scenario.ApManager], Servers.Key);
        var scriptB = Wrk.Script(Path.Combine(run, scenario.Name + "-b.lua"), [scenario.Bare], null);
        Task<WrkResult> A() => Wrk.RunAsync(a.Uri, scriptA, options.Threads, options.Connections, options.Seconds);
        Task<WrkResult> B() => Wrk.RunAsync(b.Uri, scriptB, options.Threads, options.Connections, options.Seconds);

        // Warm-up, not counted: ApManager's hot paths reach their optimized JIT tier only after
        // some thousands of calls; measured unwarmed, the first rounds would time its JIT more
        // than its request path, while the bare app has little code to compile.
        for (var i = 1; i <= options.Warmup; i++)
        {
            var (wa, wb) = (await A(), await B());
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"warm-up {i}: A {wa.Rps:F0} req/s, B {wb.Rps:F0} req/s"));
        }
        var rounds = new List<Round>();
        for (var i = 1; i <= options.Rounds; i++)
        {
            // A B, then B A: neither server always runs right after the other's load.
            WrkResult ra, rb;
            if (i % 2 == 1)
            {
                ra = await A();
                rb = await B();
            }
            else
            {
                rb = await B();
                ra = await A();
            }
            var round = new Round(i, ra, rb);
            rounds.Add(round);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {i}: A {ra} | B {rb} | ratio {round.Ratio:F2}"));
        }
        var ratios = rounds.Select(r => r.Ratio).ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"medians: A {Servers.Median(rounds.Select(r => r.ApManager.Rps)):F0} req/s (p99 {Servers.Median(rounds.Select(r => r.ApManager.P99Ms)):F2} ms), " +
            $"B {Servers.Median(rounds.Select(r => r.Bare.Rps)):F0} req/s (p99 {Servers.Median(rounds.Select(r => r.Bare.P99Ms)):F2} ms); " +
            $"per-round ratios {string.Join(" ", ratios.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))} (spread {ratios.Min():F2}–{ratios.Max():F2})"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio {Servers.Median(ratios):F2} (target {Target(scenario, Servers.Median(ratios))})"));
        Console.WriteLine($"ApManager RSS after the scenario: {a.RssMb} MB");
        return rounds;
    }

    /// <summary>
    /// One request with a .NET client before any load: wrk counts statuses above 399 but cannot
    /// tell a 409 from a 401, so the status each scenario expects is confirmed here once.
    /// </summary>
    private static async Task<bool> ChecksAsync(Server server, WrkRequest request, HttpStatusCode expected)
    {
        using var client = Servers.Client(server.Uri);
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Path);
        if (request.Body is not null)
        {
            message.Content = new StringContent(request.Body, Encoding.UTF8, "application/json");
        }
        using var response = await client.SendAsync(message);
        if (response.StatusCode == expected)
        {
            return true;
        }
        Console.Error.WriteLine($"{server.Name}: {request} answered {(int)response.StatusCode}, expected {(int)expected}; scenario skipped:\n{await response.Content.ReadAsStringAsync()}");
        return false;
    }

    /// <summary>Answers counted against expectation: a refusal scenario expects every ApManager answer above 399.</summary>
    private static long Unexpected(Scenario scenario, Round round) =>
        (scenario.Expected == HttpStatusCode.OK ? round.ApManager.Non2xx : round.ApManager.Requests - round.ApManager.Non2xx) + round.Bare.Non2xx;

    private static string Target(Scenario scenario, double ratio) =>
        scenario.Target is not { } t ? "–" : string.Create(CultureInfo.InvariantCulture, $">= {t:F2} {(ratio >= t ? "met" : "not met")}");

    internal static void TryDelete(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
