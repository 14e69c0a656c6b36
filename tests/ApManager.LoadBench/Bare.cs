using System.Text.Json.Serialization;
using Microsoft.Data.Sqlite;

/// <summary>
/// The baseline: Kestrel with no middleware doing the minimum a JSON service does. GET /json
/// serializes a fixed object of about 400 bytes per request; PUT /json reads a
/// <c>{"mask":"+N"}</c> body, sets or clears that bit of a 64-bit mask under a lock and answers
/// the new mask. With <c>--commit-db FILE</c>, PUT /commit does only the raw single-row SQLite
/// commit (WAL, synchronous=FULL) that the durability benchmark measures without HTTP.
/// </summary>
internal static class Bare
{
    public static async Task<int> RunAsync(int port, string? commitDatabase)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var adapters = new BareAdapter[]
        {
            new(3, "CEX8C", "vfio_ap", true),
            new(4, "CEX8C", "vfio_ap", true),
            new(5, "CEX8A", "cex4queue", false),
        };
        var host = new BareHost("0xf9ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
            "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", 63, 84, adapters, 1);
        var gate = new Lock();
        ulong mask = 0;
        long version = 0;

        app.MapGet("/health/ready", () => "ok");
        app.MapGet("/json", () => TypedResults.Ok(host));
        app.MapPut("/json", (BareMaskChange change) =>
        {
            if (change.Mask is not { Length: >= 2 } text || text[0] is not ('+' or '-')
                || !int.TryParse(text.AsSpan(1), out var bit) || bit is < 0 or > 63)
            {
                return Results.BadRequest();
            }
            lock (gate)
            {
                mask = text[0] == '+' ? mask | (1UL << bit) : mask & ~(1UL << bit);
                return TypedResults.Ok(new BareMaskState($"0x{mask:x16}", ++version));
            }
        });
        if (commitDatabase is not null)
        {
            MapCommit(app, commitDatabase);
        }
        await app.RunAsync();
        return 0;
    }

    private static void MapCommit(WebApplication app, string file)
    {
        var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        connection.Open();
        foreach (var sql in new[] { "PRAGMA journal_mode=WAL;", "PRAGMA synchronous=FULL;", "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT NOT NULL);" })
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }
        var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO t (v) VALUES ($v);";
        var value = insert.Parameters.Add("$v", SqliteType.Text);
        var gate = new Lock();
        app.MapPut("/commit", async (HttpContext c) =>
        {
            using var reader = new StreamReader(c.Request.Body);
            var body = await reader.ReadToEndAsync();
            lock (gate)
            {
                using var tx = connection.BeginTransaction();
                insert.Transaction = tx;
                value.Value = body;
                insert.ExecuteNonQuery();
                tx.Commit();
            }
            return TypedResults.Ok(new BareCommitted(body.Length));
        });
    }
}

internal sealed record BareAdapter(int Id, string Type, string Driver, bool Online);

internal sealed record BareHost(string Apmask, string Aqmask, int MaxAdapterId, int MaxDomainId, BareAdapter[] Adapters, long Version);

internal sealed record BareMaskChange([property: JsonPropertyName("mask")] string? Mask);

internal sealed record BareMaskState(string Mask, long Version);

internal sealed record BareCommitted(int Committed);
