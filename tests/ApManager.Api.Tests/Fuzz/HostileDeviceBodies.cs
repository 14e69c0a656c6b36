using System.Globalization;
using System.Text.Json.Nodes;
using ApManager.Api.Tests.Stress;
using ApManager.Core.State;

namespace ApManager.Api.Tests.Fuzz;

/// <summary>Bodies for the matrix device routes: create, config replacement and guest attachment.</summary>
public sealed class HostileDeviceBodies(Random rng)
{
    private readonly Random _rng = rng;

    /// <summary>POST /api/mdevs: a uuid that is new, taken or malformed, a name that is fine or not.</summary>
    public JsonObject Create()
    {
        var o = new JsonObject();
        if (_rng.Chance(0.5))
        {
            o["uuid"] = _rng.Chance(0.6) ? _rng.NewUuid().ToString(_rng.Chance(0.8) ? "D" : "N") : _rng.Pick<string>(
                [ApManagerApplication.DeviceA, ApManagerApplication.DeviceB, ApManagerApplication.DeviceA.ToUpperInvariant(), "", "x", "00000000-0000-0000-0000-000000000000"]);
        }
        if (_rng.Chance(0.5))
        {
            o["name"] = _rng.Chance(0.5) ? "fuzz-" + _rng.Next(1000).ToString(CultureInfo.InvariantCulture) : _rng.Pick<string>(
                ["", new string('n', 64), new string('n', 65), "a\u0000b", "tab\there", "line\nbreak", "\u202eevil", "\u00e9t\u00e9", "\ud83d\ude00",
                 new string('x', _rng.Next(100, 70000)), "\u007f", "\u0085"]);
        }
        return o;
    }

    /// <summary>PUT config: ids in and out of range, sometimes hundreds of them.</summary>
    public JsonObject Config()
    {
        JsonArray Ids(int max)
        {
            var a = new JsonArray();
            var n = _rng.Chance(0.1) ? _rng.Next(0, 400) : _rng.Next(0, 5);
            for (var i = 0; i < n; i++)
            {
                a.Add(_rng.Chance(0.9) ? _rng.Next(0, max + 1) : _rng.Pick<long>([-1, 64, 85, 255, 256, long.MaxValue, long.MinValue, int.MaxValue + 1L]));
            }
            return a;
        }
        var o = new JsonObject
        {
            ["adapters"] = _rng.Chance(0.5) ? Ids(7) : Ids(63),
            ["domains"] = _rng.Chance(0.5) ? new JsonArray(_rng.Pick<int>([4, 5, 6, 71, 72])) : Ids(84),
            ["controlDomains"] = Ids(84),
        };
        return o;
    }

    /// <summary>A guest name: one that exists, a fresh valid one, or one the name rules refuse.</summary>
    public string GuestName(ApSnapshot s)
    {
        if (_rng.Chance(0.3) && s.Guests.Count > 0)
        {
            return s.Guests.Keys.ElementAt(_rng.Next(s.Guests.Count));
        }
        return _rng.Chance(0.5) ? "fuzz-guest-" + _rng.Next(50).ToString(CultureInfo.InvariantCulture) : _rng.Pick<string>(
            ["", "-x", ".x", "a b", "a/b", new string('g', 64), new string('g', 65), "\u00e9", "g\u0000", "guest-a", "guest_1.2-3", "x\n"]);
    }
}
