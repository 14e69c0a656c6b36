using System.Globalization;
using ApManager.Core.Journal;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;
using Microsoft.Data.Sqlite;

namespace ApManager.Storage;

/// <summary>Reads the state a store keeps (masks, adapters, devices, queue versions) and where its audit trail ends.</summary>
internal static class StateReader
{
    /// <summary>The stored state, or null for a new store.</summary>
    public static PersistedState? Load(SqliteConnection connection)
    {
        var meta = new Dictionary<string, string>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT key, value FROM meta;";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                meta[reader.GetString(0)] = reader.GetString(1);
            }
        }
        if (!meta.TryGetValue("global_version", out var globalVersion))
        {
            return null;
        }
        var apmask = MaskParser.Parse(meta["apmask"], ApMask.Empty);
        var aqmask = MaskParser.Parse(meta["aqmask"], ApMask.Empty);
        if (!apmask.Success || !aqmask.Success)
        {
            throw new StorageException("The stored masks do not parse; the database is damaged.");
        }
        var adapters = new List<(int, bool, long)>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT id, configured, version FROM adapters;";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                adapters.Add(((int)reader.GetInt64(0), reader.GetInt64(1) != 0, reader.GetInt64(2)));
            }
        }
        var devices = new List<(MdevId, string?, Assignment, string?, long)>();
        var forms = new Dictionary<MdevId, Core.Persistence.MdevctlDefinition?>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT uuid, name, adapters, domains, control_domains, guest, version, mdevctl FROM mdevs;";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                devices.Add((
                    MdevId.Parse(reader.GetString(0)),
                    reader.IsDBNull(1) ? null : reader.GetString(1),
                    new Assignment(IdList.Parse(reader.GetString(2)), IdList.Parse(reader.GetString(3)), IdList.Parse(reader.GetString(4))),
                    reader.IsDBNull(5) ? null : reader.GetString(5),
                    reader.GetInt64(6)));
                if (!reader.IsDBNull(7))
                {
                    // Written by MdevctlJson.Write, so it reads back; a hand-edited row loses only the verbatim form.
                    var form = Core.Persistence.MdevctlJson.Parse(System.Text.Encoding.UTF8.GetBytes(reader.GetString(7)));
                    forms[MdevId.Parse(reader.GetString(0))] = form.Definition;
                }
            }
        }
        var queues = new Dictionary<Apqn, long>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT adapter, domain, version FROM queues;";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                queues[new Apqn((byte)reader.GetInt64(0), (byte)reader.GetInt64(1))] = reader.GetInt64(2);
            }
        }
        return new PersistedState(
            long.Parse(globalVersion, CultureInfo.InvariantCulture),
            apmask.Mask,
            aqmask.Mask,
            long.Parse(meta["bus_version"], CultureInfo.InvariantCulture),
            adapters,
            devices,
            queues,
            forms);
    }

    /// <summary>The last audit sequence number written.</summary>
    public static long LastSeq(SqliteConnection connection) =>
        Convert.ToInt64(Sql.Scalar(connection, "SELECT COALESCE(MAX(seq), 0) FROM audit;"), CultureInfo.InvariantCulture);

    /// <summary>Whether the store holds a state (false for a new store).</summary>
    public static bool HasState(SqliteConnection connection) =>
        Sql.Scalar(connection, "SELECT value FROM meta WHERE key = 'global_version';") is not null;
}

/// <summary>The text form of an id set in the store: ascending decimal ids, comma separated.</summary>
internal static class IdList
{
    public static string Format(ApMask ids) => string.Join(',', ids.ToArray());

    public static ApMask Parse(string text) =>
        ApMask.Of(text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(t => int.Parse(t, CultureInfo.InvariantCulture)));
}
