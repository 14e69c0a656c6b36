using System.Globalization;
using System.Net.Http.Json;

namespace ApManager.Api.Tests.Stress;

/// <summary>
/// A client's matrix device writes: assignments and config replacements on its own device and on
/// temporary ones, guest attachment, create and delete. Devices take adapters 8..39 and 3..7 and
/// domains from a shared pool, so clients collide; a 2xx that changed a device is a counted commit.
/// </summary>
public sealed class DeviceWorkload(ClientChannel channel, Random rng)
{
    private static readonly int[] DomainPool = [4, 5, 6, 71, 72, .. Enumerable.Range(20, 12), .. Enumerable.Range(40, 5)];

    private readonly List<DeviceModel> _temporary = [];

    /// <summary>The device this client created at setup and alone touches.</summary>
    public DeviceModel Own { get; private set; } = null!;

    public async Task SetupAsync()
    {
        Own = new DeviceModel(rng.NewUuid());
        var created = await channel.Http.PostAsync("/api/mdevs", JsonContent.Create(new { uuid = Own.Id, name = $"stress-{channel.Index}" }));
        Assert.Equal(201, (int)created.StatusCode);
    }

    private int AdapterId() => rng.Next(100) switch
    {
        < 70 => rng.Next(8, 8 + StressRun.Clients),
        < 92 => rng.Next(3, 8),
        _ => rng.Pick<int>([64, 100, 255]),
    };

    private int DomainId() => rng.Chance(0.05) ? rng.Pick<int>([85, 200]) : rng.Pick(DomainPool);

    private int ControlDomainId() => rng.Chance(0.05) ? 85 : rng.Next(0, 85);

    /// <summary>Assigns or unassigns one adapter, domain or control domain; ids out of range, taken by the host or by another device are refused.</summary>
    public async Task AssignAsync(DeviceModel device, bool dryRun)
    {
        var kind = rng.Pick<string>(["adapters", "adapters", "domains", "domains", "control-domains"]);
        var id = kind switch
        {
            "adapters" => AdapterId(),
            "domains" => DomainId(),
            _ => ControlDomainId(),
        };
        var max = kind == "adapters" ? 63 : 84;
        var set = device.Set(kind);
        var assign = set.Count == 0 || rng.Chance(0.6);
        if (!assign && rng.Chance(0.8) && set.Count > 0)
        {
            id = set.ElementAt(rng.Next(set.Count));
        }
        var path = $"{device.Path}/{kind}/{id.ToString(CultureInfo.InvariantCulture)}";
        var reply = await channel.SendAsync(assign ? "assign" : "unassign", assign ? HttpMethod.Put : HttpMethod.Delete, path, null, dryRun);
        var what = $"{(assign ? "PUT" : "DELETE")} {path}";
        if (id > max)
        {
            if (reply.Status != 400 || reply.ProblemType != "/problems/id-out-of-range")
            {
                channel.Unexpected(what, reply);
            }
            return;
        }
        var noOp = set.Contains(id) == assign;
        if (reply.Status == 409 && assign && !noOp && kind != "control-domains" &&
            reply.ProblemType is "/problems/apqn-owned-by-host" or "/problems/apqn-conflict")
        {
            return;
        }
        AfterWrite(device, what, reply, noOp, dryRun, () =>
        {
            if (assign)
            {
                set.Add(id);
            }
            else
            {
                set.Remove(id);
            }
        });
    }

    /// <summary>Replaces the whole configuration (sometimes with the same one: a no-op).</summary>
    public async Task ReplaceConfigAsync(DeviceModel device, bool dryRun)
    {
        var adapters = Enumerable.Range(0, rng.Next(0, 4)).Select(_ => AdapterId()).ToList();
        var domains = Enumerable.Range(0, rng.Next(0, 4)).Select(_ => DomainId()).ToList();
        var control = Enumerable.Range(0, rng.Next(0, 3)).Select(_ => ControlDomainId()).ToList();
        if (rng.Chance(0.15))
        {
            (adapters, domains, control) = ([.. device.Adapters], [.. device.Domains], [.. device.ControlDomains]);
        }
        var reply = await channel.SendAsync("config", HttpMethod.Put, $"{device.Path}/config",
            JsonContent.Create(new { adapters, domains, controlDomains = control }), dryRun);
        var what = $"PUT config {string.Join(",", adapters)} x {string.Join(",", domains)} / {string.Join(",", control)}";
        if (adapters.Any(a => a > 63) || domains.Any(d => d > 84) || control.Any(d => d > 84))
        {
            if (reply.Status != 400 || reply.ProblemType != "/problems/id-out-of-range")
            {
                channel.Unexpected(what, reply);
            }
            return;
        }
        var noOp = device.Adapters.SetEquals(adapters) && device.Domains.SetEquals(domains) && device.ControlDomains.SetEquals(control);
        if (reply.Status == 409 && !noOp && reply.ProblemType is "/problems/apqn-owned-by-host" or "/problems/apqn-conflict")
        {
            return;
        }
        AfterWrite(device, what, reply, noOp, dryRun, () =>
        {
            Replace(device.Adapters, adapters);
            Replace(device.Domains, domains);
            Replace(device.ControlDomains, control);
        });
    }

    /// <summary>
    /// A write that was not refused must answer 200; unless it was a dry run or a no-op it is a
    /// commit, and the model takes the change; either way the answer reads as the model says.
    /// </summary>
    private void AfterWrite(DeviceModel device, string what, Reply reply, bool noOp, bool dryRun, Action apply)
    {
        if (reply.Status != 200)
        {
            channel.Unexpected(what + (noOp ? " (no-op)" : string.Empty), reply);
            return;
        }
        if (dryRun)
        {
            return;
        }
        if (!noOp)
        {
            channel.Committed(what, reply, reply.Version());
            apply();
        }
        device.Check(channel, what, reply.Body);
    }

    private static void Replace(SortedSet<int> set, IEnumerable<int> values)
    {
        set.Clear();
        set.UnionWith(values);
    }

    /// <summary>Attaches the own device to the client's guest or detaches it; attaching guest-a, which holds device A, is refused.</summary>
    public async Task GuestAsync(bool dryRun)
    {
        var own = $"stress-guest-{channel.Index.ToString(CultureInfo.InvariantCulture)}";
        var roll = rng.Next(10);
        if (roll == 0)
        {
            // guest-a holds device A: attaching it elsewhere is always refused.
            var refused = await channel.SendAsync("attach guest-a", HttpMethod.Put, $"{Own.Path}/guest", JsonContent.Create(new { name = "guest-a" }), dryRun);
            var expected = Own.Guest is null ? "/problems/guest-has-mdev" : "/problems/mdev-in-use";
            if (refused.Status != 409 || refused.ProblemType != expected)
            {
                channel.Unexpected("attach guest-a", refused);
            }
            return;
        }
        var attach = roll < 6;
        var reply = attach
            ? await channel.SendAsync("attach", HttpMethod.Put, $"{Own.Path}/guest", JsonContent.Create(new { name = own }), dryRun)
            : await channel.SendAsync("detach", HttpMethod.Delete, $"{Own.Path}/guest", null, dryRun);
        if (reply.Status != 200)
        {
            channel.Unexpected(attach ? "attach" : "detach", reply);
            return;
        }
        if (dryRun)
        {
            return;
        }
        var want = attach ? own : null;
        if (Own.Guest != want)
        {
            var version = (long?)reply.Body?["version"];
            channel.Committed(attach ? "attach" : "detach", reply, version);
            Own.Guest = want;
        }
        Own.Check(channel, attach ? "attach" : "detach", reply.Body);
    }

    /// <summary>Creates, deletes, assigns to or reconfigures one of up to three devices the client made for the purpose.</summary>
    public async Task TemporaryDeviceAsync(bool dryRun)
    {
        var roll = rng.Next(10);
        if (_temporary.Count == 0 || (roll < 3 && _temporary.Count < 3))
        {
            var device = new DeviceModel(rng.NewUuid());
            var reply = await channel.SendAsync("create", HttpMethod.Post, "/api/mdevs", JsonContent.Create(new { uuid = device.Id, name = $"temp-{channel.Index}" }), dryRun);
            if (reply.Status != 201)
            {
                channel.Unexpected("create", reply);
                return;
            }
            if (!dryRun)
            {
                var version = (long?)reply.Body?["version"];
                channel.Committed("create", reply, version);
                _temporary.Add(device);
                device.Check(channel, "create", reply.Body);
            }
            return;
        }
        var target = rng.Pick(_temporary);
        if (roll < 6)
        {
            var reply = await channel.SendAsync("delete", HttpMethod.Delete, target.Path, null, dryRun);
            if (reply.Status != 204)
            {
                channel.Unexpected("delete", reply);
                return;
            }
            if (!dryRun)
            {
                channel.Committed("delete", null);
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
}
