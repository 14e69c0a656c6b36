using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ApManager.Core.Host;
using ApManager.Core.Host.Sysfs;
using ApManager.Core.Masks;

namespace ApManager.Core.Tests.Host.Sysfs;

/// <summary>
/// The sysfs reader against fixed trees of realistic hosts (tests/golden, written by generate.py from
/// the kernel's formats, independently of the C# code): each tree reads back exactly its expected.json.
/// </summary>
public class GoldenTreeTests
{
    public static TheoryData<string> Hosts => new() { "z16-lpar", "no-vfio-ap", "no-ap-config" };

    [Theory]
    [MemberData(nameof(Hosts))]
    public void EachGoldenTreeReadsBackAsItsExpectedState(string name)
    {
        // Read in place: reading never writes, the trees have no empty directories (generate.py --check
        // says so), and copying seven thousand files costs seconds on a busy disk.
        var root = Path.Combine(GoldenDirectory, name);
        using var expectedFile = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "expected.json")));
        var expected = expectedFile.RootElement;
        var host = new SysfsHost(root);

        var state = host.Read();

        Assert.Null(host.Unavailable);
        var diffs = new Differences();
        CompareHost(expected, state, diffs);
        CompareCards(expected, state, diffs);
        CompareQueues(expected, state, diffs);
        CompareDevices(expected, state, diffs);
        Assert.True(diffs.None, $"{name}: the reader's state differs from expected.json:\n{diffs}");
    }

    [Python3Fact]
    public void TheCommittedTreesAreWhatGeneratePyWrites()
    {
        var start = new ProcessStartInfo("python3", [Path.Combine(GoldenDirectory, "generate.py"), "--check"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.WaitForExit();

        Assert.True(process.ExitCode == 0, $"generate.py --check failed ({process.ExitCode}):\n{output.Result}{errors.Result}");
    }

    private static void CompareHost(JsonElement e, HostState s, Differences d)
    {
        d.Check("apmask", e.Str("apmask"), s.Apmask.ToString());
        d.Check("aqmask", e.Str("aqmask"), s.Aqmask.ToString());
        d.Check("max adapter id", e.Int("maxAdapterId"), s.Topology.MaxAdapterId);
        d.Check("max domain id", e.Int("maxDomainId"), s.Topology.MaxDomainId);
        d.Check("adapters", string.Join(" ", e.GetProperty("adapters").EnumerateArray().Select(a => $"{a.Int("id"):x2}:{a.Str("type")}:{a.Bool("configured")}")),
            string.Join(" ", s.Topology.Adapters.Select(a => $"{a.Id:x2}:{a.Type}:{a.Configured}")));
        d.Check("usage domains", e.Ids("usageDomains"), Ids(s.Topology.UsageDomains));
        d.Check("control domains", e.Ids("controlDomains"), Ids(s.Topology.ControlDomains));
        d.Check("drivers", e.Strings("drivers"), string.Join(" ", s.Drivers));
        d.Check("vfio features", e.Strings("vfioFeatures"), string.Join(" ", s.VfioFeatures));
        d.Check("available instances", e.Int("availableInstances"), s.AvailableInstances);
    }

    private static void CompareCards(JsonElement e, HostState s, Differences d)
    {
        var cards = e.GetProperty("cards").EnumerateArray().ToList();
        d.Check("card ids", string.Join(" ", cards.Select(c => c.Int("id").ToString("x2", CultureInfo.InvariantCulture))), string.Join(" ", s.Cards.Select(c => c.Id.ToString("x2", CultureInfo.InvariantCulture))));
        foreach (var c in cards)
        {
            var id = c.Int("id");
            if (s.Card(id) is not { } card)
            {
                continue;
            }
            var at = $"card {id:x2}";
            d.Check(at + " type", c.Str("type"), card.Type.ToString());
            d.Check(at + " configured", c.Bool("configured"), card.Configured);
            d.Check(at + " online", c.Bool("online"), card.Online);
            d.Check(at + " checkstopped", c.Bool("checkstopped"), card.Checkstopped);
            d.Check(at + " hwtype", c.Int("hwType"), card.Hardware.HwType);
            d.Check(at + " raw hwtype", c.Int("rawHwType"), card.Hardware.RawHwType);
            d.Check(at + " functions", c.Str("functions"), $"0x{card.Hardware.Functions:X8}");
            d.Check(at + " depth", c.Int("depth"), card.Hardware.Depth);
            d.Check(at + " request count", c.Long("requestCount"), card.RequestCount);
            d.Check(at + " serial", c.Str("serial"), card.Hardware.Serial);
        }
    }

    private static void CompareQueues(JsonElement e, HostState s, Differences d)
    {
        var queues = e.GetProperty("queues").EnumerateArray().ToList();
        d.Check("queue count", queues.Count, s.Queues.Count());
        d.Check("queue APQNs", string.Join(" ", queues.Select(q => q.Str("apqn"))), string.Join(" ", s.Queues.Select(q => q.Apqn.ToString())));
        foreach (var q in queues)
        {
            if (!Apqn.TryParse(q.Str("apqn"), out var apqn) || s.Queue(apqn) is not { } queue)
            {
                continue;
            }
            var at = $"queue {apqn}";
            d.Check(at + " driver", q.Str("driver"), queue.Driver);
            d.Check(at + " mdev", q.Str("mdev"), queue.Mdev?.ToString());
            d.Check(at + " guest", q.Str("guest"), queue.Guest);
            d.Check(at + " online", q.Bool("online"), queue.Online);
            d.Check(at + " checkstopped", q.Bool("checkstopped"), queue.Checkstopped);
            d.Check(at + " request count", q.Long("requestCount"), queue.RequestCount);
        }
    }

    private static void CompareDevices(JsonElement e, HostState s, Differences d)
    {
        var devices = e.GetProperty("devices").EnumerateArray().ToList();
        d.Check("device UUIDs", string.Join(" ", devices.Select(x => x.Str("uuid"))), string.Join(" ", s.Devices.Select(x => x.Id.ToString())));
        foreach (var x in devices)
        {
            if (s.Devices.FirstOrDefault(v => v.Id.ToString() == x.Str("uuid")) is not { } device)
            {
                continue;
            }
            var at = $"device {device.Id}";
            d.Check(at + " adapters", x.Ids("adapters"), Ids(device.Assignment.Adapters));
            d.Check(at + " domains", x.Ids("domains"), Ids(device.Assignment.Domains));
            d.Check(at + " control domains", x.Ids("controlDomains"), Ids(device.Assignment.ControlDomains));
            var shadow = x.GetProperty("guestMatrix");
            d.Check(at + " guest matrix adapters", shadow.Ids("adapters"), Ids(device.GuestMatrix.Adapters));
            d.Check(at + " guest matrix domains", shadow.Ids("domains"), Ids(device.GuestMatrix.Domains));
            d.Check(at + " guest matrix control domains", shadow.Ids("controlDomains"), Ids(device.GuestMatrix.ControlDomains));
            d.Check(at + " guest", x.Str("guest"), device.Guest);
        }
    }

    private static string Ids(ApMask mask) => string.Join(",", mask.ToArray());

    /// <summary>tests/golden of this checkout: found by walking up from the test binaries to ApManager.sln.</summary>
    internal static string GoldenDirectory { get; } = FindGolden();

    private static string FindGolden()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ApManager.sln")))
            {
                return Path.Combine(dir.FullName, "tests", "golden");
            }
        }
        throw new DirectoryNotFoundException($"No ApManager.sln above {AppContext.BaseDirectory}: cannot find tests/golden.");
    }

    private sealed class Differences
    {
        private readonly List<string> _lines = [];

        public bool None => _lines.Count == 0;

        public void Check<T>(string what, T expected, T actual)
        {
            if (!EqualityComparer<T>.Default.Equals(expected, actual))
            {
                _lines.Add($"  {what}: expected {expected?.ToString() ?? "null"}, read {actual?.ToString() ?? "null"}");
            }
        }

        public override string ToString() => string.Join("\n", _lines);
    }
}

/// <summary>expected.json accessors that name the missing field instead of throwing a bare KeyNotFound.</summary>
internal static class GoldenJson
{
    public static string? Str(this JsonElement e, string name) => e.GetProperty(name).ValueKind == JsonValueKind.Null ? null : e.GetProperty(name).GetString();

    public static int Int(this JsonElement e, string name) => e.GetProperty(name).GetInt32();

    public static long? Long(this JsonElement e, string name) => e.GetProperty(name).ValueKind == JsonValueKind.Null ? null : e.GetProperty(name).GetInt64();

    public static bool Bool(this JsonElement e, string name) => e.GetProperty(name).GetBoolean();

    public static string Ids(this JsonElement e, string name) => string.Join(",", e.GetProperty(name).EnumerateArray().Select(x => x.GetInt32()));

    public static string Strings(this JsonElement e, string name) => string.Join(" ", e.GetProperty(name).EnumerateArray().Select(x => x.GetString()));
}

/// <summary>A fact that needs python3 on PATH (to run tests/golden/generate.py); skipped, saying so, without it.</summary>
public sealed class Python3FactAttribute : FactAttribute
{
    public Python3FactAttribute()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        if (!path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Any(p => File.Exists(Path.Combine(p, "python3"))))
        {
            Skip = "python3 is not on PATH: cannot check that tests/golden matches generate.py (install python3 to run this check).";
        }
    }
}
