using System.Net;
using Microsoft.Data.Sqlite;
using static ApManager.Api.Tests.ApManagerApplication;

namespace ApManager.Api.Tests.Durability;

/// <summary>
/// A change the store cannot write is refused with 503 and leaves no trace: not in the state,
/// not in the audit trail, not in the versions, not after a restart.
/// </summary>
public class WriteFailureTests
{
    private const string U = "fa11ed00-0000-4000-8000-000000000001";

    [Theory]
    [InlineData("audit", "NEW.action = 'mdev.create'")]
    [InlineData("mdevs", "1")]
    public async Task AChangeTheStoreCannotWriteIsA503AndLeavesNoTrace(string table, string when)
    {
        var path = NewStoragePath();
        try
        {
            IReadOnlyList<string> before;
            await using (var app = new ApManagerApplication(storagePath: path))
            {
                using var client = app.CreateClient();
                using (var write = await PutMaskAsync(client, "apmask", "-7"))
                {
                    Assert.Equal(HttpStatusCode.OK, write.StatusCode);
                }
                before = await StateCapture.CaptureAsync(client, $"/api/mdevs/{U}", "/api/export");

                // Another writer makes every insert into the table fail, as a full disk would.
                Execute(path, $"CREATE TRIGGER fail_{table} BEFORE INSERT ON {table} WHEN {when} BEGIN SELECT RAISE(ABORT, 'simulated write failure'); END;");
                var problem = await AssertProblemAsync(await client.PostAsync("/api/mdevs", Json($$"""{"uuid":"{{U}}","name":"lost"}""")), 503, "/problems/storage-unavailable");
                Assert.Contains(path, (string?)problem["detail"], StringComparison.Ordinal);
                Assert.Contains("simulated write failure", (string?)problem["detail"], StringComparison.Ordinal);

                StateCapture.AssertIdentical(before, await StateCapture.CaptureAsync(client, $"/api/mdevs/{U}", "/api/export"));
                Assert.Single(await StateCapture.AuditAsync(client));

                // Once the store is writable again the same change goes through with the next version and seq.
                Execute(path, $"DROP TRIGGER fail_{table};");
                using var created = await client.PostAsync("/api/mdevs", Json($$"""{"uuid":"{{U}}","name":"kept"}"""));
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
                Assert.Equal(3, (long)(await ReadObjectAsync(created))["version"]!);
                var audit = await StateCapture.AuditAsync(client);
                Assert.Equal([1L, 2L], audit.Select(r => (long)r["seq"]!));
                Assert.Equal((2L, 3L), ((long)audit[1]["versionBefore"]!, (long)audit[1]["versionAfter"]!));
                before = await StateCapture.CaptureAsync(client, $"/api/mdevs/{U}", "/api/export");
            }

            await using (var app = new ApManagerApplication(storagePath: path))
            {
                using var client = app.CreateClient();
                StateCapture.AssertIdentical(before, await StateCapture.CaptureAsync(client, $"/api/mdevs/{U}", "/api/export"));
                Assert.Equal(2, (await StateCapture.AuditAsync(client)).Count);
            }
        }
        finally
        {
            DeleteStorage(path);
        }
    }

    private static void Execute(string path, string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = 10 }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
