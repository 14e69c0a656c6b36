using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace ApManager.Api.Tests.Durability;

/// <summary>
/// The crash test's workload and what it knows about the state: for every change it sent, whether
/// the service acknowledged it (2xx, so it must survive) or the process died before answering
/// (it may or may not have happened, but never half). Workers never conflict: worker w owns
/// apmask bit 100 + w, adapters 8 + 6w .. 13 + 6w (cleared from apmask at set-up) and its devices.
/// </summary>
public sealed class CrashWorkload(int workers)
{
    private const string ApmaskAtSetUp = "-8-55";

    private readonly WorkerState[] _workers = [.. Enumerable.Range(0, workers).Select(w => new WorkerState(w))];
    private readonly Dictionary<string, int> _acknowledged = [];
    private readonly Dictionary<string, int> _unanswered = [];
    private readonly ConcurrentQueue<string> _unexpected = new();

    public int Acknowledged { get; private set; }

    public int Unanswered { get; private set; }

    /// <summary>Unanswered changes the restarted service shows as made: the kill came after the commit, before the answer.</summary>
    public int UnansweredApplied { get; private set; }

    /// <summary>Run once on the new store: frees the workers' adapters and creates one device per worker for matrix configs.</summary>
    public async Task SetUpAsync(HttpClient client)
    {
        using (var response = await ApManagerApplication.PutMaskAsync(client, "apmask", ApmaskAtSetUp))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Count(_acknowledged, $"bus.apmask bus {ApmaskAtSetUp}");
        }
        foreach (var worker in _workers)
        {
            var device = new DeviceState(worker.MatrixDeviceUuid, $"matrix-w{worker.Index}") { Exists = true };
            using var response = await client.PostAsync("/api/mdevs", ApManagerApplication.Json($$"""{"uuid":"{{device.Uuid}}","name":"{{device.Name}}"}"""));
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            Count(_acknowledged, CreateKey(device.Uuid));
            worker.Devices.Add(device);
        }
    }

    /// <summary>
    /// A write that changes nothing (the set-up mask again), acknowledged and audited like any
    /// other: it warms the write path of a freshly started process so the burst runs at speed.
    /// </summary>
    public async Task WarmUpAsync(HttpClient client)
    {
        using var response = await ApManagerApplication.PutMaskAsync(client, "apmask", ApmaskAtSetUp);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Count(_acknowledged, $"bus.apmask bus {ApmaskAtSetUp}");
    }

    /// <summary>
    /// Every worker changes state as fast as it can until the service stops answering.
    /// <paramref name="firstAnswer"/> completes when the first change of the burst is acknowledged.
    /// </summary>
    public Task RunBurstAsync(Uri baseAddress, int seed, TaskCompletionSource firstAnswer) =>
        Task.WhenAll(_workers.Select(w => Task.Run(() => RunWorkerAsync(w, baseAddress, seed + w.Index, firstAnswer))));

    private async Task RunWorkerAsync(WorkerState worker, Uri baseAddress, int seed, TaskCompletionSource firstAnswer)
    {
        var random = new Random(seed);
        using var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ApManagerApplication.AdminKey);
        var stop = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < stop)
        {
            var pick = random.NextDouble();
            var operation = pick < 0.25 ? NewDevice(worker, random)
                : pick < 0.75 ? NewConfig(worker, random)
                : NewMaskWrite(worker, random);
            lock (_acknowledged)
            {
                Count(_unanswered, operation.Key);
            }
            worker.InFlight = operation;
            operation.Sending();
            HttpStatusCode status;
            string body;
            try
            {
                using var response = await client.SendAsync(operation.Request());
                status = response.StatusCode;
                body = await response.Content.ReadAsStringAsync();
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
            {
                return; // The process is gone: this operation stays unanswered.
            }
            worker.InFlight = null;
            lock (_acknowledged)
            {
                Count(_unanswered, operation.Key, -1);
                if (status == operation.Expected)
                {
                    Count(_acknowledged, operation.Key);
                    Acknowledged++;
                }
            }
            if (status == operation.Expected)
            {
                operation.Acknowledged();
                firstAnswer.TrySetResult();
            }
            else
            {
                operation.Refused();
                _unexpected.Enqueue($"{operation.Key}: {(int)status} {body}");
            }
        }
    }

    /// <summary>
    /// Checks the restarted service against what was acknowledged, settles every unanswered
    /// operation from what the service shows (state and audit must agree on it) and returns a
    /// short summary.
    /// </summary>
    public async Task<string> VerifyAsync(HttpClient client, string context)
    {
        Assert.True(_unexpected.IsEmpty, $"{context}: unexpected answers during the burst:{Environment.NewLine}{string.Join(Environment.NewLine, _unexpected)}");

        var audit = await StateCapture.AuditAsync(client);
        var version = await StateCapture.GlobalVersionAsync(client);
        var bus = JsonNode.Parse(await client.GetStringAsync("/api/bus"))!;
        // Every device, whatever the default page size (the burst creates more than one page).
        var mdevs = JsonNode.Parse(await client.GetStringAsync("/api/mdevs?limit=10000"))!.AsArray().Select(m => m!.AsObject()).ToList();
        var queues = JsonNode.Parse(await client.GetStringAsync("/api/queues"))!.AsArray().Select(q => q!.AsObject()).ToList();

        // The audit trail: gap-free, in lockstep with the versions, every record a success we sent.
        Assert.Equal(Enumerable.Range(1, audit.Count).Select(i => (long)i), audit.Select(r => (long)r["seq"]!));
        var running = 1L;
        var recorded = new Dictionary<string, int>();
        foreach (var record in audit)
        {
            var before = (long)record["versionBefore"]!;
            var after = (long)record["versionAfter"]!;
            Assert.True(before == running && (after == before || after == before + 1),
                $"{context}: audit seq {record["seq"]} goes from version {before} to {after}, but the state was at {running}: {record.ToJsonString()}");
            running = after;
            var status = (int)record["outcome"]!["status"]!;
            Assert.True(status is >= 200 and < 300, $"{context}: audit seq {record["seq"]} was answered {status}: {record.ToJsonString()}");
            Assert.False((bool)record["dryRun"]!);
            Count(recorded, KeyOf(record));
        }
        Assert.Equal(running, version);
        if (audit.Count > 0)
        {
            Assert.Equal(version, (long)audit[^1]["versionAfter"]!);
        }
        foreach (var (key, count) in recorded)
        {
            var acknowledged = _acknowledged.GetValueOrDefault(key);
            var unanswered = _unanswered.GetValueOrDefault(key);
            Assert.True(count >= acknowledged && count <= acknowledged + unanswered,
                $"{context}: the audit has {count} successful '{key}', but {acknowledged} were acknowledged and {unanswered} unanswered.");
        }
        foreach (var (key, acknowledged) in _acknowledged)
        {
            Assert.True(recorded.GetValueOrDefault(key) >= acknowledged, $"{context}: {acknowledged} acknowledged '{key}', the audit has {recorded.GetValueOrDefault(key)}.");
        }

        // Devices: every acknowledged one exists with its last acknowledged config, or with the
        // unanswered one exactly when the audit recorded it; nothing else exists.
        var byUuid = mdevs.ToDictionary(m => (string)m["uuid"]!);
        var known = new HashSet<string>(StringComparer.Ordinal) { ApManagerApplication.DeviceA, ApManagerApplication.DeviceB };
        foreach (var worker in _workers)
        {
            var pending = worker.InFlight;
            var applied = pending is not null && recorded.GetValueOrDefault(pending.Key) > _acknowledged.GetValueOrDefault(pending.Key);
            UnansweredApplied += applied ? 1 : 0;
            foreach (var device in worker.Devices.ToList())
            {
                byUuid.TryGetValue(device.Uuid, out var shown);
                if (device.Exists)
                {
                    Assert.True(shown is not null, $"{context}: the acknowledged device {device.Uuid} of worker {worker.Index} is gone.");
                }
                else
                {
                    // Its create was never answered: it exists exactly when the audit recorded it.
                    Assert.True((shown is not null) == applied, $"{context}: device {device.Uuid} (unanswered create) exists: {shown is not null}, audited: {applied}.");
                    if (shown is null)
                    {
                        worker.Devices.Remove(device);
                        continue;
                    }
                    device.Exists = true;
                }
                known.Add(device.Uuid);
                Assert.Equal(device.Name, (string?)shown!["name"]);
                var config = Config.Of(shown);
                var expected = pending is ConfigWrite write && write.Device == device && applied ? write.Config : device.Config;
                Assert.True(config == expected,
                    $"{context}: device {device.Uuid} has {config}, expected {expected} (acknowledged {device.Config}, unanswered {(pending as ConfigWrite)?.Device == device}).");
                Assert.Equal(config.Matrix(), shown["matrix"]!.AsArray().Select(n => (string)n!));
                device.Config = config;
            }
            if (pending is MaskWrite mask && applied)
            {
                worker.Bit = mask.Set;
            }
            worker.InFlight = null;
        }
        var phantoms = byUuid.Keys.Where(u => !known.Contains(u)).ToList();
        Assert.True(phantoms.Count == 0, $"{context}: devices nobody created: {string.Join(", ", phantoms)}");

        // Every unanswered operation is now settled by what the audit recorded.
        foreach (var (key, unanswered) in _unanswered.Where(p => p.Value > 0).ToList())
        {
            Unanswered += unanswered;
            _acknowledged[key] = recorded.GetValueOrDefault(key);
            _unanswered[key] = 0;
        }

        // The bus: each worker's bit is its last acknowledged write (or the audited unanswered one).
        Assert.Equal(ExpectedApmask(), (string?)bus["apmask"]);
        Assert.Equal("0x" + new string('f', 64), (string?)bus["aqmask"]);

        // Nothing half-applied: no APQN in two matrices, none owned by the host, queues agree with devices.
        var owner = new Dictionary<string, string>();
        var apmask = Bits((string)bus["apmask"]!);
        foreach (var m in mdevs)
        {
            foreach (var apqn in m["matrix"]!.AsArray().Select(n => (string)n!))
            {
                Assert.True(owner.TryAdd(apqn, (string)m["uuid"]!), $"{context}: {apqn} is in two matrices.");
                Assert.False(apmask[int.Parse(apqn[..2], NumberStyles.HexNumber, CultureInfo.InvariantCulture)], $"{context}: {apqn} of {m["uuid"]} is owned by the host.");
            }
        }
        foreach (var q in queues)
        {
            Assert.Equal(owner.GetValueOrDefault((string)q["apqn"]!), (string?)q["mdev"]);
        }
        return $"version {version}, {audit.Count} audit records, {mdevs.Count} devices, {Acknowledged} acknowledged and {Unanswered} unanswered changes so far ({UnansweredApplied} of them made)";
    }

    private string ExpectedApmask()
    {
        var bits = new bool[256];
        for (var i = 0; i < 256; i++)
        {
            bits[i] = i is not (5 or 6) and not (>= 8 and <= 55);
        }
        foreach (var worker in _workers)
        {
            bits[worker.BitNumber] = worker.Bit;
        }
        var text = new System.Text.StringBuilder("0x");
        for (var digit = 0; digit < 64; digit++)
        {
            var value = 0;
            for (var k = 0; k < 4; k++)
            {
                value = (value << 1) | (bits[(digit * 4) + k] ? 1 : 0);
            }
            text.Append(value.ToString("x", CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }

    private static bool[] Bits(string mask)
    {
        var bits = new bool[256];
        for (var digit = 0; digit < 64; digit++)
        {
            var value = Convert.ToInt32(mask[2 + digit].ToString(), 16);
            for (var k = 0; k < 4; k++)
            {
                bits[(digit * 4) + k] = (value & (8 >> k)) != 0;
            }
        }
        return bits;
    }

    private static Operation NewDevice(WorkerState worker, Random random)
    {
        var device = new DeviceState(Guid.NewGuid().ToString(), $"w{worker.Index}-{random.Next(1_000_000)}");
        return new CreateDevice(worker, device);
    }

    private static Operation NewConfig(WorkerState worker, Random random)
    {
        var candidates = worker.Devices.Where(d => d.Exists).ToList();
        var device = candidates[random.Next(candidates.Count)];
        var adapters = worker.Adapters;
        int[] Pick(IReadOnlyList<int> from, int min, int max) =>
            [.. Enumerable.Range(0, random.Next(min, max + 1)).Select(_ => from[random.Next(from.Count)])];
        var domains = Enumerable.Range(0, 85).ToArray();
        // Only the worker's matrix device gets usage domains: the others' matrices stay empty, so no two devices ever share an APQN.
        var isMatrix = device.Uuid == worker.MatrixDeviceUuid;
        return new ConfigWrite(device, Pick(adapters, isMatrix ? 1 : 0, 4), isMatrix ? Pick(domains, 1, 5) : [], Pick(domains, 0, 3));
    }

    private static Operation NewMaskWrite(WorkerState worker, Random random) => new MaskWrite(worker, random.Next(2) == 0);

    private static string CreateKey(string uuid) => $"mdev.create mdev/{uuid}";

    private static string KeyOf(JsonObject record)
    {
        var action = (string)record["action"]!;
        var target = (string)record["target"]!;
        return action switch
        {
            "mdev.create" => CreateKey(target["mdev/".Length..]),
            "mdev.config" => $"{action} {target} {Config.FromInput((string)record["input"]!)}",
            _ => $"{action} {target} {(string?)record["input"]}",
        };
    }

    private static void Count(Dictionary<string, int> counts, string key, int delta = 1) =>
        counts[key] = counts.GetValueOrDefault(key) + delta;

    /// <summary>A device assignment as a set triple, so duplicates and order in a request do not matter.</summary>
    public sealed record Config(string Adapters, string Domains, string ControlDomains)
    {
        public static readonly Config Empty = Of([], [], []);

        public static Config Of(IEnumerable<int> adapters, IEnumerable<int> domains, IEnumerable<int> controlDomains) =>
            new(Join(adapters), Join(domains), Join(controlDomains));

        public static Config Of(JsonObject device) => Of(Ids(device["adapters"]), Ids(device["domains"]), Ids(device["controlDomains"]));

        public static Config FromInput(string json)
        {
            var input = JsonNode.Parse(json)!;
            return Of(Ids(input["adapters"]), Ids(input["domains"]), Ids(input["controlDomains"]));
        }

        public IEnumerable<string> Matrix()
        {
            var domains = Split(Domains);
            return Split(Adapters).SelectMany(a => domains.Select(d => $"{a:x2}.{d:x4}"));
        }

        public override string ToString() => $"[a {Adapters}; d {Domains}; c {ControlDomains}]";

        private static IEnumerable<int> Ids(JsonNode? node) => node!.AsArray().Select(n => (int)n!);

        private static string Join(IEnumerable<int> ids) => string.Join(',', ids.Distinct().Order());

        private static int[] Split(string ids) => ids.Length == 0 ? [] : [.. ids.Split(',').Select(i => int.Parse(i, CultureInfo.InvariantCulture))];
    }

    private sealed class WorkerState(int index)
    {
        public int Index { get; } = index;

        public int BitNumber => 100 + Index;

        public bool Bit { get; set; } = true;

        public IReadOnlyList<int> Adapters { get; } = [.. Enumerable.Range(8 + (6 * index), 6)];

        public string MatrixDeviceUuid { get; } = $"c7a5e000-0000-4000-8000-{index:D12}";

        public List<DeviceState> Devices { get; } = [];

        /// <summary>The operation sent and not answered when the process died.</summary>
        public Operation? InFlight { get; set; }
    }

    private sealed class DeviceState(string uuid, string name)
    {
        public string Uuid { get; } = uuid;

        public string Name { get; } = name;

        /// <summary>True once its create was acknowledged (or seen after a restart).</summary>
        public bool Exists { get; set; }

        /// <summary>The last acknowledged (or seen) assignment.</summary>
        public Config Config { get; set; } = Config.Empty;
    }

    private abstract class Operation
    {
        public abstract string Key { get; }

        public virtual HttpStatusCode Expected => HttpStatusCode.OK;

        public abstract HttpRequestMessage Request();

        public virtual void Sending()
        {
        }

        public abstract void Acknowledged();

        public virtual void Refused()
        {
        }
    }

    private sealed class CreateDevice(WorkerState worker, DeviceState device) : Operation
    {
        public override string Key => CreateKey(device.Uuid);

        public override HttpStatusCode Expected => HttpStatusCode.Created;

        public override HttpRequestMessage Request() =>
            new(HttpMethod.Post, "/api/mdevs") { Content = ApManagerApplication.Json($$"""{"uuid":"{{device.Uuid}}","name":"{{device.Name}}"}""") };

        public override void Sending() => worker.Devices.Add(device);

        public override void Acknowledged() => device.Exists = true;

        public override void Refused() => worker.Devices.Remove(device);
    }

    private sealed class ConfigWrite(DeviceState device, int[] adapters, int[] domains, int[] controlDomains) : Operation
    {
        public DeviceState Device { get; } = device;

        public Config Config { get; } = Config.Of(adapters, domains, controlDomains);

        public override string Key => $"mdev.config mdev/{Device.Uuid} {Config}";

        public override HttpRequestMessage Request() =>
            new(HttpMethod.Put, $"/api/mdevs/{Device.Uuid}/config")
            {
                Content = ApManagerApplication.Json(new JsonObject
                {
                    ["adapters"] = new JsonArray([.. adapters.Select(a => (JsonNode)a)]),
                    ["domains"] = new JsonArray([.. domains.Select(d => (JsonNode)d)]),
                    ["controlDomains"] = new JsonArray([.. controlDomains.Select(d => (JsonNode)d)]),
                }.ToJsonString()),
            };

        public override void Acknowledged() => Device.Config = Config;
    }

    private sealed class MaskWrite(WorkerState worker, bool set) : Operation
    {
        public bool Set { get; } = set;

        private string Input => $"{(Set ? '+' : '-')}{worker.BitNumber}";

        public override string Key => $"bus.apmask bus {Input}";

        public override HttpRequestMessage Request() =>
            new(HttpMethod.Put, "/api/bus/apmask") { Content = ApManagerApplication.Json($$"""{"mask":"{{Input}}"}""") };

        public override void Acknowledged() => worker.Bit = Set;
    }
}
