using ApManager.Core.State;

namespace ApManager.Core.Drivers;

/// <summary>
/// A driver's in_use callback: the offenders among <paramref name="query"/> in the committed
/// <paramref name="snapshot"/> a change is based on (empty = no objection). Must have no side effects.
/// </summary>
public delegate IReadOnlyList<Offender> InUseCallback(ApSnapshot snapshot, InUseQuery query);

/// <summary>A driver on the AP bus. Only <c>cex4queue</c> and <c>vfio_ap</c> bind queues.</summary>
public sealed record DriverDefinition(string Name, bool IsDefault, InUseCallback? InUse = null);

/// <summary>The outcome of asking every driver: merged offenders, or the driver whose callback failed.</summary>
public sealed record InUseAnswer(IReadOnlyList<Offender> Offenders, string? FailedDriver = null, Exception? Failure = null)
{
    public static InUseAnswer None { get; } = new([]);

    public bool Failed => FailedDriver is not null;
}

/// <summary>
/// The drivers registered on the bus. Registration and unregistration may happen on any thread
/// at any time, concurrently with in_use queries (the kernel's module-unload race):
/// a query uses the drivers present when it starts; a driver unregistered meanwhile is either
/// asked to completion or skipped; once <see cref="Unregister"/> returns its callback is not
/// running and never runs again.
/// </summary>
public sealed class DriverRegistry
{
    private readonly Lock _gate = new();
    private Entry[] _entries = [];

    // Every callback running on this thread, innermost last: a nested query (say a dry run from
    // inside a callback) must not let an outer driver be waited for by its own thread.
    [ThreadStatic]
    private static Entry[]? t_active;

    [ThreadStatic]
    private static int t_depth;

    public IReadOnlyList<DriverDefinition> Registered => [.. Volatile.Read(ref _entries).Select(e => e.Definition)];

    public bool IsRegistered(string name) => Find(name) is not null;

    /// <summary>Adds a driver; a taken name is an error.</summary>
    public void Register(DriverDefinition driver)
    {
        ArgumentNullException.ThrowIfNull(driver);
        lock (_gate)
        {
            if (Find(driver.Name) is not null)
            {
                throw new InvalidOperationException($"A driver named '{driver.Name}' is already registered.");
            }
            Volatile.Write(ref _entries, [.. _entries, new Entry(driver)]);
        }
    }

    /// <summary>
    /// Removes a driver and waits until none of its callbacks is running. Fails fast when called
    /// from inside that driver's own callback (waiting there would deadlock). False when unknown.
    /// </summary>
    public bool Unregister(string name)
    {
        Entry? entry;
        lock (_gate)
        {
            entry = Find(name);
            if (entry is null)
            {
                return false;
            }
            if (IsActiveOnThisThread(entry))
            {
                throw new InvalidOperationException($"Driver '{name}' cannot unregister from inside its own in_use callback.");
            }
            entry.Close();
            Volatile.Write(ref _entries, [.. _entries.Where(e => !ReferenceEquals(e, entry))]);
        }
        entry.WaitIdle();
        return true;
    }

    /// <summary>Asks every registered driver with a callback; merges every objection.</summary>
    public InUseAnswer Query(ApSnapshot snapshot, InUseQuery query)
    {
        if (query.IsEmpty)
        {
            return InUseAnswer.None;
        }
        var entries = Volatile.Read(ref _entries);
        List<Offender>? merged = null;
        foreach (var entry in entries)
        {
            if (entry.Definition.InUse is not { } callback || !entry.TryEnter())
            {
                continue;
            }
            Push(entry);
            try
            {
                var offenders = callback(snapshot, query);
                if (offenders.Count > 0)
                {
                    (merged ??= []).AddRange(offenders);
                }
            }
            catch (Exception ex)
            {
                return new InUseAnswer([], entry.Definition.Name, ex);
            }
            finally
            {
                t_active![--t_depth] = null!;
                entry.Exit();
            }
        }
        return merged is null ? InUseAnswer.None : new InUseAnswer(Offender.Normalize(merged));
    }

    private static bool IsActiveOnThisThread(Entry entry)
    {
        for (var i = 0; i < t_depth; i++)
        {
            if (ReferenceEquals(t_active![i], entry))
            {
                return true;
            }
        }
        return false;
    }

    private static void Push(Entry entry)
    {
        t_active ??= new Entry[4];
        if (t_depth == t_active.Length)
        {
            Array.Resize(ref t_active, t_depth * 2);
        }
        t_active[t_depth++] = entry;
    }

    private Entry? Find(string name)
    {
        foreach (var e in Volatile.Read(ref _entries))
        {
            if (e.Definition.Name == name)
            {
                return e;
            }
        }
        return null;
    }

    private sealed class Entry(DriverDefinition definition)
    {
        private const int ClosedFlag = 1 << 30;
        private int _state; // calls in flight, plus ClosedFlag once unregistering

        public DriverDefinition Definition { get; } = definition;

        public bool TryEnter()
        {
            if ((Interlocked.Increment(ref _state) & ClosedFlag) != 0)
            {
                Interlocked.Decrement(ref _state);
                return false;
            }
            return true;
        }

        public void Exit() => Interlocked.Decrement(ref _state);

        public void Close() => Interlocked.Or(ref _state, ClosedFlag);

        public void WaitIdle()
        {
            var spin = new SpinWait();
            while ((Volatile.Read(ref _state) & ~ClosedFlag) != 0)
            {
                spin.SpinOnce();
            }
        }
    }
}
