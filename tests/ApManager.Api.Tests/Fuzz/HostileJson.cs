using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ApManager.Api.Tests.Stress;

namespace ApManager.Api.Tests.Fuzz;

/// <summary>
/// Hostile JSON: random values of every kind, structural mutations of a valid body (wrong types,
/// nulls, unknown members, nesting) and byte-level damage to its serialized form.
/// </summary>
public sealed class HostileJson(Random rng, HostileMasks masks)
{
    private readonly Random _rng = rng;

    public JsonNode? RandomValue(int depth)
    {
        var roll = _rng.Next(depth > 3 ? 7 : 9);
        return roll switch
        {
            0 => null,
            1 => JsonValue.Create(_rng.Chance(0.5)),
            2 => JsonValue.Create(_rng.Next(int.MinValue, int.MaxValue)),
            3 => JsonNode.Parse(_rng.Pick<string>(["1e400", "-0", "18446744073709551616", "1.5", "-9223372036854775809", "0.0000001", "1E+2"])),
            4 => JsonValue.Create(_rng.Pick<string>(["", "+5", "true", "0x5", "\u0000", "\ud83d\ude00", new string('s', 300)])),
            5 => JsonValue.Create(Encoding.UTF8.GetString(masks.Next().Bytes)),
            6 => JsonValue.Create("x"),
            7 => new JsonArray(Enumerable.Range(0, _rng.Next(0, 4)).Select(_ => RandomValue(depth + 1)).ToArray()),
            _ => new JsonObject(Enumerable.Range(0, _rng.Next(0, 4)).Select(i => KeyValuePair.Create(
                _rng.Pick<string>(["mask", "apmask", "aqmask", "uuid", "name", "configured", "adapters", "domains", "controlDomains", "x", "", "MASK"]) + (i == 0 ? string.Empty : i.ToString(CultureInfo.InvariantCulture)),
                RandomValue(depth + 1)))),
        };
    }

    /// <summary>Replaces, removes or adds members and elements: wrong types, nulls, unknown members, nesting.</summary>
    public JsonNode? MutateStructure(JsonNode root)
    {
        var nodes = new List<JsonNode>();
        void Walk(JsonNode? n)
        {
            if (n is null)
            {
                return;
            }
            nodes.Add(n);
            if (n is JsonObject o)
            {
                foreach (var (_, v) in o)
                {
                    Walk(v);
                }
            }
            else if (n is JsonArray a)
            {
                foreach (var v in a)
                {
                    Walk(v);
                }
            }
        }
        Walk(root);
        var mutations = _rng.Next(1, 4);
        for (var m = 0; m < mutations; m++)
        {
            var target = _rng.Pick(nodes);
            switch (_rng.Next(6))
            {
                case 0 when target.Parent is JsonObject parent:
                    parent[target.GetPropertyName()] = RandomValue(1);
                    break;
                case 1 when target.Parent is JsonArray array:
                    array[target.GetElementIndex()] = _rng.Chance(0.5) ? null : RandomValue(1);
                    break;
                case 2 when target is JsonObject o:
                    o[_rng.Pick<string>(["unknown", "extra", "$type", "Mask", "__proto__"])] = RandomValue(1);
                    break;
                case 3 when target is JsonObject o && o.Count > 0:
                    o.Remove(o.ElementAt(_rng.Next(o.Count)).Key);
                    break;
                case 4 when target is JsonArray a:
                    a.Add(_rng.Chance(0.5) ? null : RandomValue(1));
                    break;
                case 5:
                    return _rng.Chance(0.5) ? new JsonArray(root.DeepClone()) : RandomValue(0);
            }
        }
        return root;
    }

    /// <summary>Breaks the serialized JSON: truncation, deep nesting, padding, BOMs, invalid UTF-8, bad escapes, UTF-16, duplication.</summary>
    public byte[] MutateBytes(byte[] json)
    {
        switch (_rng.Next(12))
        {
            case 0:
                return json[..(json.Length == 0 ? 0 : _rng.Next(json.Length))];
            case 1:
                return Deep(_rng.Chance(0.5) ? _rng.Next(60, 70) : _rng.Next(1000, 20000));
            case 2:
                // Valid JSON padded beyond 64 KiB (and occasionally beyond the 16 MiB import limit).
                var size = _rng.Chance(0.05) ? (16 * 1024 * 1024) + 10 : _rng.Next(64 * 1024, 80 * 1024);
                var padded = new byte[json.Length + size];
                Array.Fill(padded, (byte)' ');
                json.CopyTo(padded, 0);
                return padded;
            case 3:
                return [0xef, 0xbb, 0xbf, .. json];
            case 4:
                return [.. json, .. Encoding.ASCII.GetBytes(_rng.Pick<string>(["x", "}", ",", "{}", " // c", "\0"]))];
            case 5:
                return Splice(json, _rng.Pick<byte[]>([[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x80]]));
            case 6:
                return Splice(json, Encoding.ASCII.GetBytes(_rng.Pick<string>(["\\ud800", "\\u0000", "\\uZZZZ", "\\", "\\x41", "\"", "/* c */", ",", ",]", "NaN", "Infinity"])));
            case 7:
                return [.. Encoding.ASCII.GetBytes(_rng.Pick<string>(["{\"mask\":\"+1\",\"mask\":\"-1\"}", "{\"mask\":\"+1\",}", "{'mask':'+1'}", "{mask:\"+1\"}", "[]", "\"+1\"", "{}", "  ", "{\"mask\":[\"+1\"]}", "{\"mask\":{\"$ref\":\"x\"}}"]))];
            case 8:
                var flipped = (byte[])json.Clone();
                if (flipped.Length > 0)
                {
                    flipped[_rng.Next(flipped.Length)] ^= (byte)(1 << _rng.Next(8));
                }
                return flipped;
            case 9:
                return Encoding.Unicode.GetBytes(Encoding.UTF8.GetString(json));
            case 10:
                return [.. json, .. json];
            default:
                return Splice(json, [(byte)_rng.Next(256)]);
        }
    }

    private byte[] Splice(byte[] json, byte[] insert)
    {
        var at = json.Length == 0 ? 0 : _rng.Next(json.Length);
        return [.. json[..at], .. insert, .. json[at..]];
    }

    private byte[] Deep(int depth)
    {
        var open = _rng.Chance(0.5) ? "[" : "{\"mask\":";
        var close = open == "[" ? "]" : "}";
        var b = new StringBuilder();
        for (var i = 0; i < depth; i++)
        {
            b.Append(open);
        }
        b.Append("1");
        for (var i = 0; i < depth; i++)
        {
            b.Append(close);
        }
        return Encoding.ASCII.GetBytes(b.ToString());
    }
}
