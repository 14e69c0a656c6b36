using System.Text.Json.Nodes;
using ApManager.Api.Problems;

namespace ApManager.Api.OpenApi;

/// <summary>
/// One example body per problem type, carrying every member its body class sends (the linters
/// check each example against the schema; a generated client's reader sees a real body).
/// </summary>
internal static class ProblemExamples
{
    private const string Mdev = "0b1f7c3e-2d4a-4e55-9f1d-7a0c2b9e6d11";
    private const string OtherMdev = "5d2e8a41-93c7-4f0b-8b6e-2c4f1a7d9e30";

    /// <summary>The example of <paramref name="type"/> answered at <paramref name="instance"/>; <paramref name="role"/> is the role a 403 names.</summary>
    public static JsonObject For(ProblemType type, string instance, string role)
    {
        ArgumentNullException.ThrowIfNull(type);
        var example = new JsonObject
        {
            ["type"] = type.Uri,
            ["title"] = type.Title,
            ["status"] = type.Status,
            ["detail"] = Detail(type),
            ["instance"] = instance,
        };
        foreach (var (name, value) in Members(type, role))
        {
            example[name] = value?.DeepClone();
        }
        example["traceId"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        return example;
    }

    private static string Detail(ProblemType type) =>
        type == ProblemCatalog.QueuesInUse ? "The apmask change would take 3 queues away from vfio_ap while they are in use."
        : type == ProblemCatalog.InvalidMask ? "The apmask write does not parse at position 3."
        : type.Description.Split(". ")[0].TrimEnd('.') + ".";

    private static JsonObject Members(ProblemType type, string role) => type.Name switch
    {
        "invalid-mask" => new() { ["attribute"] = "apmask", ["input"] = "+5-2", ["position"] = 3, ["errno"] = "EINVAL" },
        "queues-in-use" => new()
        {
            ["attribute"] = "apmask",
            ["input"] = "+5,+6",
            ["inputs"] = new JsonObject { ["apmask"] = "+5,+6" },
            ["errno"] = "EBUSY",
            ["offendingApqns"] = new JsonArray(
                Offender("05.0004", 5, 4, Mdev, "guest-a"),
                Offender("05.0047", 5, 71, Mdev, "guest-a"),
                Offender("06.0004", 6, 4, OtherMdev, null)),
        },
        "in-use-check-failed" => new() { ["attribute"] = "apmask", ["driver"] = "vfio_ap" },
        "version-mismatch" => new() { ["currentVersion"] = 42, ["currentETag"] = "\"42\"" },
        "not-found" => new() { ["kind"] = "matrix device", ["id"] = OtherMdev },
        "id-out-of-range" => new()
        {
            ["kind"] = "adapter",
            ["ids"] = new JsonArray(300),
            ["max"] = 255,
            ["errno"] = "ENODEV",
            ["outOfRange"] = new JsonArray(new JsonObject { ["kind"] = "adapter", ["ids"] = new JsonArray(300), ["max"] = 255 }),
        },
        "apqn-owned-by-host" => new()
        {
            ["mdev"] = Mdev,
            ["errno"] = "EADDRNOTAVAIL",
            ["offendingApqns"] = new JsonArray(Offender("07.0004", 7, 4, null, null, "cex4queue")),
        },
        "apqn-conflict" => new()
        {
            ["mdev"] = Mdev,
            ["errno"] = "EADDRINUSE",
            ["offendingApqns"] = new JsonArray(Offender("06.0004", 6, 4, OtherMdev, "guest-b")),
        },
        "mdev-exists" => new() { ["mdev"] = Mdev },
        "mdev-in-use" => new() { ["mdev"] = Mdev, ["guest"] = "guest-a" },
        "guest-has-mdev" => new() { ["guest"] = "guest-a", ["mdev"] = OtherMdev, ["errno"] = "EPERM" },
        "mdev-limit" => new() { ["limit"] = 64 },
        "payload-too-large" => new() { ["limit"] = 1048576 },
        "invalid-request" => new() { ["errors"] = new JsonObject { ["uuid"] = new JsonArray("Not a UUID written as 8-4-4-4-12 hex digits.") } },
        "invalid-query" => new() { ["parameter"] = "limt", ["value"] = "10" },
        "unsupported-media-type" => new() { ["contentType"] = "application/xml" },
        "forbidden" => new() { ["requiredRole"] = role },
        "rate-limited" => new() { ["retryAfter"] = 10 },
        "adapter-deconfigured" => new() { ["adapter"] = 5, ["apqn"] = null, ["checkstopped"] = false, ["errno"] = "ENODEV" },
        "adapter-offline" => new() { ["apqn"] = "05.0004", ["adapter"] = 5, ["errno"] = "EINVAL" },
        "no-online-switch" => new() { ["apqn"] = "05.0004", ["driver"] = "vfio_ap", ["errno"] = "ENOENT" },
        "guest-managed-by-libvirt" => new() { ["mdev"] = Mdev },
        "unsupported-on-host" => new() { ["operation"] = "import", ["errno"] = "EOPNOTSUPP" },
        "host-busy" => new() { ["lockFile"] = "/run/lock/s390apconfig.lock", ["waitedSeconds"] = 5.0 },
        "host-unavailable" => new() { ["reason"] = "/sys/bus/ap does not exist (the AP bus is not loaded)." },
        "host-refused" => new() { ["attribute"] = "apmask", ["written"] = "+5", ["errno"] = "EBUSY" },
        "invalid-definition" => new() { ["errors"] = new JsonObject { ["start"] = new JsonArray("start is auto or manual.") } },
        "definition-conflict" => new()
        {
            ["errno"] = "EADDRINUSE",
            ["definitions"] = new JsonArray(Mdev, OtherMdev),
            ["offendingApqns"] = new JsonArray(
                new JsonObject { ["apqn"] = "05.0004", ["definition"] = OtherMdev, ["sharedWith"] = Mdev, ["reason"] = "shared", ["guest"] = null, ["sharedWithGuest"] = "guest-a" },
                new JsonObject { ["apqn"] = "07.0004", ["definition"] = OtherMdev, ["sharedWith"] = null, ["reason"] = "owned-by-host", ["guest"] = null, ["sharedWithGuest"] = null }),
        },
        _ => [],
    };

    private static JsonObject Offender(string apqn, int adapter, int domain, string? mdev, string? guest, string driver = "vfio_ap") => new()
    {
        ["apqn"] = apqn,
        ["adapter"] = adapter,
        ["domain"] = domain,
        ["driver"] = driver,
        ["mdev"] = mdev,
        ["guest"] = guest,
    };
}
