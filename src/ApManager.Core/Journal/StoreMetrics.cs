namespace ApManager.Core.Journal;

/// <summary>
/// What the durable store reports about itself. The core has no metrics library; the service
/// plugs an exporter in at start (Prometheus through prometheus-net).
/// </summary>
public interface IStoreMetrics
{
    /// <summary>One group commit: its duration (write and fsync) and how many entries it carried.</summary>
    void Committed(TimeSpan duration, int entries);

    /// <summary>A group commit failed and was rolled back.</summary>
    void Failed();
}

/// <summary>Reports nothing.</summary>
public sealed class NoStoreMetrics : IStoreMetrics
{
    public static NoStoreMetrics Instance { get; } = new();

    public void Committed(TimeSpan duration, int entries)
    {
    }

    public void Failed()
    {
    }
}
