using System.Text.Json.Nodes;

namespace ApManager.Api.Tests;

/// <summary>Comparing answers up to members that legitimately differ (versions, trace ids, times).</summary>
public static class JsonMembers
{
    /// <summary>Removes every member named in <paramref name="names"/>, at any depth.</summary>
    public static void RemoveEverywhere(JsonNode? node, IReadOnlyCollection<string> names)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var name in names)
                {
                    o.Remove(name);
                }
                foreach (var (_, child) in o)
                {
                    RemoveEverywhere(child, names);
                }
                break;
            case JsonArray a:
                foreach (var child in a)
                {
                    RemoveEverywhere(child, names);
                }
                break;
        }
    }
}
