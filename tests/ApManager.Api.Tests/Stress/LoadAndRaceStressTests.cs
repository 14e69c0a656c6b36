using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text;
using ApManager.Core.Audit;
using ApManager.Core.Journal;
using ApManager.Core.Masks;
using ApManager.Core.State;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ApManager.Api.Tests.Stress;

/// <summary>
/// Issue #6 part B: 32 concurrent clients mix mask writes, assignments, config replacements,
/// guests, device create/delete, adapter (de)configuration, dry runs and reads, while a checker
/// verifies every committed snapshot (I1, I2, binding rule, derived queue and guest-matrix fields,
/// gapless versions) and a thread registers and unregisters a test driver whose in_use callback
/// must never run after its unregistration returned. At the end every committing 2xx response,
/// every committed audit record and the version delta agree.
/// <c>APMANAGER_STRESS_SECONDS</c> sets the duration (CI default 5 s), <c>APMANAGER_STRESS_SEED</c> the seed.
/// </summary>
[Collection(HeavyCollection.Name)]
public class LoadAndRaceStressTests(ITestOutputHelper output)
{
    public const int Clients = 32;

    [Fact]
    public async Task ConcurrentClientsKeepEveryInvariantAndEveryCommitIsAccountedFor()
    {
        var seconds = TestEnvironment.Double("APMANAGER_STRESS_SECONDS", 5);
        var seed = (int)TestEnvironment.Long("APMANAGER_STRESS_SEED", Environment.TickCount & int.MaxValue);
        ThreadPool.GetMinThreads(out var workers, out var io);
        // Handlers block on the writer lock (and the test driver sleeps inside it): give the pool
        // enough threads that the harness, not thread injection, sets the pace.
        ThreadPool.SetMinThreads(Math.Max(workers, Clients + 16), Math.Max(io, Clients + 16));
        try
        {
            await using var app = new ApManagerApplication(new Dictionary<string, string?>
            {
                ["ApManager:Storage:Mode"] = "memory",
            });
            var run = new StressRun(app, seed);
            await run.ExecuteAsync(TimeSpan.FromSeconds(seconds));
            output.WriteLine(run.Summary());
            Assert.True(run.Failures.IsEmpty, run.Report());
        }
        finally
        {
            ThreadPool.SetMinThreads(workers, io);
        }
    }

    /// <summary>Shared state of one stress run.</summary>
    private sealed class StressRun
    {
        private readonly ApManagerApplication _app;
        private readonly int _seed;
        private readonly ConcurrentQueue<ApSnapshot> _published = new();
        private readonly Stopwatch _clock = new();
        private readonly List<long> _committedVersions = [];
        private readonly Lock _auditLock = new();
        private long _auditCommitted;
        private long _auditRecords;
        private long _auditDryRuns;
        private long _auditRefused;
        private long _lastSeq;
        private long _publishGaps;
        private volatile bool _stopChecker;

        public StressRun(ApManagerApplication app, int seed)
        {
            _app = app;
            _seed = seed;
            System = app.Services.GetRequiredService<ApSystem>();
        }

        public ApSystem System { get; }

        public ConcurrentQueue<string> Failures { get; } = new();

        public ConcurrentDictionary<int, int> Statuses { get; } = new();

        public ConcurrentDictionary<string, int> Operations { get; } = new();

        public long SnapshotsChecked;
        public long CurrentPolls;
        public long CommitsByResponses;
        public long MaskCommits;
        public long InUseRefusals;
        public long InUseQueries;
        public long ProbeRefusals;
        public long ReadChecks;
        public long VersionChecks;
        public long InitialVersion;
        public long FinalVersion;
        public DriverChurn? Churn;

        public void Fail(string message)
        {
            if (Failures.Count < 200)
            {
                Failures.Enqueue($"[{_clock.Elapsed.TotalSeconds:F2}s] {message}");
            }
        }

        public void Count(string operation) => Operations.AddOrUpdate(operation, 1, (_, n) => n + 1);

        public async Task ExecuteAsync(TimeSpan duration)
        {
            // Setup: free the adapters the clients own, give each client its device.
            using var admin = _app.CreateClient();
            var setup = await ApManagerApplication.PutMaskAsync(admin, "apmask", $"-8-{8 + Clients - 1},-{DriverProbe.ObjectedAdapter}");
            Assert.Equal(200, (int)setup.StatusCode);
            var rng = new Random(_seed);
            var clients = new List<StressClient>();
            for (var c = 0; c < Clients; c++)
            {
                var client = new StressClient(this, _app.CreateClient(), c, new Random(rng.Next()));
                await client.SetupAsync();
                clients.Add(client);
            }

            InitialVersion = System.Current.Version;
            System.Journal.Durable += OnDurable;
            System.Committed += OnCommitted;
            var checker = new Thread(Check) { IsBackground = true, Name = "invariant checker" };
            checker.Start();
            Churn = new DriverChurn(System, rng.Next());
            Churn.Start();

            _clock.Start();
            var deadline = DateTime.UtcNow + duration;
            var load = Task.WhenAll(clients.Select(c => Task.Run(() => c.RunAsync(deadline))));
            try
            {
                await load.WaitAsync(duration + TimeSpan.FromSeconds(120));
            }
            catch (TimeoutException)
            {
                Fail("the clients did not finish within 120 s after the deadline (deadlock?)");
            }
            _clock.Stop();
            Churn.Stop();
            foreach (var f in Churn.Failures)
            {
                Fail(f);
            }
            System.Committed -= OnCommitted;
            System.Journal.Durable -= OnDurable;
            _stopChecker = true;
            if (!checker.Join(TimeSpan.FromSeconds(120)))
            {
                Fail("the checker did not drain within 120 s");
            }
            FinalVersion = System.Current.Version;
            Verify(clients);
        }

        private void OnCommitted(ApSnapshot before, ApSnapshot after)
        {
            if (after.Version != before.Version + 1)
            {
                Interlocked.Increment(ref _publishGaps);
            }
            _published.Enqueue(after);
        }

        private void OnDurable(IReadOnlyList<AuditRecord> records)
        {
            lock (_auditLock)
            {
                foreach (var r in records)
                {
                    _auditRecords++;
                    if (_lastSeq != 0 && r.Seq != _lastSeq + 1)
                    {
                        Fail($"audit seq jumps from {_lastSeq} to {r.Seq}");
                    }
                    _lastSeq = r.Seq;
                    if (r.DryRun)
                    {
                        _auditDryRuns++;
                    }
                    if (!r.Accepted)
                    {
                        _auditRefused++;
                    }
                    if (r.Committed)
                    {
                        _auditCommitted++;
                        _committedVersions.Add(r.VersionAfter);
                        if (r.VersionAfter != r.VersionBefore + 1)
                        {
                            Fail($"audit record {r.Seq} ({r.Action}) committed {r.VersionBefore} -> {r.VersionAfter}");
                        }
                    }
                    else if (r.DryRun ? r.VersionAfter - r.VersionBefore is not (0 or 1) : r.VersionAfter != r.VersionBefore)
                    {
                        // A dry run records the version its change would produce (before + 1); anything else must not move.
                        Fail($"audit record {r.Seq} ({r.Action}, accepted {r.Accepted}, dry run {r.DryRun}) moves the version {r.VersionBefore} -> {r.VersionAfter}");
                    }
                }
            }
        }

        /// <summary>Checks every published snapshot, and polls Current: the version never goes back.</summary>
        private void Check()
        {
            var last = 0L;
            while (true)
            {
                var stopping = _stopChecker;
                var current = System.Current;
                Interlocked.Increment(ref CurrentPolls);
                if (current.Version < last)
                {
                    Fail($"Current went back from version {last} to {current.Version}");
                }
                last = current.Version;
                if (!current.VfioApBinds || !System.Drivers.IsRegistered(Core.Drivers.WellKnownDrivers.VfioAp))
                {
                    Fail($"vfio_ap is not registered at version {current.Version}");
                }
                var drained = 0;
                while (_published.TryDequeue(out var s))
                {
                    drained++;
                    Interlocked.Increment(ref SnapshotsChecked);
                    foreach (var v in SnapshotInvariants.Violations(s))
                    {
                        Fail($"snapshot: {v}");
                    }
                }
                if (stopping && drained == 0)
                {
                    return;
                }
                if (drained == 0)
                {
                    Thread.Sleep(1);
                }
            }
        }

        private void Verify(List<StressClient> clients)
        {
            var final = System.Current;
            foreach (var v in SnapshotInvariants.Violations(final))
            {
                Fail($"final snapshot: {v}");
            }
            var delta = FinalVersion - InitialVersion;
            if (CommitsByResponses != delta || _auditCommitted != delta)
            {
                Fail($"versions {InitialVersion} -> {FinalVersion} (+{delta}), 2xx responses that committed {CommitsByResponses}, committed audit records {_auditCommitted}");
            }
            var expected = Enumerable.Range(1, (int)delta).Select(i => InitialVersion + i);
            if (!_committedVersions.Order().SequenceEqual(expected))
            {
                Fail("the committed audit records' versionAfter values are not exactly the versions in between");
            }
            if (SnapshotsChecked != delta || _publishGaps != 0)
            {
                Fail($"{SnapshotsChecked} snapshots published and checked for {delta} committed steps, {_publishGaps} publish gaps");
            }
            var journal = System.Journal;
            var fromStore = journal.ReadAudit(0, int.MaxValue);
            if (fromStore.Count > 0 && fromStore[0].Seq == 1)
            {
                // The in-memory trail still holds everything: count again from the store.
                var committed = fromStore.Count(r => r.Committed && r.VersionBefore >= InitialVersion);
                if (committed != delta)
                {
                    Fail($"ReadAudit lists {committed} committed records for {delta} versions");
                }
            }
            foreach (var probe in Churn!.Probes)
            {
                if (probe.Violations != 0)
                {
                    Fail($"{probe.Name}: its in_use callback ran after UnregisterDriver returned ({probe.Violations} times)");
                }
                if (probe.CallsAtUnregister >= 0 && probe.Calls != probe.CallsAtUnregister)
                {
                    Fail($"{probe.Name}: {probe.Calls - probe.CallsAtUnregister} calls after it was unregistered");
                }
            }
            if (Churn.Registrations == 0 || Churn.Probes.Sum(p => p.Calls) == 0)
            {
                Fail($"the driver churn did not overlap the load: {Churn.Registrations} registrations, {Churn.Probes.Sum(p => p.Calls)} callback calls");
            }
            if (MaskCommits == 0 || InUseRefusals == 0)
            {
                Fail($"the load did not exercise the bus: {MaskCommits} committed mask writes, {InUseRefusals} in-use refusals");
            }
            foreach (var c in clients.Where(c => c.Requests == 0))
            {
                Fail($"client {c.Index} sent nothing");
            }
        }

        public string Summary()
        {
            var seconds = Math.Max(0.001, _clock.Elapsed.TotalSeconds);
            var total = Statuses.Values.Sum();
            var b = new StringBuilder();
            b.AppendLine(CultureInfo.InvariantCulture, $"stress seed {_seed} (replay with APMANAGER_STRESS_SEED={_seed}): {Clients} clients, {seconds:F1} s, {total} requests ({total / seconds:F0}/s)");
            b.AppendLine(CultureInfo.InvariantCulture, $"by class: {string.Join(", ", Statuses.GroupBy(s => s.Key / 100).OrderBy(g => g.Key).Select(g => $"{g.Key}xx={g.Sum(s => s.Value)}"))}");
            b.AppendLine(CultureInfo.InvariantCulture, $"by status: {string.Join(", ", Statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}={s.Value}"))}");
            b.AppendLine(CultureInfo.InvariantCulture, $"operations: {string.Join(", ", Operations.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key}={o.Value}"))}");
            b.AppendLine(CultureInfo.InvariantCulture, $"versions {InitialVersion} -> {FinalVersion}: {CommitsByResponses} committing 2xx responses ({MaskCommits} mask writes), {_auditCommitted} committed audit records of {_auditRecords} ({_auditDryRuns} dry runs, {_auditRefused} refused)");
            b.AppendLine(CultureInfo.InvariantCulture, $"checks: {SnapshotsChecked} published snapshots fully checked, {CurrentPolls} polls of Current, {VersionChecks} response version checks, {ReadChecks} read-your-writes/read checks, {InUseRefusals} in-use refusals ({ProbeRefusals} by the test driver)");
            if (Churn is { } churn)
            {
                b.AppendLine(CultureInfo.InvariantCulture, $"driver churn: {churn.Registrations} register/unregister cycles, {churn.TakenNameRefusals} taken-name refusals, {churn.Probes.Sum(p => p.Calls)} callback calls, {churn.Probes.Sum(p => p.Violations)} violations; registered {churn.Registered.TotalSeconds:F1} s, inside UnregisterDriver {churn.Unregistering.TotalSeconds:F1} s; {InUseQueries} mask writes reached the in_use check");
            }
            return b.ToString();
        }

        public string Report() =>
            $"seed {_seed} (replay with APMANAGER_STRESS_SEED={_seed}): {Failures.Count} failures" + Environment.NewLine +
            string.Join(Environment.NewLine, Failures.Take(60)) + Environment.NewLine + Summary();
    }

    /// <summary>What a client knows about a matrix device only it touches.</summary>
    private sealed class DeviceModel(Guid id)
    {
        public Guid Id { get; } = id;

        public SortedSet<int> Adapters { get; } = [];

        public SortedSet<int> Domains { get; } = [];

        public SortedSet<int> ControlDomains { get; } = [];

        public string? Guest { get; set; }

        public SortedSet<int> Set(string kind) => kind switch
        {
            "adapters" => Adapters,
            "domains" => Domains,
            _ => ControlDomains,
        };
    }

    private sealed record Reply(int Status, JsonNode? Body, string? ETag, long VersionBefore, long VersionAfter)
    {
        public string? ProblemType => Status >= 400 ? (string?)Body?["type"] : null;

        public string Text => Body?.ToJsonString() ?? "(no body)";
    }

    /// <summary>
    /// One client. It owns apmask bit 8+c (adapter 8+c, free at start), aqmask bit 20+c for
    /// c &lt; 12, adapter [3,4,5,6,7][c] for c &lt; 5, its matrix device and a few temporary
    /// devices: for those it knows whether a 2xx committed a change, so every commit is counted.
    /// Devices take adapters 8..39 and 3..7 and domains from a shared pool, so clients collide.
    /// </summary>
    private sealed class StressClient(StressRun run, HttpClient http, int index, Random rng)
    {
        private static readonly int[] DomainPool = [4, 5, 6, 71, 72, .. Enumerable.Range(20, 12), .. Enumerable.Range(40, 5)];
        private static readonly int[] OwnedAdapters = [3, 4, 5, 6, 7];

        // Apmask bits this client alone writes: adapter 8+c (devices compete for it) and 64+c (above MaxAdapterId).
        private readonly int[] _apBits = [8 + index, 64 + index];
        private readonly int? _aqBit = index < 12 ? 20 + index : null;
        private readonly int? _adapter = index < OwnedAdapters.Length ? OwnedAdapters[index] : null;
        private readonly List<DeviceModel> _temporary = [];
        private readonly bool[] _apSet = [false, true];
        private bool _aqSet = true;
        private bool _objectedSet;
        private bool _configured = true;
        private DeviceModel _device = null!;
        private long _lastCommitted;
        private long _lastListVersion;

        public int Index { get; } = index;

        public long Requests { get; private set; }

        private bool Chance(double p) => rng.NextDouble() < p;

        private T Pick<T>(IReadOnlyList<T> items) => items[rng.Next(items.Count)];

        public async Task SetupAsync()
        {
            _device = new DeviceModel(NewGuid());
            var created = await http.PostAsync("/api/mdevs", JsonContent.Create(new { uuid = _device.Id, name = $"stress-{Index}" }));
            Assert.Equal(201, (int)created.StatusCode);
        }

        private Guid NewGuid()
        {
            Span<byte> bytes = stackalloc byte[16];
            rng.NextBytes(bytes);
            bytes[7] = (byte)((bytes[7] & 0x0f) | 0x40);
            bytes[8] = (byte)((bytes[8] & 0x3f) | 0x80);
            return new Guid(bytes);
        }

        public async Task RunAsync(DateTime deadline)
        {
            try
            {
                while (DateTime.UtcNow < deadline && run.Failures.Count < 100)
                {
                    var roll = rng.Next(100);
                    var dryRun = Chance(0.08);
                    if (Index == Clients - 1 && Chance(0.1))
                    {
                        // The last client also owns apmask bit 250, which the test driver objects to.
                        roll = 19;
                    }
                    switch (roll)
                    {
                        case < 12: await ToggleApmaskAsync(dryRun); break;
                        case < 16: await ToggleAqmaskAsync(dryRun); break;
                        case < 19: await InUseProbeAsync(dryRun); break;
                        case < 21: await ToggleObjectedAsync(); break;
                        case < 34: await AssignAsync(_device, dryRun); break;
                        case < 40: await ReplaceConfigAsync(_device, dryRun); break;
                        case < 46: await GuestAsync(dryRun); break;
                        case < 52: await TemporaryDeviceAsync(dryRun); break;
                        case < 55: await ConfigureAdapterAsync(dryRun); break;
                        default: await ReadAsync(); break;
                    }
                }
            }
            catch (Exception ex)
            {
                run.Fail($"client {Index} crashed: {ex}");
            }
        }

        // ------------------------------------------------------------ HTTP

        private async Task<Reply> SendAsync(string operation, HttpMethod method, string path, HttpContent? content = null, bool dryRun = false)
        {
            run.Count(dryRun ? operation + "(dry)" : operation);
            using var request = new HttpRequestMessage(method, dryRun ? path + "?dryRun=true" : path) { Content = content };
            var before = run.System.Current.Version;
            using var response = await http.SendAsync(request);
            var bytes = await response.Content.ReadAsByteArrayAsync();
            var after = run.System.Current.Version;
            Requests++;
            var status = (int)response.StatusCode;
            run.Statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
            JsonNode? body = null;
            var mediaType = response.Content.Headers.ContentType?.MediaType;
            if (bytes.Length > 0 && mediaType is "application/json" or "application/problem+json")
            {
                body = JsonNode.Parse(bytes);
            }
            var reply = new Reply(status, body, response.Headers.ETag?.Tag, before, after);
            if (status >= 500)
            {
                run.Fail($"client {Index}: {method} {path} answered {status}: {reply.Text}");
            }
            else if (status >= 400 && (mediaType != "application/problem+json" || body?["type"] is null || body["title"] is null || body["detail"] is null || (int?)body["status"] != status))
            {
                run.Fail($"client {Index}: {method} {path} answered {status} without a complete problem: {mediaType} {reply.Text}");
            }
            if (dryRun && status is >= 200 and < 300 && (bool?)body?["dryRun"] != true)
            {
                run.Fail($"client {Index}: dry run {method} {path} answered {status} without dryRun: true: {reply.Text}");
            }
            return reply;
        }

        private void Unexpected(string what, Reply reply) =>
            run.Fail($"client {Index}: {what} answered {reply.Status} {reply.ProblemType}: {reply.Text}");

        /// <summary>A 2xx that changed state: its version must lie after everything this client saw committed.</summary>
        private void Committed(string what, long? version)
        {
            Interlocked.Increment(ref run.CommitsByResponses);
            if (version is not { } v)
            {
                return;
            }
            Interlocked.Increment(ref run.VersionChecks);
            if (v <= _lastCommitted)
            {
                run.Fail($"client {Index}: {what} committed version {v}, not after its previous commit {_lastCommitted}");
            }
            _lastCommitted = v;
        }

        private void CheckCommitVersion(string what, Reply reply, long? version)
        {
            if (version is { } v && (v <= reply.VersionBefore || v > reply.VersionAfter))
            {
                run.Fail($"client {Index}: {what} committed version {v} outside ({reply.VersionBefore}, {reply.VersionAfter}]");
            }
        }

        // ------------------------------------------------------------ masks

        private static bool Bit(JsonNode? body, string member, int bit)
        {
            var text = (string?)body?[member];
            return text is not null && text.Length == 66 &&
                (Convert.ToInt32(text[2 + (bit / 4)].ToString(), 16) & (8 >> (bit % 4))) != 0;
        }

        /// <summary>Read-your-writes: the bits only this client writes read as it last wrote them.</summary>
        private bool OwnBitsRead(JsonNode? body) =>
            Bit(body, "apmask", _apBits[0]) == _apSet[0] && Bit(body, "apmask", _apBits[1]) == _apSet[1] &&
            (_aqBit is not { } d || Bit(body, "aqmask", d) == _aqSet);

        private HttpContent MaskContent(string mask)
        {
            return Chance(0.3)
                ? new StringContent(mask + "\n", Encoding.UTF8, "text/plain")
                : JsonContent.Create(new { mask });
        }

        private async Task ToggleApmaskAsync(bool dryRun)
        {
            var k = Chance(0.75) ? 0 : 1;
            var bit = _apBits[k];
            var set = Chance(0.85) ? !_apSet[k] : _apSet[k];
            var mask = (set ? "+" : "-") + bit.ToString(CultureInfo.InvariantCulture);
            var viaPatch = _aqBit is not null && Chance(0.25);
            Reply reply;
            var aqWant = _aqSet;
            if (viaPatch)
            {
                aqWant = Chance(0.5) ? !_aqSet : _aqSet;
                reply = await SendAsync("patch-masks", HttpMethod.Patch, "/api/bus/masks",
                    JsonContent.Create(new { apmask = mask, aqmask = (aqWant ? "+" : "-") + _aqBit!.Value.ToString(CultureInfo.InvariantCulture) }), dryRun);
            }
            else
            {
                reply = await SendAsync("apmask", HttpMethod.Put, "/api/bus/apmask", MaskContent(mask), dryRun);
            }
            var changes = set != _apSet[k] || aqWant != _aqSet;
            var sets = (set && !_apSet[k]) || (aqWant && !_aqSet);
            if (sets)
            {
                Interlocked.Increment(ref run.InUseQueries);
            }
            if (reply.Status == 409 && sets && reply.ProblemType == "/problems/queues-in-use")
            {
                Interlocked.Increment(ref run.InUseRefusals);
                CheckOffenders(reply, set && !_apSet[k] ? bit : null, aqWant && !_aqSet ? _aqBit : null);
                return;
            }
            if (reply.Status != 200)
            {
                Unexpected($"mask write {mask}{(viaPatch ? " (PATCH)" : string.Empty)}", reply);
                return;
            }
            if (dryRun)
            {
                return;
            }
            var version = (long?)reply.Body?["version"];
            if (changes)
            {
                CheckCommitVersion(mask, reply, version);
                Committed(mask, version);
                Interlocked.Increment(ref run.MaskCommits);
            }
            (_apSet[k], _aqSet) = (set, aqWant);
            if (!OwnBitsRead(reply.Body))
            {
                run.Fail($"client {Index}: after {mask} its own bits read wrong: {reply.Text}");
            }
        }

        private async Task ToggleAqmaskAsync(bool dryRun)
        {
            if (_aqBit is not { } d)
            {
                await ToggleApmaskAsync(dryRun);
                return;
            }
            var set = Chance(0.85) ? !_aqSet : _aqSet;
            var mask = (set ? "+" : "-") + d.ToString(CultureInfo.InvariantCulture);
            var reply = await SendAsync("aqmask", HttpMethod.Put, "/api/bus/aqmask", MaskContent(mask), dryRun);
            if (set && !_aqSet)
            {
                Interlocked.Increment(ref run.InUseQueries);
            }
            if (reply.Status == 409 && set && !_aqSet && reply.ProblemType == "/problems/queues-in-use")
            {
                Interlocked.Increment(ref run.InUseRefusals);
                CheckOffenders(reply, null, d);
                return;
            }
            if (reply.Status != 200)
            {
                Unexpected($"aqmask write {mask}", reply);
                return;
            }
            if (dryRun)
            {
                return;
            }
            var version = (long?)reply.Body?["version"];
            if (set != _aqSet)
            {
                CheckCommitVersion(mask, reply, version);
                Committed(mask, version);
                Interlocked.Increment(ref run.MaskCommits);
            }
            _aqSet = set;
            if (!OwnBitsRead(reply.Body))
            {
                run.Fail($"client {Index}: after aqmask {mask} its own bit reads wrong: {reply.Text}");
            }
        }

        /// <summary>Offenders of a refused write lie in what it asked for, with a refusing driver and, for vfio_ap, the device.</summary>
        private void CheckOffenders(Reply reply, int? adapter, int? domain)
        {
            var offenders = reply.Body?["offendingApqns"]?.AsArray();
            if (offenders is null || offenders.Count == 0 || (string?)reply.Body?["errno"] != "EBUSY")
            {
                run.Fail($"client {Index}: queues-in-use without offenders or EBUSY: {reply.Text}");
                return;
            }
            if (offenders.Any(o => ((string?)o?["driver"])?.StartsWith(DriverProbe.Prefix, StringComparison.Ordinal) == true))
            {
                Interlocked.Increment(ref run.ProbeRefusals);
            }
            foreach (var o in offenders)
            {
                var a = (int?)o?["adapter"];
                var d = (int?)o?["domain"];
                var driver = (string?)o?["driver"];
                var fromTestDriver = driver?.StartsWith(DriverProbe.Prefix, StringComparison.Ordinal) == true;
                var inQuery = (adapter is { } qa && a == qa) || (domain is { } qd && d == qd);
                var valid = driver == "vfio_ap" ? o?["mdev"] is not null : fromTestDriver && a == DriverProbe.ObjectedAdapter;
                if (!inQuery || !valid)
                {
                    run.Fail($"client {Index}: offender {o?.ToJsonString()} does not belong to the write (adapter {adapter}, domain {domain})");
                }
            }
        }

        /// <summary>Adapters 5 and 6 are held by the demo devices A and B, which nobody touches: +5/+6 are always refused.</summary>
        private async Task InUseProbeAsync(bool dryRun)
        {
            var (mask, expected) = Pick<(string, string[])>(
            [
                ("+5", ["05.0004", "05.0047"]),
                ("+6", ["06.0004"]),
                ("+5,+6", ["05.0004", "05.0047", "06.0004"]),
                ("+5-6", ["05.0004", "05.0047", "06.0004"]),
            ]);
            var reply = await SendAsync("apmask +5/+6", HttpMethod.Put, "/api/bus/apmask", MaskContent(mask), dryRun);
            Interlocked.Increment(ref run.InUseQueries);
            if (reply.Status != 409 || reply.ProblemType != "/problems/queues-in-use")
            {
                Unexpected($"apmask {mask}", reply);
                return;
            }
            Interlocked.Increment(ref run.InUseRefusals);
            var offenders = reply.Body?["offendingApqns"]?.AsArray().Select(o => ((string?)o?["apqn"], (string?)o?["mdev"], (string?)o?["guest"])).ToList() ?? [];
            foreach (var apqn in expected)
            {
                var (mdev, guest) = apqn.StartsWith("05", StringComparison.Ordinal)
                    ? (ApManagerApplication.DeviceA, "guest-a")
                    : (ApManagerApplication.DeviceB, (string?)null);
                if (!offenders.Contains((apqn, mdev, guest)))
                {
                    run.Fail($"client {Index}: apmask {mask} refusal misses {apqn} of {mdev} (guest {guest ?? "null"}): {reply.Text}");
                }
            }
        }

        /// <summary>Bit 250: refused exactly while a test driver is registered (it objects to adapter 250).</summary>
        private async Task ToggleObjectedAsync()
        {
            if (Index != Clients - 1)
            {
                await ReadAsync();
                return;
            }
            var set = !_objectedSet;
            var mask = (set ? "+" : "-") + DriverProbe.ObjectedAdapter.ToString(CultureInfo.InvariantCulture);
            var reply = await SendAsync("apmask 250", HttpMethod.Put, "/api/bus/apmask", MaskContent(mask));
            if (set)
            {
                Interlocked.Increment(ref run.InUseQueries);
            }
            if (reply.Status == 409 && set && reply.ProblemType == "/problems/queues-in-use")
            {
                Interlocked.Increment(ref run.InUseRefusals);
                CheckOffenders(reply, DriverProbe.ObjectedAdapter, null);
                return;
            }
            if (reply.Status != 200)
            {
                Unexpected($"apmask {mask}", reply);
                return;
            }
            CheckCommitVersion(mask, reply, (long?)reply.Body?["version"]);
            Committed(mask, (long?)reply.Body?["version"]);
            Interlocked.Increment(ref run.MaskCommits);
            _objectedSet = set;
        }

        // ------------------------------------------------------------ devices

        private int AdapterId() => rng.Next(100) switch
        {
            < 70 => rng.Next(8, 8 + Clients),
            < 92 => rng.Next(3, 8),
            _ => Pick<int>([64, 100, 255]),
        };

        private int DomainId() => Chance(0.05) ? Pick<int>([85, 200]) : Pick(DomainPool);

        private int ControlDomainId() => Chance(0.05) ? 85 : rng.Next(0, 85);

        private static string Path(DeviceModel device) => $"/api/mdevs/{device.Id}";

        private async Task AssignAsync(DeviceModel device, bool dryRun)
        {
            var kind = Pick<string>(["adapters", "adapters", "domains", "domains", "control-domains"]);
            var id = kind switch
            {
                "adapters" => AdapterId(),
                "domains" => DomainId(),
                _ => ControlDomainId(),
            };
            var max = kind == "adapters" ? 63 : 84;
            var set = device.Set(kind);
            var assign = set.Count == 0 || Chance(0.6);
            if (!assign && Chance(0.8) && set.Count > 0)
            {
                id = set.ElementAt(rng.Next(set.Count));
            }
            var path = $"{Path(device)}/{kind}/{id.ToString(CultureInfo.InvariantCulture)}";
            var reply = await SendAsync(assign ? "assign" : "unassign", assign ? HttpMethod.Put : HttpMethod.Delete, path, null, dryRun);
            var what = $"{(assign ? "PUT" : "DELETE")} {path}";
            if (id > max)
            {
                if (reply.Status != 400 || reply.ProblemType != "/problems/id-out-of-range")
                {
                    Unexpected(what, reply);
                }
                return;
            }
            var noOp = set.Contains(id) == assign;
            if (reply.Status == 409 && assign && !noOp && kind != "control-domains" &&
                reply.ProblemType is "/problems/apqn-owned-by-host" or "/problems/apqn-conflict")
            {
                return;
            }
            if (reply.Status != 200)
            {
                Unexpected(what + (noOp ? " (no-op)" : string.Empty), reply);
                return;
            }
            if (dryRun)
            {
                return;
            }
            if (!noOp)
            {
                var version = (long?)reply.Body?["version"];
                CheckCommitVersion(what, reply, version);
                Committed(what, version);
                if (assign)
                {
                    set.Add(id);
                }
                else
                {
                    set.Remove(id);
                }
            }
            CheckDevice(what, device, reply.Body);
        }

        private async Task ReplaceConfigAsync(DeviceModel device, bool dryRun)
        {
            var adapters = Enumerable.Range(0, rng.Next(0, 4)).Select(_ => AdapterId()).ToList();
            var domains = Enumerable.Range(0, rng.Next(0, 4)).Select(_ => DomainId()).ToList();
            var control = Enumerable.Range(0, rng.Next(0, 3)).Select(_ => ControlDomainId()).ToList();
            if (Chance(0.15))
            {
                (adapters, domains, control) = ([.. device.Adapters], [.. device.Domains], [.. device.ControlDomains]);
            }
            var reply = await SendAsync("config", HttpMethod.Put, $"{Path(device)}/config",
                JsonContent.Create(new { adapters, domains, controlDomains = control }), dryRun);
            var what = $"PUT config {string.Join(",", adapters)} x {string.Join(",", domains)} / {string.Join(",", control)}";
            if (adapters.Any(a => a > 63) || domains.Any(d => d > 84) || control.Any(d => d > 84))
            {
                if (reply.Status != 400 || reply.ProblemType != "/problems/id-out-of-range")
                {
                    Unexpected(what, reply);
                }
                return;
            }
            var noOp = device.Adapters.SetEquals(adapters) && device.Domains.SetEquals(domains) && device.ControlDomains.SetEquals(control);
            if (reply.Status == 409 && !noOp && reply.ProblemType is "/problems/apqn-owned-by-host" or "/problems/apqn-conflict")
            {
                return;
            }
            if (reply.Status != 200)
            {
                Unexpected(what + (noOp ? " (no-op)" : string.Empty), reply);
                return;
            }
            if (dryRun)
            {
                return;
            }
            if (!noOp)
            {
                var version = (long?)reply.Body?["version"];
                CheckCommitVersion(what, reply, version);
                Committed(what, version);
                Replace(device.Adapters, adapters);
                Replace(device.Domains, domains);
                Replace(device.ControlDomains, control);
            }
            CheckDevice(what, device, reply.Body);
        }

        private static void Replace(SortedSet<int> set, IEnumerable<int> values)
        {
            set.Clear();
            set.UnionWith(values);
        }

        private async Task GuestAsync(bool dryRun)
        {
            var own = $"stress-guest-{Index.ToString(CultureInfo.InvariantCulture)}";
            var roll = rng.Next(10);
            if (roll == 0)
            {
                // guest-a holds device A: attaching it elsewhere is always refused.
                var refused = await SendAsync("attach guest-a", HttpMethod.Put, $"{Path(_device)}/guest", JsonContent.Create(new { name = "guest-a" }), dryRun);
                var expected = _device.Guest is null ? "/problems/guest-has-mdev" : "/problems/mdev-in-use";
                if (refused.Status != 409 || refused.ProblemType != expected)
                {
                    Unexpected("attach guest-a", refused);
                }
                return;
            }
            var attach = roll < 6;
            var reply = attach
                ? await SendAsync("attach", HttpMethod.Put, $"{Path(_device)}/guest", JsonContent.Create(new { name = own }), dryRun)
                : await SendAsync("detach", HttpMethod.Delete, $"{Path(_device)}/guest", null, dryRun);
            if (reply.Status != 200)
            {
                Unexpected(attach ? "attach" : "detach", reply);
                return;
            }
            if (dryRun)
            {
                return;
            }
            var want = attach ? own : null;
            if (_device.Guest != want)
            {
                var version = (long?)reply.Body?["version"];
                CheckCommitVersion(attach ? "attach" : "detach", reply, version);
                Committed(attach ? "attach" : "detach", version);
                _device.Guest = want;
            }
            CheckDevice(attach ? "attach" : "detach", _device, reply.Body);
        }

        private async Task TemporaryDeviceAsync(bool dryRun)
        {
            var roll = rng.Next(10);
            if (_temporary.Count == 0 || (roll < 3 && _temporary.Count < 3))
            {
                var device = new DeviceModel(NewGuid());
                var reply = await SendAsync("create", HttpMethod.Post, "/api/mdevs", JsonContent.Create(new { uuid = device.Id, name = $"temp-{Index}" }), dryRun);
                if (reply.Status != 201)
                {
                    Unexpected("create", reply);
                    return;
                }
                if (!dryRun)
                {
                    var version = (long?)reply.Body?["version"];
                    CheckCommitVersion("create", reply, version);
                    Committed("create", version);
                    _temporary.Add(device);
                    CheckDevice("create", device, reply.Body);
                }
                return;
            }
            var target = Pick(_temporary);
            if (roll < 6)
            {
                var reply = await SendAsync("delete", HttpMethod.Delete, Path(target), null, dryRun);
                if (reply.Status != (dryRun ? 200 : 204))
                {
                    Unexpected("delete", reply);
                    return;
                }
                if (!dryRun)
                {
                    Committed("delete", null);
                    _temporary.Remove(target);
                }
                return;
            }
            if (roll < 8)
            {
                await AssignAsync(target, dryRun);
            }
            else
            {
                await ReplaceConfigAsync(target, dryRun);
            }
        }

        private void CheckDevice(string what, DeviceModel device, JsonNode? body)
        {
            Interlocked.Increment(ref run.ReadChecks);
            static int[] Ints(JsonNode? n) => n?.AsArray().Select(x => (int)x!).ToArray() ?? [];
            if ((string?)body?["uuid"] != device.Id.ToString() || !Ints(body?["adapters"]).SequenceEqual(device.Adapters) ||
                !Ints(body?["domains"]).SequenceEqual(device.Domains) || !Ints(body?["controlDomains"]).SequenceEqual(device.ControlDomains) ||
                (string?)body?["guest"] != device.Guest)
            {
                run.Fail($"client {Index}: after {what} device {device.Id} reads {body?.ToJsonString()}, expected adapters {string.Join(",", device.Adapters)} " +
                    $"domains {string.Join(",", device.Domains)} control {string.Join(",", device.ControlDomains)} guest {device.Guest ?? "null"}");
            }
            var matrix = body?["matrix"]?.AsArray().Select(x => (string?)x).ToHashSet() ?? [];
            if (body?["guestMatrix"]?.AsArray().Any(x => !matrix.Contains((string?)x)) == true)
            {
                run.Fail($"client {Index}: device {device.Id} has a guest matrix outside its matrix: {body.ToJsonString()}");
            }
        }

        // ------------------------------------------------------------ adapters

        private async Task ConfigureAdapterAsync(bool dryRun)
        {
            if (_adapter is not { } id)
            {
                await AssignAsync(_device, dryRun);
                return;
            }
            var want = Chance(0.85) ? !_configured : _configured;
            var reply = await SendAsync("configure", HttpMethod.Put, $"/api/adapters/{id.ToString(CultureInfo.InvariantCulture)}/configured",
                JsonContent.Create(new { configured = want }), dryRun);
            if (reply.Status != 200)
            {
                Unexpected($"configure adapter {id} = {want}", reply);
                return;
            }
            if (dryRun)
            {
                return;
            }
            if (want != _configured)
            {
                var version = (long?)reply.Body?["adapter"]?["version"];
                CheckCommitVersion("configure", reply, version);
                Committed("configure", version);
                _configured = want;
            }
            if ((bool?)reply.Body?["adapter"]?["configured"] != _configured)
            {
                run.Fail($"client {Index}: adapter {id} reads {reply.Text}, expected configured {_configured}");
            }
        }

        // ------------------------------------------------------------ reads

        private async Task ReadAsync()
        {
            switch (rng.Next(9))
            {
                case 0:
                case 1:
                {
                    var reply = await SendAsync("read bus", HttpMethod.Get, "/api/bus");
                    Interlocked.Increment(ref run.ReadChecks);
                    if (reply.Status != 200 || !OwnBitsRead(reply.Body) ||
                        (Index == Clients - 1 && Bit(reply.Body, "apmask", DriverProbe.ObjectedAdapter) != _objectedSet) ||
                        reply.ETag != $"\"{(long?)reply.Body?["version"]}\"" || Bit(reply.Body, "apmask", 5) || Bit(reply.Body, "apmask", 6))
                    {
                        run.Fail($"client {Index}: GET /api/bus reads {reply.Text} (ETag {reply.ETag}); own apmask bits {_apBits[0]}={_apSet[0]} {_apBits[1]}={_apSet[1]}, aqmask bit {_aqBit}={_aqSet}");
                    }
                    break;
                }
                case 2:
                {
                    var reply = await SendAsync("read device", HttpMethod.Get, Path(_device));
                    if (reply.Status != 200)
                    {
                        Unexpected("GET own device", reply);
                        return;
                    }
                    CheckDevice("GET", _device, reply.Body);
                    break;
                }
                case 3:
                {
                    var reply = await SendAsync("read mdevs", HttpMethod.Get, "/api/mdevs");
                    var version = long.Parse(reply.ETag?.Trim('"') ?? "0", CultureInfo.InvariantCulture);
                    Interlocked.Increment(ref run.ReadChecks);
                    if (reply.Status != 200 || version < _lastListVersion || version < _lastCommitted)
                    {
                        run.Fail($"client {Index}: GET /api/mdevs ETag {reply.ETag} after it saw version {Math.Max(_lastListVersion, _lastCommitted)}");
                    }
                    _lastListVersion = version;
                    break;
                }
                case 4:
                {
                    var reply = await SendAsync("read queues", HttpMethod.Get, $"/api/queues?mdev={_device.Id}");
                    Interlocked.Increment(ref run.ReadChecks);
                    if (reply.Status != 200 || reply.Body!.AsArray().Any(q => (string?)q?["mdev"] != _device.Id.ToString()))
                    {
                        run.Fail($"client {Index}: GET /api/queues?mdev= reads {reply.Text}");
                    }
                    break;
                }
                case 5:
                {
                    var reply = await SendAsync("read export", HttpMethod.Get, "/api/export");
                    CheckExport(reply);
                    break;
                }
                case 6:
                {
                    var name = run.Churn?.Current?.Name ?? "cex4queue";
                    var reply = await SendAsync("read queues by driver", HttpMethod.Get, $"/api/queues?driver={name}");
                    if (reply.Status is not (200 or 400))
                    {
                        Unexpected($"GET /api/queues?driver={name}", reply);
                    }
                    break;
                }
                case 7:
                {
                    var reply = await SendAsync("read drivers", HttpMethod.Get, "/api/drivers");
                    if (reply.Status != 200 || reply.Body!.AsArray().All(d => (string?)d?["name"] != "vfio_ap"))
                    {
                        Unexpected("GET /api/drivers", reply);
                    }
                    break;
                }
                default:
                {
                    var reply = await SendAsync("read audit", HttpMethod.Get, "/api/audit?limit=5&after=" + Math.Max(0, run.System.Journal.LastSeq - 5).ToString(CultureInfo.InvariantCulture));
                    if (reply.Status != 200)
                    {
                        Unexpected("GET /api/audit", reply);
                    }
                    break;
                }
            }
        }

        /// <summary>An export is one snapshot: I1 and I2 must hold in it as the mdevctl attributes say.</summary>
        private void CheckExport(Reply reply)
        {
            Interlocked.Increment(ref run.ReadChecks);
            if (reply.Status != 200)
            {
                Unexpected("GET /api/export", reply);
                return;
            }
            static ApMask Mask(string? text)
            {
                var result = ApMask.Empty;
                for (var bit = 0; text is { Length: 66 } && bit < 256; bit++)
                {
                    if ((Convert.ToInt32(text[2 + (bit / 4)].ToString(), 16) & (8 >> (bit % 4))) != 0)
                    {
                        result = result.With(bit);
                    }
                }
                return result;
            }
            var apm = Mask((string?)reply.Body?["apmask"]);
            var aqm = Mask((string?)reply.Body?["aqmask"]);
            var devices = new List<(string Id, ApMask A, ApMask D)>();
            foreach (var m in reply.Body?["mdevs"]?.AsArray() ?? [])
            {
                ApMask a = ApMask.Empty, d = ApMask.Empty;
                foreach (var attr in m!["mdevctl"]!["attrs"]!.AsArray())
                {
                    var (key, value) = attr!.AsObject().Single();
                    var n = IdText.TryParse((string)value!, out var parsed) == IdText.Error.None ? (int)parsed : -1;
                    if (key == "assign_adapter")
                    {
                        a = a.With(n);
                    }
                    else if (key == "assign_domain")
                    {
                        d = d.With(n);
                    }
                }
                devices.Add(((string)m["uuid"]!, a, d));
            }
            for (var i = 0; i < devices.Count; i++)
            {
                if (!(devices[i].A & apm).IsEmpty && !(devices[i].D & aqm).IsEmpty)
                {
                    run.Fail($"client {Index}: export at version {reply.Body?["version"]} breaks I2 for {devices[i].Id}");
                }
                for (var j = i + 1; j < devices.Count; j++)
                {
                    if (!(devices[i].A & devices[j].A).IsEmpty && !(devices[i].D & devices[j].D).IsEmpty)
                    {
                        run.Fail($"client {Index}: export at version {reply.Body?["version"]} breaks I1 for {devices[i].Id} and {devices[j].Id}");
                    }
                }
            }
        }
    }
}
