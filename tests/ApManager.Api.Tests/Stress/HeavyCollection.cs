using System.Globalization;

namespace ApManager.Api.Tests.Stress;

/// <summary>
/// The fuzz and stress suites measure throughput and race windows on a small machine: they run
/// alone, after the parallel tests, never next to each other.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HeavyCollection
{
    public const string Name = "Heavy (fuzz and stress)";
}

/// <summary>Knobs for the long runs, read from the environment.</summary>
public static class TestEnvironment
{
    public static long Long(string name, long fallback) =>
        long.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    public static double Double(string name, double fallback) =>
        double.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : fallback;
}
