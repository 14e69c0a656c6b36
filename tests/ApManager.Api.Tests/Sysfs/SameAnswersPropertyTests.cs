using System.Globalization;
using ApManager.FakeSysfs;

namespace ApManager.Api.Tests.Sysfs;

/// <summary>
/// Property (issue 13): for random sequences of calls, the simulated host and the sysfs host over
/// the fake kernel give the same HTTP answers and end in the same state. Each seed is one
/// sequence; a failure names the seed and the step, so it can be replayed.
/// <c>APMANAGER_SYSFS_PROPERTY_STEPS</c> sets the steps per seed (default 40, short enough for CI);
/// <c>APMANAGER_SYSFS_PROPERTY_SEEDS</c> the number of extra seeds beyond the fixed ones.
/// </summary>
public sealed class SameAnswersPropertyTests
{
    private const string A = ApManagerApplication.DeviceA;
    private const string B = ApManagerApplication.DeviceB;
    private const string C = "11111111-2222-4333-8444-555555555555";

    private static readonly int[] Adapters = [3, 4, 5, 6, 7, 9, 64];
    private static readonly int[] Domains = [4, 5, 6, 71, 84, 85];
    private static readonly string[] Devices = [A, B, C];

    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int> { 1, 2, 3 };
        var extra = int.TryParse(Environment.GetEnvironmentVariable("APMANAGER_SYSFS_PROPERTY_SEEDS"), out var n) ? n : 0;
        for (var i = 0; i < extra; i++)
        {
            data.Add(1000 + i);
        }
        return data;
    }

    [FuseTheory]
    [MemberData(nameof(Seeds))]
    public async Task Random_call_sequences_get_the_same_answers_on_both_hosts(int seed)
    {
        var steps = int.TryParse(Environment.GetEnvironmentVariable("APMANAGER_SYSFS_PROPERTY_STEPS"), out var s) ? s : 40;
        var random = new Random(seed);
        await using var hosts = DualHost.Start();
        for (var step = 0; step < steps; step++)
        {
            var (method, url, body) = NextCall(random);
            try
            {
                await hosts.SendAsync(method, url, body);
                if (step % 10 == 9)
                {
                    await hosts.AssertSameStateAsync();
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                throw new Xunit.Sdk.XunitException($"seed {seed}, step {step}: {method} {url} {body}\n{ex.Message}");
            }
        }
        await hosts.AssertSameStateAsync();
    }

    private static (HttpMethod, string, string?) NextCall(Random r)
    {
        string Pick(IReadOnlyList<string> items) => items[r.Next(items.Count)];
        int PickId(IReadOnlyList<int> items) => items[r.Next(items.Count)];
        string Sign() => r.Next(2) == 0 ? "+" : "-";
        string Id(int id) => id.ToString(CultureInfo.InvariantCulture);
        var dry = r.Next(6) == 0 ? "?dryRun=true" : "";
        var device = Pick(Devices);
        return r.Next(13) switch
        {
            0 => (HttpMethod.Put, "/api/bus/apmask" + dry, $$"""{"mask":"{{Sign()}}{{Id(PickId(Adapters))}}"}"""),
            1 => (HttpMethod.Put, "/api/bus/aqmask" + dry, $$"""{"mask":"{{Sign()}}{{Id(PickId(Domains))}}"}"""),
            2 => (HttpMethod.Patch, "/api/bus/masks" + dry, $$"""{"apmask":"{{Sign()}}{{Id(PickId(Adapters))}}","aqmask":"{{Sign()}}{{Id(PickId(Domains))}}"}"""),
            3 => (r.Next(3) == 0 ? HttpMethod.Delete : HttpMethod.Put, $"/api/mdevs/{device}/adapters/{PickId(Adapters)}{dry}", null),
            4 => (r.Next(3) == 0 ? HttpMethod.Delete : HttpMethod.Put, $"/api/mdevs/{device}/domains/{PickId(Domains)}{dry}", null),
            5 => (r.Next(3) == 0 ? HttpMethod.Delete : HttpMethod.Put, $"/api/mdevs/{device}/control-domains/{PickId(Domains)}{dry}", null),
            6 => (HttpMethod.Put, $"/api/mdevs/{device}/config{dry}",
                $$"""{"adapters":[{{Id(PickId(Adapters))}}],"domains":[{{Id(PickId(Domains))}},{{Id(PickId(Domains))}}],"controlDomains":[{{Id(PickId(Domains))}}]}"""),
            7 => (HttpMethod.Post, "/api/mdevs" + dry, $$"""{"uuid":"{{Pick([C, B])}}"}"""),
            8 => (HttpMethod.Delete, $"/api/mdevs/{device}{dry}", null),
            9 => (HttpMethod.Put, $"/api/adapters/{PickId(Adapters)}/online{dry}", $$"""{"online":{{(r.Next(2) == 0 ? "true" : "false")}}}"""),
            10 => (HttpMethod.Put, $"/api/adapters/{PickId(Adapters)}/configured{dry}", $$"""{"configured":{{(r.Next(2) == 0 ? "true" : "false")}}}"""),
            11 => (HttpMethod.Put, $"/api/queues/{PickId(Adapters):x2}.{PickId(Domains):x4}/online{dry}", $$"""{"online":{{(r.Next(2) == 0 ? "true" : "false")}}}"""),
            _ => (HttpMethod.Get, Pick(["/api/bus", "/api/adapters", "/api/queues", "/api/mdevs", $"/api/mdevs/{device}"]), null),
        };
    }
}
