using System.Security.Cryptography;
using System.Text;

namespace ApManager.Api.Access;

/// <summary>One API key as configuration holds it: never the key, only its SHA-256.</summary>
public sealed record ApiKey(string Name, string Role, byte[] Hash);

/// <summary>The API keys the service accepts: configured ones plus, on a first run, one generated admin key.</summary>
public sealed class ApiKeyStore(IReadOnlyList<ApiKey> keys, bool jwtConfigured = false)
{
    public const string HashPrefix = "sha256:";

    public IReadOnlyList<ApiKey> Keys { get; } = keys;

    /// <summary>Whether JWT bearer tokens are accepted too (read once at start, not per request).</summary>
    public bool JwtConfigured { get; } = jwtConfigured;

    /// <summary>Finds the key whose hash matches, comparing in constant time.</summary>
    public ApiKey? Find(string presented)
    {
        ArgumentNullException.ThrowIfNull(presented);
        // On the stack for a key of usual length (every authenticated request comes here); a longer
        // header value is hashed from a heap copy.
        var length = Encoding.UTF8.GetMaxByteCount(presented.Length);
        Span<byte> utf8 = length <= 512 ? stackalloc byte[length] : new byte[length];
        utf8 = utf8[..Encoding.UTF8.GetBytes(presented, utf8)];
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8, hash);
        ApiKey? found = null;
        foreach (var key in Keys)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, key.Hash))
            {
                found = key;
            }
        }
        return found;
    }

    public static string HashText(string key) => HashPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static bool TryParseHash(string? text, out byte[] hash)
    {
        hash = [];
        if (text is null || !text.StartsWith(HashPrefix, StringComparison.Ordinal) || text.Length != HashPrefix.Length + 64)
        {
            return false;
        }
        try
        {
            hash = Convert.FromHexString(text.AsSpan(HashPrefix.Length));
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>A new random key: 32 bytes, URL-safe base64, prefixed so it is recognisable in a leak scan.</summary>
    public static string NewKey() => "apm_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
