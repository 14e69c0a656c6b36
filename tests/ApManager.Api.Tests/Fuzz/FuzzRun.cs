using System.Diagnostics;
using ApManager.Core.State;
using Microsoft.Extensions.DependencyInjection;

namespace ApManager.Api.Tests.Fuzz;

/// <summary>
/// One fuzz run against a fresh in-memory host: sends the generated requests one by one, hands
/// each answer to the oracles, then checks the end state, the audit trail and route coverage.
/// </summary>
public sealed class FuzzRun
{
    /// <summary>Past this many failures the run stops: the report already says enough.</summary>
    private const int FailureLimit = 2000;

    private readonly HttpClient _client;

    private FuzzRun(ApManagerApplication app, int seed)
    {
        Seed = seed;
        System = app.Services.GetRequiredService<ApSystem>();
        _client = app.CreateClient(null);
        System.Journal.Durable += Audit.OnDurable;
        Routes = FuzzRoute.All(app);
        State = new StateOracle(System, Failures);
        Problems = new ProblemOracle(Failures);
        Masks = new MaskOracle(Failures);
        Access = new AccessOracle(Routes, Failures);
    }

    public int Seed { get; }

    public ApSystem System { get; }

    public List<FuzzRoute> Routes { get; }

    public FuzzFailures Failures { get; } = new();

    public FuzzTally Tally { get; } = new();

    public FuzzAuditTally Audit { get; } = new();

    public StateOracle State { get; }

    public ProblemOracle Problems { get; }

    public MaskOracle Masks { get; }

    public AccessOracle Access { get; }

    public long InitialVersion { get; private set; }

    public long FinalVersion { get; private set; }

    public static async Task<FuzzRun> ExecuteAsync(int requests, int seed)
    {
        await using var app = new ApManagerApplication(new Dictionary<string, string?>
        {
            ["ApManager:Storage:Mode"] = "memory",
        });
        var run = new FuzzRun(app, seed);
        await run.RunAsync(requests);
        return run;
    }

    private async Task RunAsync(int requests)
    {
        CheckRoutesCanBeGenerated();
        var generator = new HostileRequests(new Random(Seed), Routes);
        var sender = new FuzzClient(_client, Failures);
        InitialVersion = System.Current.Version;
        Tally.Clock.Start();

        // Every route first, with its own method, so even a short run covers all of them.
        var forced = Routes.SelectMany(r => Enumerable.Repeat(r, 8)).ToList();
        for (var i = 0; i < requests && Failures.Total < FailureLimit; i++)
        {
            var generating = Stopwatch.GetTimestamp();
            var request = i < forced.Count ? generator.Next(State.Before, forced[i]) : generator.Next(State.Before);
            Tally.Generated(generating);
            var sending = Stopwatch.GetTimestamp();
            var response = await sender.SendAsync(request);
            Tally.Answered(request, response.Status, sending);
            var checking = Stopwatch.GetTimestamp();
            Check(i, request, response);
            Tally.Checked(checking);
        }
        Tally.Clock.Stop();
        FinalVersion = System.Current.Version;
        await CheckEndAsync();
    }

    private void CheckRoutesCanBeGenerated()
    {
        foreach (var parameter in Routes.SelectMany(r => r.Pattern.Split('/')).Where(p => p.StartsWith('{')).Distinct())
        {
            Assert.True(FuzzRoute.KnownParameters.Contains(parameter), $"route parameter {parameter} has no generator: teach HostilePaths.FillPattern about it");
        }
        Assert.True(Routes.Count >= 25, $"only {Routes.Count} routes enumerated");
    }

    /// <summary>Every oracle over one answer; the state oracle last, as it moves on to the new state.</summary>
    private void Check(int index, FuzzRequest request, FuzzResponse response)
    {
        Access.Check(index, request, response);
        var status = response.Status;
        if (status >= 500)
        {
            Failures.Fail($"5xx {request.Route}", $"#{index} answered {status}: {FuzzFailures.Text(response.Body)}", request);
        }
        var problem = status is >= 400 and < 500 ? Problems.Check(index, request, response) : null;
        Masks.CheckSyntax(index, request, status, problem);
        Masks.CheckModel(index, request, status, problem, response.Body, State.Before);
        State.Check(index, request, status, response.Body);
    }

    /// <summary>After the run: a consistent, ready service whose version moved exactly by the audited commits, every route fuzzed.</summary>
    private async Task CheckEndAsync()
    {
        State.CheckInvariants(System.Current, v => Failures.Fail("final-state", $"final state: {v}"));
        var ready = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/health/ready"));
        if ((int)ready.StatusCode != 200)
        {
            Failures.Fail("final-health", $"/health/ready answers {(int)ready.StatusCode} after the run");
        }
        var delta = FinalVersion - InitialVersion;
        if (Audit.Committed != delta || State.CommittedByResponses != delta || Audit.SeqGaps != 0)
        {
            Failures.Fail("audit", $"versions {InitialVersion}->{FinalVersion} (+{delta}), committed audit records {Audit.Committed}, " +
                $"2xx responses that committed {State.CommittedByResponses}, audit seq gaps {Audit.SeqGaps}");
        }
        foreach (var route in Routes.Where(r => !Tally.Fuzzed(r)))
        {
            Failures.Fail("coverage", $"route {route.Key} never fuzzed");
        }
    }
}
