using System.Buffers.Text;
using System.Text;
using ApManager.Core.Masks;

namespace ApManager.Core.Host.Sysfs;

/// <summary>
/// Reads sysfs attributes into one reused buffer without throwing for a missing file: the text,
/// a decimal or <c>0x%08X</c> number, a mask, a link's last component. One per reading thread.
/// </summary>
internal sealed class AttributeFiles
{
    private readonly byte[] _buffer = new byte[64 * 1024];

    /// <summary>The file's text without its trailing newline, or null when it cannot be read.</summary>
    public string? Text(string path)
    {
        var n = Native.ReadAll(path, _buffer);
        return n < 0 ? null : Encoding.UTF8.GetString(_buffer, 0, n).TrimEnd('\n');
    }

    public int? Int(string path) => Utf8Parser.TryParse(Bytes(path), out int value, out var used) && used > 0 ? value : null;

    /// <summary>A counter; sysfs shows <c>-</c> while the queue is not initialised.</summary>
    public long? Long(string path) => Utf8Parser.TryParse(Bytes(path), out long value, out var used) && used > 0 ? value : null;

    /// <summary><c>0x%08X</c>.</summary>
    public uint? Hex(string path)
    {
        var bytes = Bytes(path);
        if (bytes.Length > 2 && bytes[0] == '0' && (bytes[1] | 0x20) == 'x')
        {
            bytes = bytes[2..];
        }
        return Utf8Parser.TryParse(bytes, out uint value, out var used, 'X') && used == bytes.Length && used > 0 ? value : null;
    }

    /// <summary>A sysfs mask (<c>0x</c> + 64 hex digits), or null when missing or <c>not supported</c>.</summary>
    public ApMask? Mask(string path)
    {
        var n = Native.ReadAll(path, _buffer);
        if (n < 3 || _buffer[0] != '0' || _buffer[1] != 'x')
        {
            return null;
        }
        var parsed = MaskParser.Parse(_buffer.AsSpan(0, n), ApMask.Empty);
        return parsed.Success ? parsed.Mask : null;
    }

    /// <summary>Folds the file's bytes (or its absence) into an FNV-1a hash: the poll's cheap signature.</summary>
    public ulong Fold(string path, ulong hash)
    {
        var n = Native.ReadAll(path, _buffer);
        hash = Fold(hash, n < 0 ? (ulong)(uint)n : (ulong)n);
        for (var i = 0; i < n; i++)
        {
            hash = (hash ^ _buffer[i]) * Prime;
        }
        return hash;
    }

    /// <summary>Folds a number into an FNV-1a hash.</summary>
    public static ulong Fold(ulong hash, ulong value)
    {
        for (var i = 0; i < 8; i++, value >>= 8)
        {
            hash = (hash ^ (value & 0xff)) * Prime;
        }
        return hash;
    }

    /// <summary>Folds a name into an FNV-1a hash.</summary>
    public static ulong Fold(ulong hash, ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            hash = (hash ^ c) * Prime;
        }
        return (hash ^ 0xff) * Prime;
    }

    /// <summary>FNV-1a's offset basis: the hash of nothing.</summary>
    public const ulong Basis = 14695981039346656037;

    private const ulong Prime = 1099511628211;

    /// <summary>The last component of a symlink's target (a queue's driver), or null when there is no link.</summary>
    public string? LinkName(string path) => Native.LinkName(path, _buffer);

    private ReadOnlySpan<byte> Bytes(string path)
    {
        var n = Native.ReadAll(path, _buffer);
        if (n < 0)
        {
            return default;
        }
        var span = _buffer.AsSpan(0, n);
        return span.Length > 0 && span[^1] == (byte)'\n' ? span[..^1] : span;
    }
}
