using System.Reflection;

namespace ApManager.Api.Tests.Client;

/// <summary>New endpoints cannot be forgotten: every operation of the committed document is driven by some client test.</summary>
public class ClientCoverageTests
{
    [Fact]
    public void EveryOperationInTheDocumentIsDrivenByAClientTest()
    {
        var driven = typeof(ClientCoverageTests).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods())
            .Where(m => m.GetCustomAttribute<FactAttribute>() is not null)
            .SelectMany(m => m.GetCustomAttribute<DrivesAttribute>()?.OperationIds ?? [])
            .ToHashSet();

        var forgotten = Operations.All.Keys.Where(id => !driven.Contains(id)).Order(StringComparer.Ordinal).ToList();
        var unknown = driven.Where(id => !Operations.All.ContainsKey(id)).Order(StringComparer.Ordinal).ToList();

        Assert.True(forgotten.Count == 0, $"operations no client test drives (add a test and name them in its [Drives]): {string.Join(", ", forgotten)}");
        Assert.True(unknown.Count == 0, $"[Drives] names operations the document does not have: {string.Join(", ", unknown)}");
    }
}
