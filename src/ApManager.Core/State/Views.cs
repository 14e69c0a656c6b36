using ApManager.Core.Host;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;

namespace ApManager.Core.State;

/// <summary>The bus permissions: both masks and the version of the last step that changed them.</summary>
public sealed record BusState(ApMask Apmask, ApMask Aqmask, long Version);

/// <summary>An adapter as ApManager shows it: the host's card and the version of the last step that changed it.</summary>
public sealed record AdapterState(CardInfo Card, long Version)
{
    public int Id => Card.Id;

    public CardType Type => Card.Type;

    public bool Configured => Card.Configured;

    public bool Online => Card.Online;

    public bool Checkstopped => Card.Checkstopped;

    public CardHardware Hardware => Card.Hardware;

    public long? RequestCount => Card.RequestCount;
}

/// <summary>
/// One AP queue as ApManager shows it: the host's queue (bound driver, the matrix device whose
/// assignment contains it, that device's guest when the queue is in its guest matrix) and the
/// version of the last step that changed it.
/// </summary>
public sealed record QueueState(QueueInfo Info, long Version)
{
    public Apqn Apqn => Info.Apqn;

    public string? Driver => Info.Driver;

    public MdevId? Mdev => Info.Mdev;

    public string? Guest => Info.Guest;

    public bool Online => Info.Online;

    public bool Checkstopped => Info.Checkstopped;

    /// <summary>vfio_ap's status of a queue bound to it; null otherwise.</summary>
    public string? Status => Info.Status;

    public long? RequestCount => Info.RequestCount;
}

/// <summary>A queue whose driver changed in a step.</summary>
public sealed record Rebound(Apqn Apqn, string? From, string? To);

/// <summary>What a step did to queues beyond their views: which were rebound and which were switched online or offline (or check-stopped).</summary>
public sealed record StepDelta(IReadOnlyList<Rebound> Rebound, IReadOnlyList<Apqn> Switched)
{
    public static StepDelta None { get; } = new([], []);
}
