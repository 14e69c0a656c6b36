using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text;
using ApManager.Api.Access;
using ApManager.Api.Problems;
using ApManager.Api.Tests.Stress;
using ApManager.Core.Audit;
using ApManager.Core.Journal;
using ApManager.Core.Masks;
using ApManager.Core.State;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ApManager.Api.Tests.Fuzz;

/// <summary>
/// Issue #6 part A: tens of thousands of hostile requests across every route, checked one by one:
/// never a 5xx, every 4xx a complete problem, and the state changes only through 2xx responses
/// (dry runs and reads never), by exactly one version per committed step, every new state
/// consistent, every committed step in the audit trail.
/// <c>APMANAGER_FUZZ_REQUESTS</c> sets the count, <c>APMANAGER_FUZZ_SEED</c> replays a run.
/// </summary>
[Collection(HeavyCollection.Name)]
public class HostileInputFuzzTests(ITestOutputHelper output)
{
    /// <summary>
    /// The CI default: 50,000 requests take about 25 s on an idle 2-core machine (about 33 s of
    /// CPU); with other builds saturating both cores they took 67 s. Long runs raise it.
    /// </summary>
    public const int DefaultRequests = 50_000;

    private static readonly HashSet<string> Mutating = new(StringComparer.Ordinal) { "POST", "PUT", "PATCH", "DELETE" };

    private static readonly HashSet<string> KnownParameters = new(StringComparer.Ordinal) { "{uuid}", "{id}", "{apqn}", "{name}" };

    /// <summary>Every route the application maps, with every method it declares.</summary>
    public static List<FuzzRoute> Routes(ApManagerApplication app)
    {
        var routes = new List<FuzzRoute>();
        foreach (var endpoint in app.Services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>())
        {
            var pattern = "/" + endpoint.RoutePattern.RawText!.Trim('/');
            var roles = endpoint.Metadata.GetOrderedMetadata<RequiredRoleMetadata>().Select(r => r.Role).ToList();
            var role = roles.Contains(Roles.Admin) ? Roles.Admin : roles.Contains(Roles.Operator) ? Roles.Operator : roles.FirstOrDefault();
            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [])
            {
                routes.Add(new FuzzRoute(method, pattern, role));
            }
        }
        return [.. routes.Distinct().OrderBy(r => r.Key, StringComparer.Ordinal)];
    }

    [Fact]
    public async Task HostileRequestsNeverFailTheServerAndOnly2xxResponsesChangeTheState()
    {
        var requests = (int)TestEnvironment.Long("APMANAGER_FUZZ_REQUESTS", DefaultRequests);
        var seed = (int)TestEnvironment.Long("APMANAGER_FUZZ_SEED", Environment.TickCount & int.MaxValue);
        var run = await FuzzRun.ExecuteAsync(requests, seed);
        output.WriteLine(run.Summary());
        Assert.True(run.TotalFailures == 0, run.Report());
        Assert.True(run.Sent >= requests, $"seed {seed}: only {run.Sent} of {requests} requests sent");
    }

    /// <summary>What came back: the status (0 when the HTTP layer refused the request before the app, -1 on a client error).</summary>
    private sealed record FuzzResponse(int Status, string? ContentType, byte[]? Body, string? WwwAuthenticateHeader)
    {
        public string WwwAuthenticate => WwwAuthenticateHeader ?? string.Empty;
    }

    /// <summary>One fuzz run: state, counters and the failures found.</summary>
    private sealed class FuzzRun
    {
        private const int MaxDetailedFailures = 40;

        /// <summary>The pseudo status of a request the HTTP layer refused before the application saw it.</summary>
        public const int HostRejected = 0;

        private readonly ApManagerApplication _app;
        private readonly ApSystem _system;
        private readonly HttpClient _client;
        private readonly int _seed;
        private readonly Stopwatch _clock = new();
        private readonly Dictionary<string, int> _failureKinds = new(StringComparer.Ordinal);
        private readonly SortedDictionary<int, int> _statuses = [];
        private readonly SortedDictionary<string, int> _problemTypes = new(StringComparer.Ordinal);
        private readonly SortedDictionary<string, int> _perRoute = new(StringComparer.Ordinal);
        private readonly Dictionary<string, long> _routeTicks = new(StringComparer.Ordinal);
        private long _auditCommitted;
        private string? _beforeText;
        private long _auditRecords;
        private long _lastSeq;
        private long _seqGaps;

        private FuzzRun(ApManagerApplication app, int seed)
        {
            _app = app;
            _seed = seed;
            _system = app.Services.GetRequiredService<ApSystem>();
            _client = app.CreateClient(null);
            _system.Journal.Durable += OnDurable;
        }

        public List<string> Failures { get; } = [];

        public int Sent { get; private set; }

        public int TotalFailures { get; private set; }

        public int StateChecks { get; private set; }

        public int InvariantChecks { get; private set; }

        public int CommittedByResponses { get; private set; }

        public int MaskOracleChecks { get; private set; }

        public int ProblemChecks { get; private set; }

        public int MaskModelChecks { get; private set; }

        public int AccessChecks { get; private set; }

        public long InitialVersion { get; private set; }

        public long FinalVersion { get; private set; }

        public List<FuzzRoute> Routes { get; private set; } = [];

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

        private void OnDurable(IReadOnlyList<AuditRecord> records)
        {
            foreach (var r in records)
            {
                _auditRecords++;
                if (_lastSeq != 0 && r.Seq != _lastSeq + 1)
                {
                    _seqGaps++;
                }
                _lastSeq = r.Seq;
                if (r.Committed)
                {
                    _auditCommitted++;
                }
            }
        }

        private async Task RunAsync(int requests)
        {
            Routes = HostileInputFuzzTests.Routes(_app);
            foreach (var parameter in Routes.SelectMany(r => r.Pattern.Split('/')).Where(p => p.StartsWith('{')).Distinct())
            {
                Assert.True(KnownParameters.Contains(parameter), $"route parameter {parameter} has no generator: teach HostileRequests.FillPattern about it");
            }
            Assert.True(Routes.Count >= 25, $"only {Routes.Count} routes enumerated");
            var rng = new Random(_seed);
            var generator = new HostileRequests(rng, Routes);
            InitialVersion = _system.Current.Version;
            _beforeText = SnapshotInvariants.Describe(_system.Current);
            var before = _system.Current;
            var beforePrint = SnapshotInvariants.Fingerprint(before);
            _clock.Start();

            // Every route first, with its own method, so even a short run covers all of them.
            var forced = Routes.SelectMany(r => Enumerable.Repeat(r, 8)).ToList();
            for (var i = 0; i < requests; i++)
            {
                var g0 = Stopwatch.GetTimestamp();
                var request = i < forced.Count ? generator.Next(before, forced[i]) : generator.Next(before);
                _routeTicks["(generate)"] = _routeTicks.GetValueOrDefault("(generate)") + (Stopwatch.GetTimestamp() - g0);
                _perRoute[request.Route] = _perRoute.GetValueOrDefault(request.Route) + 1;
                var started = Stopwatch.GetTimestamp();
                var response = await SendAsync(request);
                var (status, contentType, body) = (response.Status, response.ContentType, response.Body);
                _routeTicks[request.Route] = _routeTicks.GetValueOrDefault(request.Route) + (Stopwatch.GetTimestamp() - started);
                Sent++;
                _statuses[status] = _statuses.GetValueOrDefault(status) + 1;
                var c0 = Stopwatch.GetTimestamp();
                CheckAccess(i, request, response);
                (before, beforePrint) = Check(i, request, status, contentType, body, before, beforePrint);
                _routeTicks["(check)"] = _routeTicks.GetValueOrDefault("(check)") + (Stopwatch.GetTimestamp() - c0);
                if (TotalFailures >= 2000)
                {
                    break;
                }
            }
            _clock.Stop();
            FinalVersion = _system.Current.Version;

            var final = _system.Current;
            InvariantChecks++;
            foreach (var v in SnapshotInvariants.Violations(final))
            {
                Fail("final-state", $"final state: {v}");
            }
            var ready = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/health/ready"));
            if ((int)ready.StatusCode != 200)
            {
                Fail("final-health", $"/health/ready answers {(int)ready.StatusCode} after the run");
            }
            if (_auditCommitted != FinalVersion - InitialVersion || CommittedByResponses != FinalVersion - InitialVersion || _seqGaps != 0)
            {
                Fail("audit", $"versions {InitialVersion}->{FinalVersion} (+{FinalVersion - InitialVersion}), committed audit records {_auditCommitted}, " +
                    $"2xx responses that committed {CommittedByResponses}, audit seq gaps {_seqGaps}");
            }
            foreach (var route in Routes.Where(r => _perRoute.GetValueOrDefault(r.Key) == 0))
            {
                Fail("coverage", $"route {route.Key} never fuzzed");
            }
        }

        private async Task<FuzzResponse> SendAsync(FuzzRequest r)
        {
            using var message = new HttpRequestMessage(new HttpMethod(r.Method), new Uri("http://localhost" + r.Target));
            if (r.Body is not null)
            {
                message.Content = new ByteArrayContent(r.Body);
                if (r.ContentType is not null)
                {
                    message.Content.Headers.TryAddWithoutValidation("Content-Type", r.ContentType);
                }
            }
            if (r.Authorization is not null)
            {
                message.Headers.TryAddWithoutValidation("Authorization", r.Authorization);
            }
            foreach (var (name, value) in r.Headers)
            {
                message.Headers.TryAddWithoutValidation(name, value);
            }
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(r.Streams ? 5 : 60));
            try
            {
                using var response = await _client.SendAsync(message, r.Streams ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead, timeout.Token);
                var contentType = response.Content.Headers.ContentType?.MediaType;
                if (r.Streams && contentType == "text/event-stream")
                {
                    // A live event stream never ends: the headers are the answer; disposing aborts it.
                    return new((int)response.StatusCode, contentType, null, response.Headers.WwwAuthenticate.ToString());
                }
                return new((int)response.StatusCode, contentType, await response.Content.ReadAsByteArrayAsync(timeout.Token), response.Headers.WwwAuthenticate.ToString());
            }
            catch (InvalidOperationException ex) when (ex.Message == "The path contains null characters.")
            {
                // The HTTP layer refuses a NUL in the decoded path before the application sees it
                // (TestServer throws, Kestrel answers 400 itself): nothing reached the app.
                return new(HostRejected, null, null, null);
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or InvalidOperationException)
            {
                Fail("exception", $"the request failed with {ex.GetType().Name}: {ex.Message}", r);
                return new(-1, null, null, null);
            }
        }

        private (ApSnapshot, int) Check(int index, FuzzRequest r, int status, string? contentType, byte[]? body, ApSnapshot before, int beforePrint)
        {
            if (status >= 500)
            {
                Fail($"5xx {r.Route}", $"#{index} answered {status}: {Text(body)}", r);
            }
            JsonElement? problem = null;
            if (status is >= 400 and < 500)
            {
                problem = CheckProblem(index, r, status, contentType, body);
            }
            CheckMaskOracle(index, r, status, problem);
            CheckMaskModel(index, r, status, problem, body, before);

            // The whole state: unchanged unless a mutating call succeeded for real.
            var after = _system.Current;
            var afterPrint = SnapshotInvariants.Fingerprint(after);
            var dryRun = DryRunRequested(r.Target);
            var mayChange = status is >= 200 and < 300 && Mutating.Contains(r.Method) && !dryRun;
            StateChecks++;
            if (!mayChange || after.Version == before.Version)
            {
                if (after.Version != before.Version || afterPrint != beforePrint)
                {
                    Fail($"state-changed {status} {r.Route}",
                        $"#{index} answered {status}{(dryRun ? " (dry run)" : string.Empty)} but the state moved from v{before.Version} to v{after.Version}: " +
                        $"{FirstDifference(_beforeText ?? "(not kept)", SnapshotInvariants.Describe(after))}; body {Text(body)}", r);
                }
                return (after, afterPrint);
            }
            if (after.Version != before.Version + 1)
            {
                Fail($"version-step {r.Route}", $"#{index} moved the version from {before.Version} to {after.Version} in one request", r);
            }
            CommittedByResponses++;
            InvariantChecks++;
            foreach (var v in SnapshotInvariants.Violations(after))
            {
                Fail($"invariant {r.Route}", $"#{index} ({status}) left an inconsistent state: {v}", r);
            }
            _beforeText = SnapshotInvariants.Describe(after);
            return (after, afterPrint);
        }

        private JsonElement? CheckProblem(int index, FuzzRequest r, int status, string? contentType, byte[]? body)
        {
            ProblemChecks++;
            if (contentType != "application/problem+json")
            {
                Fail($"problem-content-type {status} {r.Route}", $"#{index} answered {status} with Content-Type {contentType ?? "(none)"}: {Text(body)}", r);
                return null;
            }
            if (r.Method == "HEAD")
            {
                return null;
            }
            try
            {
                using var document = JsonDocument.Parse(body ?? []);
                var root = document.RootElement.Clone();
                var type = Member(root, "type", JsonValueKind.String)?.GetString();
                var title = Member(root, "title", JsonValueKind.String)?.GetString();
                var detail = Member(root, "detail", JsonValueKind.String)?.GetString();
                var problemStatus = Member(root, "status", JsonValueKind.Number)?.GetInt32();
                var name = type is not null && type.StartsWith("/problems/", StringComparison.Ordinal) ? type["/problems/".Length..] : null;
                if (name is null || ProblemCatalog.Find(name) is null || string.IsNullOrEmpty(title) || string.IsNullOrEmpty(detail) || problemStatus != status)
                {
                    Fail($"problem-shape {status} {r.Route}", $"#{index} answered {status} with an incomplete problem: {Text(body)}", r);
                }
                _problemTypes[$"{status} {name}"] = _problemTypes.GetValueOrDefault($"{status} {name}") + 1;
                return root;
            }
            catch (JsonException ex)
            {
                Fail($"problem-json {status} {r.Route}", $"#{index} answered {status} with a body that is not JSON ({ex.Message}): {Text(body)}", r);
                return null;
            }
        }

        /// <summary>SPEC §2.2: over 4096 bytes is E2BIG and never succeeds; positions lie inside the input.</summary>
        private void CheckMaskOracle(int index, FuzzRequest r, int status, JsonElement? problem)
        {
            if (r.MaskBytes.Count == 0 || r.Method == "HEAD")
            {
                return;
            }
            MaskOracleChecks++;
            if (status is >= 200 and < 300 && r.MaskBytes.Any(m => m.Value.Length > 4096))
            {
                Fail($"mask-e2big-accepted {r.Route}", $"#{index} accepted a mask write of {r.MaskBytes.Max(m => m.Value.Length)} bytes", r);
            }
            if (problem is not { } p || Member(p, "type", JsonValueKind.String)?.GetString() != "/problems/invalid-mask")
            {
                return;
            }
            var attribute = Member(p, "attribute", JsonValueKind.String)?.GetString();
            var errno = Member(p, "errno", JsonValueKind.String)?.GetString();
            var position = Member(p, "position", JsonValueKind.Number)?.GetInt32();
            if (attribute is null || !r.MaskBytes.TryGetValue(attribute, out var bytes))
            {
                Fail($"mask-attribute {r.Route}", $"#{index} invalid-mask names attribute {attribute ?? "(none)"}", r);
                return;
            }
            var expectedErrno = bytes.Length > 4096 ? "E2BIG" : "EINVAL";
            if (errno != expectedErrno || position is not { } at || at < 0 || at > Math.Min(bytes.Length, 4096) ||
                Member(p, "input", JsonValueKind.String) is null)
            {
                Fail($"mask-problem {r.Route}", $"#{index} {attribute} of {bytes.Length} bytes: errno {errno}, position {position} (expected {expectedErrno}, 0..{Math.Min(bytes.Length, 4096)})", r);
            }
        }

        /// <summary>
        /// Where the generator knows what a mask write does (valid syntax it built and did not
        /// mutate), a 2xx must show exactly that mask (a dry run too), and a write that sets no new
        /// bit can never be refused as in use (SPEC §4: clearing is never checked).
        /// </summary>
        private void CheckMaskModel(int index, FuzzRequest r, int status, JsonElement? problem, byte[]? body, ApSnapshot before)
        {
            if (r.MaskModels.Count == 0)
            {
                return;
            }
            var current = new Dictionary<string, ApMask> { ["apmask"] = before.Bus.Apmask, ["aqmask"] = before.Bus.Aqmask };
            if (status is >= 200 and < 300 && body is not null)
            {
                MaskModelChecks++;
                using var document = JsonDocument.Parse(body);
                foreach (var (attribute, model) in r.MaskModels)
                {
                    var expected = model(current[attribute]).ToString();
                    var shown = Member(document.RootElement, attribute, JsonValueKind.String)?.GetString();
                    if (shown != expected)
                    {
                        Fail($"mask-result {r.Route}", $"#{index} {attribute} write on {current[attribute]} answered {shown}, expected {expected}", r);
                    }
                }
            }
            var setsNothing = r.MaskModels.Count == r.MaskBytes.Count &&
                r.MaskModels.All(m => m.Value(current[m.Key]).Except(current[m.Key]).IsEmpty);
            if (setsNothing && problem is { } p && Member(p, "type", JsonValueKind.String)?.GetString() == "/problems/queues-in-use")
            {
                Fail($"mask-clear-refused {r.Route}", $"#{index} a write that sets no new bit was refused as in use", r);
            }
        }

        /// <summary>
        /// A caller without the route's role never gets a 2xx; one with it is never told 401/403;
        /// every 401 challenges with Bearer.
        /// </summary>
        private void CheckAccess(int index, FuzzRequest r, FuzzResponse response)
        {
            if (response.Status == 401 && !response.WwwAuthenticate.Contains("Bearer", StringComparison.Ordinal))
            {
                Fail($"401-challenge {r.Route}", $"#{index} answered 401 without WWW-Authenticate: Bearer", r);
            }
            var route = Routes.FirstOrDefault(x => x.Key == r.Route);
            if (route is null || route.Method != r.Method || route.Pattern.StartsWith("/api/events", StringComparison.Ordinal))
            {
                return;
            }
            AccessChecks++;
            var caller = RoleOf(r.Authorization);
            var sufficient = route.Role is null || (caller is not null && Rank(caller) >= Rank(route.Role));
            if (!sufficient && response.Status is >= 200 and < 300)
            {
                Fail($"access-granted {r.Route}", $"#{index} a {caller ?? "anonymous"} caller got {response.Status} on a {route.Role} route", r);
            }
            if (sufficient && response.Status is 401 or 403)
            {
                Fail($"access-denied {r.Route}", $"#{index} a {caller ?? "anonymous"} caller got {response.Status} on a {route.Role ?? "public"} route", r);
            }
        }

        private static int Rank(string role) => role switch
        {
            Roles.Admin => 3,
            Roles.Operator => 2,
            Roles.Viewer => 1,
            _ => 0,
        };

        /// <summary>The role the API-key handler grants for this Authorization header, or null.</summary>
        private static string? RoleOf(string? header)
        {
            if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }
            return header["Bearer ".Length..].Trim() switch
            {
                ApManagerApplication.AdminKey => Roles.Admin,
                ApManagerApplication.OperatorKey => Roles.Operator,
                ApManagerApplication.ViewerKey => Roles.Viewer,
                _ => null,
            };
        }

        private static JsonElement? Member(JsonElement element, string name, JsonValueKind kind) =>
            element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == kind ? value : null;

        /// <summary>Whether ASP.NET Core will bind <c>dryRun</c> to true from this query.</summary>
        private static bool DryRunRequested(string target)
        {
            var q = target.IndexOf('?', StringComparison.Ordinal);
            if (q < 0)
            {
                return false;
            }
            var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(target[q..]);
            return query.Where(kv => kv.Key.Equals("dryRun", StringComparison.OrdinalIgnoreCase))
                .SelectMany(kv => kv.Value)
                .Any(v => bool.TryParse(v, out var b) && b);
        }

        private static string FirstDifference(string a, string b)
        {
            var la = a.Split('\n');
            var lb = b.Split('\n');
            for (var i = 0; i < Math.Max(la.Length, lb.Length); i++)
            {
                var x = i < la.Length ? la[i] : "(none)";
                var y = i < lb.Length ? lb[i] : "(none)";
                if (x != y)
                {
                    return $"'{x}' became '{y}'";
                }
            }
            return "same text";
        }

        private static string Text(byte[]? body) => body is null ? "(no body)" : FuzzRequest.Printable(body, 400);

        private void Fail(string kind, string message, FuzzRequest? request = null)
        {
            var seen = _failureKinds.GetValueOrDefault(kind);
            _failureKinds[kind] = seen + 1;
            TotalFailures++;
            // The first occurrence of every kind is always kept in full; repeats only while there is room.
            if (seen == 0 || (seen < 3 && Failures.Count < MaxDetailedFailures))
            {
                Failures.Add($"[{kind}] {message}{(request is null ? string.Empty : Environment.NewLine + "    request: " + request.Describe())}");
            }
        }

        public string Summary()
        {
            var b = new StringBuilder();
            b.AppendLine(CultureInfo.InvariantCulture, $"fuzz seed {_seed} (replay with APMANAGER_FUZZ_SEED={_seed}): {Sent} requests in {_clock.Elapsed.TotalSeconds:F1} s ({Sent / Math.Max(0.001, _clock.Elapsed.TotalSeconds):F0}/s) over {Routes.Count} routes + unknown paths");
            b.AppendLine(CultureInfo.InvariantCulture, $"by class: {string.Join(", ", _statuses.GroupBy(s => s.Key / 100).Select(g => $"{g.Key}xx={g.Sum(s => s.Value)}"))}");
            b.AppendLine(CultureInfo.InvariantCulture, $"by status: {string.Join(", ", _statuses.Select(s => $"{s.Key}={s.Value}"))}");
            b.AppendLine(CultureInfo.InvariantCulture, $"problems: {string.Join(", ", _problemTypes.Select(s => $"{s.Key}={s.Value}"))}");
            b.AppendLine(CultureInfo.InvariantCulture, $"checks: {StateChecks} state comparisons, {ProblemChecks} problem bodies, {MaskOracleChecks} mask oracles, {MaskModelChecks} mask results against the generator's model, {AccessChecks} role checks, {InvariantChecks} full invariant checks");
            b.AppendLine(CultureInfo.InvariantCulture, $"final state: {_system.Current.Mdevs.Count} matrix devices, {_system.Current.Guests.Count} guests, {_system.Current.Queues.Count()} queues");
            b.AppendLine(CultureInfo.InvariantCulture, $"versions {InitialVersion} -> {FinalVersion}: {CommittedByResponses} committing 2xx responses, {_auditCommitted} committed audit records of {_auditRecords}");
            b.AppendLine(CultureInfo.InvariantCulture, $"process CPU time {Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:F1} s; generate {_routeTicks.GetValueOrDefault("(generate)") * 1000 / Stopwatch.Frequency} ms, check {_routeTicks.GetValueOrDefault("(check)") * 1000 / Stopwatch.Frequency} ms, gen0/1/2 GCs {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}");
            b.AppendLine(CultureInfo.InvariantCulture, $"per route (requests, ms spent): {string.Join(", ", _perRoute.Select(s => $"{s.Key}={s.Value} ({_routeTicks.GetValueOrDefault(s.Key) * 1000 / Stopwatch.Frequency} ms)"))}");
            return b.ToString();
        }

        public string Report() =>
            $"seed {_seed} (replay with APMANAGER_FUZZ_SEED={_seed}): {TotalFailures} failures" + Environment.NewLine +
            $"failure kinds: {string.Join(", ", _failureKinds.Select(k => $"{k.Key}={k.Value}"))}" + Environment.NewLine +
            string.Join(Environment.NewLine, Failures) + Environment.NewLine + Summary();
    }
}
