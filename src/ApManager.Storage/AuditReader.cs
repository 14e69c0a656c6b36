using System.Globalization;
using ApManager.Core.Audit;
using Microsoft.Data.Sqlite;

namespace ApManager.Storage;

/// <summary>Reads audit records on pooled read-only connections, never past the last durable one.</summary>
internal sealed class AuditReader(string path)
{
    private readonly string _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = true }.ToString();

    public IReadOnlyList<AuditRecord> Read(long after, int limit, long lastDurable)
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq, time, actor, action, target, input, accepted, refusal, dry_run, version_before, version_after, before, after, details, events FROM audit WHERE seq > $after AND seq <= $last ORDER BY seq LIMIT $limit;";
        command.Parameters.AddWithValue("$after", after);
        command.Parameters.AddWithValue("$last", lastDurable);
        command.Parameters.AddWithValue("$limit", limit);
        using var reader = command.ExecuteReader();
        var result = new List<AuditRecord>();
        while (reader.Read())
        {
            result.Add(new AuditRecord(
                reader.GetInt64(0),
                DateTimeOffset.Parse(reader.GetString(1), CultureInfo.InvariantCulture),
                reader.GetString(2),
                reader.GetString(3),
                reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.GetInt64(6) != 0,
                reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.GetInt64(8) != 0,
                reader.GetInt64(9),
                reader.GetInt64(10),
                reader.IsDBNull(11) ? null : reader.GetString(11),
                reader.IsDBNull(12) ? null : reader.GetString(12),
                reader.IsDBNull(13) ? null : reader.GetString(13),
                reader.GetString(14).Split(',', StringSplitOptions.RemoveEmptyEntries)));
        }
        return result;
    }
}
