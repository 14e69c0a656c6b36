namespace ApManager.Api.Tests.Stress;

/// <summary>
/// The draws the fuzz and stress harnesses make from a seeded <see cref="Random"/>. Each helper
/// draws exactly once (NewUuid fills one buffer), so a seed replays the same run.
/// </summary>
public static class SeededRandom
{
    public static bool Chance(this Random rng, double p) => rng.NextDouble() < p;

    public static T Pick<T>(this Random rng, IReadOnlyList<T> items) => items[rng.Next(items.Count)];

    /// <summary>A version-4 UUID made from the seeded source, so replays create the same devices.</summary>
    public static Guid NewUuid(this Random rng)
    {
        Span<byte> bytes = stackalloc byte[16];
        rng.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0f) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3f) | 0x80);
        return new Guid(bytes);
    }
}
