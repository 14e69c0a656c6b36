using System.Globalization;
using System.Text.Json.Nodes;
using ApManager.FakeSysfs;

namespace ApManager.Api.Tests.Sysfs;

/// <summary>
/// ApManager in <c>sysfs</c> mode over a fake host: the fake kernel mounted over FUSE under a
/// temporary root, the service pointed at it with <c>ApManager:Host:Mode=sysfs</c> and
/// <c>Host:Root</c>, polling fast so the tests see changes made by others quickly.
/// </summary>
public sealed class SysfsApplication : IAsyncDisposable
{
    private SysfsApplication(FakeHost fake, ApManagerApplication app)
    {
        Fake = fake;
        App = app;
    }

    public FakeHost Fake { get; }

    public FakeKernel Kernel => Fake.Kernel;

    public ApManagerApplication App { get; }

    public static SysfsApplication Start(FakeHost? fake = null, IDictionary<string, string?>? settings = null, double pollSeconds = 0.2)
    {
        fake ??= FakeHost.Demo();
        var values = new Dictionary<string, string?>
        {
            ["ApManager:Host:Mode"] = "sysfs",
            ["ApManager:Host:Root"] = fake.Root,
            ["ApManager:Host:PollSeconds"] = pollSeconds.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }
        return new SysfsApplication(fake, new ApManagerApplication(values));
    }

    public HttpClient CreateClient() => App.CreateClient();

    /// <summary>Waits until <paramref name="url"/> answers something <paramref name="done"/> accepts (the watcher has seen a change).</summary>
    public static async Task<JsonNode> EventuallyAsync(HttpClient client, string url, Func<JsonNode, bool> done, double seconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var node = JsonNode.Parse(await client.GetStringAsync(url))!;
            if (done(node))
            {
                return node;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{url} did not change within {seconds} s: {node.ToJsonString()}");
            }
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        Fake.Dispose();
    }
}
