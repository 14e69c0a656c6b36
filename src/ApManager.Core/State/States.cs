using ApManager.Core.Host;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;

namespace ApManager.Core.State;

/// <summary>The bus permissions: both masks and the version of the last step that changed them.</summary>
public sealed record BusState(ApMask Apmask, ApMask Aqmask, long Version);

/// <summary>An adapter of the topology with its run-time configured state.</summary>
public sealed record AdapterState(int Id, CardType Type, bool Configured, long Version)
{
    /// <summary>The simulated host keeps adapters online exactly while configured.</summary>
    public bool Online => Configured;
}

/// <summary>
/// One AP queue as the bus shows it: bound driver (null = unbound), the matrix device whose
/// assignment contains it and that device's guest when the queue is in its guest matrix.
/// </summary>
public sealed record QueueState(Apqn Apqn, string? Driver, MdevId? Mdev, string? Guest, bool Online, long Version)
{
    internal bool SameAs(QueueState other) =>
        Driver == other.Driver && Mdev == other.Mdev && Guest == other.Guest && Online == other.Online;
}

/// <summary>A queue whose driver changed in a step.</summary>
public sealed record Rebound(Apqn Apqn, string? From, string? To);
