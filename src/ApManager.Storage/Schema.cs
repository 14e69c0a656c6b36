using System.Globalization;
using ApManager.Core.Journal;
using Microsoft.Data.Sqlite;

namespace ApManager.Storage;

/// <summary>
/// The schema version table and the forward migrations. A database from a newer ApManager is
/// refused, never downgraded or overwritten.
/// </summary>
internal static class Schema
{
    /// <summary>Migration n brings a database from version n - 1 to n.</summary>
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
        CREATE TABLE adapters (id INTEGER PRIMARY KEY, configured INTEGER NOT NULL, version INTEGER NOT NULL);
        CREATE TABLE mdevs (
            uuid TEXT PRIMARY KEY,
            name TEXT,
            adapters TEXT NOT NULL,
            domains TEXT NOT NULL,
            control_domains TEXT NOT NULL,
            guest TEXT,
            version INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE queues (adapter INTEGER NOT NULL, domain INTEGER NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (adapter, domain)) WITHOUT ROWID;
        CREATE TABLE audit (
            seq INTEGER PRIMARY KEY,
            time TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            target TEXT NOT NULL,
            input TEXT,
            accepted INTEGER NOT NULL,
            refusal TEXT,
            dry_run INTEGER NOT NULL,
            version_before INTEGER NOT NULL,
            version_after INTEGER NOT NULL,
            before TEXT,
            after TEXT,
            details TEXT,
            events TEXT NOT NULL);
        """,
        // The mdevctl config a device was imported with (issue 16): the export keeps it verbatim.
        "ALTER TABLE mdevs ADD COLUMN mdevctl TEXT;",
    ];

    public static int Current => Migrations.Length;

    public static void Migrate(SqliteConnection connection, string path)
    {
        var hasVersionTable = Sql.Scalar(connection, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version';") is long n && n > 0;
        int version;
        if (hasVersionTable)
        {
            version = Convert.ToInt32(Sql.Scalar(connection, "SELECT COALESCE(MAX(version), 0) FROM schema_version;"), CultureInfo.InvariantCulture);
        }
        else
        {
            var tables = Sql.Scalar(connection, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table';") is long t ? t : 0;
            if (tables > 0)
            {
                throw new StorageException($"The database {path} is not an ApManager database (it has tables but no schema_version). Point ApManager:Storage:Path elsewhere.");
            }
            version = 0;
        }
        if (version > Current)
        {
            throw new StorageException($"The database {path} has schema version {version}, newer than this ApManager understands ({Current}). Run the newer ApManager, or restore a backup made by this one.");
        }
        if (version == Current)
        {
            return;
        }
        using var tx = connection.BeginTransaction();
        if (!hasVersionTable)
        {
            Sql.Execute(connection, "CREATE TABLE schema_version (version INTEGER NOT NULL, applied TEXT NOT NULL);", tx);
        }
        for (var next = version + 1; next <= Current; next++)
        {
            Sql.Execute(connection, Migrations[next - 1], tx);
            using var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "INSERT INTO schema_version (version, applied) VALUES ($v, $t);";
            command.Parameters.AddWithValue("$v", next);
            command.Parameters.AddWithValue("$t", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
            command.ExecuteNonQuery();
        }
        tx.Commit();
    }
}
