using System.Text.Json.Nodes;

namespace ApManager.Api.Tests.Stress;

/// <summary>What a client knows about a matrix device only it touches.</summary>
public sealed class DeviceModel(Guid id)
{
    public Guid Id { get; } = id;

    public SortedSet<int> Adapters { get; } = [];

    public SortedSet<int> Domains { get; } = [];

    public SortedSet<int> ControlDomains { get; } = [];

    public string? Guest { get; set; }

    public string Path => $"/api/mdevs/{Id}";

    public SortedSet<int> Set(string kind) => kind switch
    {
        "adapters" => Adapters,
        "domains" => Domains,
        _ => ControlDomains,
    };

    /// <summary>A device body must read exactly as the model says, and its guest matrix lie inside its matrix.</summary>
    public void Check(ClientChannel channel, string what, JsonNode? body)
    {
        Interlocked.Increment(ref channel.Counters.ReadChecks);
        static int[] Ints(JsonNode? n) => n?.AsArray().Select(x => (int)x!).ToArray() ?? [];
        if ((string?)body?["uuid"] != Id.ToString() || !Ints(body?["adapters"]).SequenceEqual(Adapters) ||
            !Ints(body?["domains"]).SequenceEqual(Domains) || !Ints(body?["controlDomains"]).SequenceEqual(ControlDomains) ||
            (string?)body?["guest"] != Guest)
        {
            channel.Fail($"after {what} device {Id} reads {body?.ToJsonString()}, expected adapters {string.Join(",", Adapters)} " +
                $"domains {string.Join(",", Domains)} control {string.Join(",", ControlDomains)} guest {Guest ?? "null"}");
        }
        var matrix = body?["matrix"]?.AsArray().Select(x => (string?)x).ToHashSet() ?? [];
        if (body?["guestMatrix"]?.AsArray().Any(x => !matrix.Contains((string?)x)) == true)
        {
            channel.Fail($"device {Id} has a guest matrix outside its matrix: {body.ToJsonString()}");
        }
    }
}
