using System.Globalization;
using System.Text.Json.Nodes;
using ApManager.Core.Masks;

namespace ApManager.Api.Tests.Stress;

/// <summary>
/// A client's reads, each checked against what the client knows: its own mask bits and device read
/// back as it wrote them, versions never go back, and an export is one consistent snapshot.
/// </summary>
public sealed class ReadWorkload(ClientChannel channel, OwnMaskBits bits, DeviceWorkload devices, Random rng)
{
    private long _lastListVersion;

    public async Task ReadAsync()
    {
        switch (rng.Next(9))
        {
            case 0:
            case 1:
                await ReadBusAsync();
                break;
            case 2:
                await ReadOwnDeviceAsync();
                break;
            case 3:
                await ReadDeviceListAsync();
                break;
            case 4:
                await ReadOwnQueuesAsync();
                break;
            case 5:
                CheckExport(await channel.SendAsync("read export", HttpMethod.Get, "/api/export"));
                break;
            case 6:
                await ReadQueuesByDriverAsync();
                break;
            case 7:
                await ReadDriversAsync();
                break;
            default:
                await ReadAuditAsync();
                break;
        }
    }

    /// <summary>Own bits as last written, bit 250 as the last client left it, the ETag is the version, adapters 5 and 6 stay in use.</summary>
    private async Task ReadBusAsync()
    {
        var reply = await channel.SendAsync("read bus", HttpMethod.Get, "/api/bus");
        Interlocked.Increment(ref channel.Counters.ReadChecks);
        if (reply.Status != 200 || !bits.ReadBack(reply.Body) ||
            (channel.Index == StressRun.Clients - 1 && OwnMaskBits.Bit(reply.Body, "apmask", DriverProbe.ObjectedAdapter) != bits.ObjectedSet) ||
            reply.ETag != $"\"{reply.Version()}\"" || OwnMaskBits.Bit(reply.Body, "apmask", 5) || OwnMaskBits.Bit(reply.Body, "apmask", 6))
        {
            channel.Fail($"GET /api/bus reads {reply.Text} (ETag {reply.ETag}); {bits}");
        }
    }

    private async Task ReadOwnDeviceAsync()
    {
        var reply = await channel.SendAsync("read device", HttpMethod.Get, devices.Own.Path);
        if (reply.Status != 200)
        {
            channel.Unexpected("GET own device", reply);
            return;
        }
        devices.Own.Check(channel, "GET", reply.Body);
    }

    /// <summary>The list's version never goes back, nor behind this client's own last commit.</summary>
    private async Task ReadDeviceListAsync()
    {
        var reply = await channel.SendAsync("read mdevs", HttpMethod.Get, "/api/mdevs");
        var version = long.Parse(reply.ETag?.Trim('"') ?? "0", CultureInfo.InvariantCulture);
        Interlocked.Increment(ref channel.Counters.ReadChecks);
        if (reply.Status != 200 || version < _lastListVersion || version < channel.LastCommitted)
        {
            channel.Fail($"GET /api/mdevs ETag {reply.ETag} after it saw version {Math.Max(_lastListVersion, channel.LastCommitted)}");
        }
        _lastListVersion = version;
    }

    private async Task ReadOwnQueuesAsync()
    {
        var id = devices.Own.Id;
        var reply = await channel.SendAsync("read queues", HttpMethod.Get, $"/api/queues?mdev={id}");
        Interlocked.Increment(ref channel.Counters.ReadChecks);
        if (reply.Status != 200 || reply.Body!.AsArray().Any(q => (string?)q?["mdev"] != id.ToString()))
        {
            channel.Fail($"GET /api/queues?mdev= reads {reply.Text}");
        }
    }

    /// <summary>Filtering by a test driver that may be unregistered meanwhile: 200 or 400, never anything else.</summary>
    private async Task ReadQueuesByDriverAsync()
    {
        var name = channel.Run.Churn?.Current?.Name ?? "cex4queue";
        var reply = await channel.SendAsync("read queues by driver", HttpMethod.Get, $"/api/queues?driver={name}");
        if (reply.Status is not (200 or 400))
        {
            channel.Unexpected($"GET /api/queues?driver={name}", reply);
        }
    }

    private async Task ReadDriversAsync()
    {
        var reply = await channel.SendAsync("read drivers", HttpMethod.Get, "/api/drivers");
        if (reply.Status != 200 || reply.Body!.AsArray().All(d => (string?)d?["name"] != "vfio_ap"))
        {
            channel.Unexpected("GET /api/drivers", reply);
        }
    }

    private async Task ReadAuditAsync()
    {
        var after = Math.Max(0, channel.Run.System.Journal.LastSeq - 5).ToString(CultureInfo.InvariantCulture);
        var reply = await channel.SendAsync("read audit", HttpMethod.Get, "/api/audit?limit=5&after=" + after);
        if (reply.Status != 200)
        {
            channel.Unexpected("GET /api/audit", reply);
        }
    }

    /// <summary>An export is one snapshot: I1 and I2 must hold in it as the mdevctl attributes say.</summary>
    private void CheckExport(Reply reply)
    {
        Interlocked.Increment(ref channel.Counters.ReadChecks);
        if (reply.Status != 200)
        {
            channel.Unexpected("GET /api/export", reply);
            return;
        }
        var apm = Mask((string?)reply.Body?["apmask"]);
        var aqm = Mask((string?)reply.Body?["aqmask"]);
        var exported = ExportedDevices(reply.Body);
        for (var i = 0; i < exported.Count; i++)
        {
            if (!(exported[i].A & apm).IsEmpty && !(exported[i].D & aqm).IsEmpty)
            {
                channel.Fail($"export at version {reply.Body?["version"]} breaks I2 for {exported[i].Id}");
            }
            for (var j = i + 1; j < exported.Count; j++)
            {
                if (!(exported[i].A & exported[j].A).IsEmpty && !(exported[i].D & exported[j].D).IsEmpty)
                {
                    channel.Fail($"export at version {reply.Body?["version"]} breaks I1 for {exported[i].Id} and {exported[j].Id}");
                }
            }
        }
    }

    /// <summary>A mask in the kernel's 0x + 64 hex digits form; anything else reads as empty.</summary>
    private static ApMask Mask(string? text)
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

    /// <summary>Each exported device's adapters and domains, as its mdevctl attributes assign them.</summary>
    private static List<(string Id, ApMask A, ApMask D)> ExportedDevices(JsonNode? export)
    {
        var exported = new List<(string Id, ApMask A, ApMask D)>();
        foreach (var m in export?["mdevs"]?.AsArray() ?? [])
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
            exported.Add(((string)m["uuid"]!, a, d));
        }
        return exported;
    }
}
