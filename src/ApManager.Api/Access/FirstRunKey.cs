using System.Text;
using System.Text.Json;
using ApManager.Api.Configuration;

namespace ApManager.Api.Access;

/// <summary>
/// With no credential configured, the first start creates one admin key, keeps only its hash
/// (api-keys.json next to the database) and shows the key once: on the console and in admin.key (mode 0600).
/// </summary>
internal static class FirstRunKey
{
    public const string HashFile = "api-keys.json";
    public const string KeyFile = "admin.key";

    /// <summary>The key created on an earlier first start, or a new one; <paramref name="storagePath"/> is null in memory mode, where nothing is written.</summary>
    public static ApiKey LoadOrCreate(string? storagePath, ILogger logger) =>
        LoadOrCreate(storagePath, logger, logIsJournal: !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("JOURNAL_STREAM")));

    /// <summary>
    /// <paramref name="logIsJournal"/>: the console goes to the system journal (systemd sets
    /// JOURNAL_STREAM), which keeps every line and which more people may read than the key file:
    /// the key is then only in the file, and the line says where.
    /// </summary>
    internal static ApiKey LoadOrCreate(string? storagePath, ILogger logger, bool logIsJournal)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(storagePath ?? StorageOptions.DefaultPath))!;
        var hashFile = Path.Combine(dir, HashFile);
        if (storagePath is not null && File.Exists(hashFile))
        {
            var stored = JsonSerializer.Deserialize<StoredKey>(File.ReadAllText(hashFile), JsonSerializerOptions.Web);
            if (stored is not null && ApiKeyStore.TryParseHash(stored.Hash, out var hash) && Roles.IsRole(stored.Role))
            {
                logger.LogInformation("Using the admin key created on first start (hash in {File})", hashFile);
                return new ApiKey(stored.Name, stored.Role, hash);
            }
            throw new InvalidOperationException($"{hashFile} is damaged; delete it (and {KeyFile}) to create a new admin key.");
        }
        var key = ApiKeyStore.NewKey();
        var created = new StoredKey("admin", Roles.Admin, ApiKeyStore.HashText(key));
        if (storagePath is not null)
        {
            Directory.CreateDirectory(dir);
            WritePrivate(hashFile, JsonSerializer.Serialize(created, JsonSerializerOptions.Web));
            WritePrivate(Path.Combine(dir, KeyFile), key + "\n");
        }
        if (storagePath is not null && logIsJournal)
        {
            logger.LogWarning(
                "No credentials were configured, so an admin API key was created in {KeyFile} (mode 0600); it is not written to the system journal. " +
                "Send it as 'Authorization: Bearer <key>'.",
                Path.Combine(dir, KeyFile));
        }
        else
        {
            logger.LogWarning(
                "No credentials were configured, so an admin API key was created. It is shown once: {ApiKey} (also in {KeyFile}, mode 0600). " +
                "Send it as 'Authorization: Bearer <key>'.",
                key, storagePath is null ? "(memory mode: nowhere)" : Path.Combine(dir, KeyFile));
        }
        ApiKeyStore.TryParseHash(created.Hash, out var createdHash);
        return new ApiKey(created.Name, created.Role, createdHash);
    }

    private static void WritePrivate(string path, string content)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using var stream = new FileStream(path, options);
        stream.Write(Encoding.UTF8.GetBytes(content));
        // On disk before the service goes on: an empty hash file after a power loss would stop every later start.
        stream.Flush(flushToDisk: true);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    private sealed record StoredKey(string Name, string Role, string Hash);
}
