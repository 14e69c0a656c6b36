using ApManager.Core.State;
using Microsoft.Extensions.DependencyInjection;

namespace ApManager.Api.Tests.Stress;

/// <summary>
/// One stress run: frees the adapters the clients own and gives each its device, then runs the
/// clients against a deadline while the snapshot checker, the audit accounting and the driver
/// churn watch, stops them all and leaves the final accounting to <see cref="StressVerdict"/>.
/// </summary>
public sealed class StressRun
{
    public const int Clients = 32;

    private readonly ApManagerApplication _app;

    public StressRun(ApManagerApplication app, int seed)
    {
        _app = app;
        Seed = seed;
        System = app.Services.GetRequiredService<ApSystem>();
        Checker = new SnapshotChecker(System, Failures);
        Audit = new AuditAccounting(Failures);
    }

    public int Seed { get; }

    public ApSystem System { get; }

    public StressFailures Failures { get; } = new();

    public StressCounters Counters { get; } = new();

    public SnapshotChecker Checker { get; }

    public AuditAccounting Audit { get; }

    public DriverChurn? Churn { get; private set; }

    public IReadOnlyList<StressClient> StressClients { get; private set; } = [];

    public long InitialVersion { get; private set; }

    public long FinalVersion { get; private set; }

    public async Task ExecuteAsync(TimeSpan duration)
    {
        var rng = new Random(Seed);
        StressClients = await SetupClientsAsync(rng);
        InitialVersion = System.Current.Version;
        System.Journal.Durable += Audit.OnDurable;
        Checker.Start();
        Churn = new DriverChurn(System, rng.Next());
        Churn.Start();

        Failures.Clock.Start();
        await RunClientsAsync(duration);
        Failures.Clock.Stop();

        Churn.Stop();
        foreach (var f in Churn.Failures)
        {
            Failures.Fail(f);
        }
        System.Journal.Durable -= Audit.OnDurable;
        Checker.Stop();
        FinalVersion = System.Current.Version;
        StressVerdict.Check(this);
    }

    /// <summary>Setup: free the adapters the clients own, give each client its device.</summary>
    private async Task<List<StressClient>> SetupClientsAsync(Random rng)
    {
        using var admin = _app.CreateClient();
        var setup = await ApManagerApplication.PutMaskAsync(admin, "apmask", $"-8-{8 + Clients - 1},-{DriverProbe.ObjectedAdapter}");
        Assert.Equal(200, (int)setup.StatusCode);
        var clients = new List<StressClient>();
        for (var c = 0; c < Clients; c++)
        {
            var client = new StressClient(this, _app.CreateClient(), c, new Random(rng.Next()));
            await client.SetupAsync();
            clients.Add(client);
        }
        return clients;
    }

    private async Task RunClientsAsync(TimeSpan duration)
    {
        var deadline = DateTime.UtcNow + duration;
        var load = Task.WhenAll(StressClients.Select(c => Task.Run(() => c.RunAsync(deadline))));
        try
        {
            await load.WaitAsync(duration + TimeSpan.FromSeconds(120));
        }
        catch (TimeoutException)
        {
            Failures.Fail("the clients did not finish within 120 s after the deadline (deadlock?)");
        }
    }
}
