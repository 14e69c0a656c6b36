using ApManager.Core.Journal;
using Microsoft.Data.Sqlite;

namespace ApManager.Storage;

/// <summary>
/// Opens the database file for one ApManager process: takes the process lock, checks integrity,
/// refuses a foreign or newer database, migrates an older one, then switches to WAL with
/// <c>synchronous=FULL</c>. A refused file stays exactly as it was.
/// </summary>
internal static class StoreFile
{
    /// <summary>The open write connection and the lock file held for the store's lifetime.</summary>
    public sealed record Opened(string Path, SqliteConnection Connection, FileStream Lock);

    public static Opened Open(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = System.IO.Path.GetFullPath(path);
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"Cannot create the directory for the database {full}: {ex.Message}", ex);
        }
        // One ApManager per store: a second process would serve stale reads and fight over the
        // audit sequence. The lock is an exclusive open of <db>.lock, held for the store's lifetime.
        FileStream lockFile;
        try
        {
            lockFile = new FileStream(full + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new StorageException($"The database {full} is in use by another ApManager process ({full}.lock is locked). Stop that process or point ApManager:Storage:Path elsewhere.", ex);
        }
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        try
        {
            connection.Open();
            Sql.Execute(connection, "PRAGMA busy_timeout = 5000;");
            var check = Sql.Scalar(connection, "PRAGMA quick_check;")?.ToString();
            if (check != "ok")
            {
                throw new StorageException($"The database {full} is corrupt (quick_check: {check}). Restore it from a backup or move it away; ApManager will not start over an unreadable store.");
            }
            // Refuse a foreign or newer database before anything writes to it: switching to WAL
            // rewrites the file header, and a refused file must stay exactly as it was.
            Schema.Migrate(connection, full);
            if (Sql.Scalar(connection, "PRAGMA journal_mode = WAL;")?.ToString() != "wal")
            {
                throw new StorageException($"The database {full} cannot use WAL journaling.");
            }
            Sql.Execute(connection, "PRAGMA synchronous = FULL;");
            return new Opened(full, connection, lockFile);
        }
        catch (SqliteException ex)
        {
            connection.Dispose();
            lockFile.Dispose();
            throw new StorageException($"Cannot open the database {full}: {ex.Message} (SQLite error {ex.SqliteErrorCode}). ApManager will not start over a store it cannot read.", ex);
        }
        catch
        {
            connection.Dispose();
            lockFile.Dispose();
            throw;
        }
    }
}

/// <summary>One-off statements on a connection.</summary>
internal static class Sql
{
    public static void Execute(SqliteConnection connection, string sql, SqliteTransaction? tx = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
