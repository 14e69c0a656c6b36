using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ApManager.Api.Tests.Stress;
using ApManager.Api.Transfer;
using ApManager.Core.State;

namespace ApManager.Api.Tests.Fuzz;

/// <summary>Bodies for POST /api/import: a faithful export of the current state, or one with a hostile change.</summary>
public sealed class HostileImports(Random rng, HostileMasks masks, HostileDeviceBodies devices)
{
    private readonly Random _rng = rng;

    /// <summary>The current export, half the time damaged in one place: masks, devices, guests, adapters, format, attributes, names.</summary>
    public JsonNode Import(ApSnapshot s)
    {
        var export = JsonSerializer.SerializeToNode(TransferEndpoints.ToExport(s), ApManagerApplication.Web)!.AsObject();
        if (_rng.Chance(0.5))
        {
            return export;
        }
        switch (_rng.Next(9))
        {
            case 0:
                export["apmask"] = Encoding.UTF8.GetString(masks.Next().Bytes);
                break;
            case 1:
                export["aqmask"] = Encoding.UTF8.GetString(masks.Next().Bytes);
                break;
            case 2:
                export["mdevs"]!.AsArray().Add(ImportedDevice("imported", "auto",
                    ("assign_adapter", _rng.Pick<string>(["5", "0x7", "010", "08", "+9\n", "99999999999999999999", "", "-1", "64", "0x"])),
                    ("assign_domain", _rng.Pick<string>(["0x4", "4", "0x47", "85", "0x", "abc"]))));
                break;
            case 3:
                export["mdevs"] = new JsonArray(Enumerable.Range(0, _rng.Next(1, 300)).Select(i => (JsonNode?)ImportedDevice(null, "manual",
                    ("assign_adapter", (8 + (i % 50)).ToString(CultureInfo.InvariantCulture)),
                    ("assign_domain", (i % 85).ToString(CultureInfo.InvariantCulture)))).ToArray());
                break;
            case 4:
                export["guests"]!.AsArray().Add(new JsonObject { ["name"] = devices.GuestName(s), ["mdev"] = _rng.Pick<string>([ApManagerApplication.DeviceB, _rng.NewUuid().ToString(), "x"]) });
                break;
            case 5:
                export["adapters"]!.AsArray().Add(new JsonObject { ["id"] = _rng.Pick<int>([3, 5, 9, -1, 300]), ["configured"] = _rng.Chance(0.5) });
                break;
            case 6:
                export["format"] = _rng.Pick<string>(["apmanager/2", "", "APMANAGER/1"]);
                break;
            case 7:
                foreach (var m in export["mdevs"]!.AsArray())
                {
                    m!["mdevctl"]!["attrs"]!.AsArray().Add(new JsonObject { [_rng.Pick<string>(["assign_adapter", "assign_domain", "assign_control_domain", "unassign", "ASSIGN_ADAPTER"])] = _rng.Pick<string>(["3", "0x48", "84", "85", "0", "+0\n", "0x1\n\n"]) });
                }
                break;
            default:
                foreach (var m in export["mdevs"]!.AsArray())
                {
                    m!["name"] = _rng.Pick<string>(["", new string('n', 65), "ctl\u0001", "ok"]);
                }
                break;
        }
        return export;
    }

    private JsonObject ImportedDevice(string? name, string start, params (string Key, string Value)[] attrs)
    {
        var device = new JsonObject
        {
            ["uuid"] = _rng.NewUuid().ToString(),
            ["mdevctl"] = new JsonObject
            {
                ["mdev_type"] = "vfio_ap-passthrough",
                ["start"] = start,
                ["attrs"] = new JsonArray([.. attrs.Select(a => (JsonNode?)new JsonObject { [a.Key] = a.Value })]),
            },
        };
        if (name is not null)
        {
            device["name"] = name;
        }
        return device;
    }
}
