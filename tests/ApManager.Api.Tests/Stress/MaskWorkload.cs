using System.Globalization;
using System.Net.Http.Json;
using System.Text;

namespace ApManager.Api.Tests.Stress;

/// <summary>
/// A client's mask writes: its own bits, the in-use probes on adapters 5 and 6, and bit 250 which
/// the test driver refuses. After each it checks the refusal's offenders or reads its bits back.
/// </summary>
public sealed class MaskWorkload(ClientChannel channel, OwnMaskBits bits, Random rng)
{
    /// <summary>The same mask as text/plain (as echo writes it) or as JSON.</summary>
    private HttpContent MaskContent(string mask)
    {
        return rng.Chance(0.3)
            ? new StringContent(mask + "\n", Encoding.UTF8, "text/plain")
            : JsonContent.Create(new { mask });
    }

    /// <summary>Flips one of the client's own apmask bits (through PATCH with its aqmask bit now and then); setting one may be refused as in use.</summary>
    public async Task ToggleApmaskAsync(bool dryRun)
    {
        var k = rng.Chance(0.75) ? 0 : 1;
        var bit = bits.ApBits[k];
        var set = rng.Chance(0.85) ? !bits.ApSet[k] : bits.ApSet[k];
        var mask = (set ? "+" : "-") + bit.ToString(CultureInfo.InvariantCulture);
        var viaPatch = bits.AqBit is not null && rng.Chance(0.25);
        Reply reply;
        var aqWant = bits.AqSet;
        if (viaPatch)
        {
            aqWant = rng.Chance(0.5) ? !bits.AqSet : bits.AqSet;
            reply = await channel.SendAsync("patch-masks", HttpMethod.Patch, "/api/bus/masks",
                JsonContent.Create(new { apmask = mask, aqmask = (aqWant ? "+" : "-") + bits.AqBit!.Value.ToString(CultureInfo.InvariantCulture) }), dryRun);
        }
        else
        {
            reply = await channel.SendAsync("apmask", HttpMethod.Put, "/api/bus/apmask", MaskContent(mask), dryRun);
        }
        var changes = set != bits.ApSet[k] || aqWant != bits.AqSet;
        var sets = (set && !bits.ApSet[k]) || (aqWant && !bits.AqSet);
        if (sets)
        {
            Interlocked.Increment(ref channel.Counters.InUseQueries);
        }
        if (reply.Status == 409 && sets && reply.ProblemType == "/problems/queues-in-use")
        {
            Interlocked.Increment(ref channel.Counters.InUseRefusals);
            CheckOffenders(reply, set && !bits.ApSet[k] ? bit : null, aqWant && !bits.AqSet ? bits.AqBit : null);
            return;
        }
        if (reply.Status != 200)
        {
            channel.Unexpected($"mask write {mask}{(viaPatch ? " (PATCH)" : string.Empty)}", reply);
            return;
        }
        if (dryRun)
        {
            return;
        }
        var version = (long?)reply.Body?["version"];
        if (changes)
        {
            channel.Committed(mask, reply, version);
            Interlocked.Increment(ref channel.Counters.MaskCommits);
        }
        (bits.ApSet[k], bits.AqSet) = (set, aqWant);
        if (!bits.ReadBack(reply.Body))
        {
            channel.Fail($"after {mask} its own bits read wrong: {reply.Text}");
        }
    }

    /// <summary>Flips the client's own aqmask bit (an apmask bit for clients without one).</summary>
    public async Task ToggleAqmaskAsync(bool dryRun)
    {
        if (bits.AqBit is not { } d)
        {
            await ToggleApmaskAsync(dryRun);
            return;
        }
        var set = rng.Chance(0.85) ? !bits.AqSet : bits.AqSet;
        var mask = (set ? "+" : "-") + d.ToString(CultureInfo.InvariantCulture);
        var reply = await channel.SendAsync("aqmask", HttpMethod.Put, "/api/bus/aqmask", MaskContent(mask), dryRun);
        if (set && !bits.AqSet)
        {
            Interlocked.Increment(ref channel.Counters.InUseQueries);
        }
        if (reply.Status == 409 && set && !bits.AqSet && reply.ProblemType == "/problems/queues-in-use")
        {
            Interlocked.Increment(ref channel.Counters.InUseRefusals);
            CheckOffenders(reply, null, d);
            return;
        }
        if (reply.Status != 200)
        {
            channel.Unexpected($"aqmask write {mask}", reply);
            return;
        }
        if (dryRun)
        {
            return;
        }
        var version = (long?)reply.Body?["version"];
        if (set != bits.AqSet)
        {
            channel.Committed(mask, reply, version);
            Interlocked.Increment(ref channel.Counters.MaskCommits);
        }
        bits.AqSet = set;
        if (!bits.ReadBack(reply.Body))
        {
            channel.Fail($"after aqmask {mask} its own bit reads wrong: {reply.Text}");
        }
    }

    /// <summary>Offenders of a refused write lie in what it asked for, with a refusing driver and, for vfio_ap, the device.</summary>
    private void CheckOffenders(Reply reply, int? adapter, int? domain)
    {
        var offenders = reply.Body?["offendingApqns"]?.AsArray();
        if (offenders is null || offenders.Count == 0 || (string?)reply.Body?["errno"] != "EBUSY")
        {
            channel.Fail($"queues-in-use without offenders or EBUSY: {reply.Text}");
            return;
        }
        if (offenders.Any(o => ((string?)o?["driver"])?.StartsWith(DriverProbe.Prefix, StringComparison.Ordinal) == true))
        {
            Interlocked.Increment(ref channel.Counters.ProbeRefusals);
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
                channel.Fail($"offender {o?.ToJsonString()} does not belong to the write (adapter {adapter}, domain {domain})");
            }
        }
    }

    /// <summary>Adapters 5 and 6 are held by the demo devices A and B, which nobody touches: +5/+6 are always refused.</summary>
    public async Task InUseProbeAsync(bool dryRun)
    {
        var (mask, expected) = rng.Pick<(string, string[])>(
        [
            ("+5", ["05.0004", "05.0047"]),
            ("+6", ["06.0004"]),
            ("+5,+6", ["05.0004", "05.0047", "06.0004"]),
            ("+5-6", ["05.0004", "05.0047", "06.0004"]),
        ]);
        var reply = await channel.SendAsync("apmask +5/+6", HttpMethod.Put, "/api/bus/apmask", MaskContent(mask), dryRun);
        Interlocked.Increment(ref channel.Counters.InUseQueries);
        if (reply.Status != 409 || reply.ProblemType != "/problems/queues-in-use")
        {
            channel.Unexpected($"apmask {mask}", reply);
            return;
        }
        Interlocked.Increment(ref channel.Counters.InUseRefusals);
        var offenders = reply.Body?["offendingApqns"]?.AsArray().Select(o => ((string?)o?["apqn"], (string?)o?["mdev"], (string?)o?["guest"])).ToList() ?? [];
        foreach (var apqn in expected)
        {
            var (mdev, guest) = apqn.StartsWith("05", StringComparison.Ordinal)
                ? (ApManagerApplication.DeviceA, "guest-a")
                : (ApManagerApplication.DeviceB, (string?)null);
            if (!offenders.Contains((apqn, mdev, guest)))
            {
                channel.Fail($"apmask {mask} refusal misses {apqn} of {mdev} (guest {guest ?? "null"}): {reply.Text}");
            }
        }
    }

    /// <summary>Bit 250: refused exactly while a test driver is registered (it objects to adapter 250).</summary>
    public async Task ToggleObjectedAsync()
    {
        var set = !bits.ObjectedSet;
        var mask = (set ? "+" : "-") + DriverProbe.ObjectedAdapter.ToString(CultureInfo.InvariantCulture);
        var reply = await channel.SendAsync("apmask 250", HttpMethod.Put, "/api/bus/apmask", MaskContent(mask));
        if (set)
        {
            Interlocked.Increment(ref channel.Counters.InUseQueries);
        }
        if (reply.Status == 409 && set && reply.ProblemType == "/problems/queues-in-use")
        {
            Interlocked.Increment(ref channel.Counters.InUseRefusals);
            CheckOffenders(reply, DriverProbe.ObjectedAdapter, null);
            return;
        }
        if (reply.Status != 200)
        {
            channel.Unexpected($"apmask {mask}", reply);
            return;
        }
        channel.Committed(mask, reply, (long?)reply.Body?["version"]);
        Interlocked.Increment(ref channel.Counters.MaskCommits);
        bits.ObjectedSet = set;
    }
}
