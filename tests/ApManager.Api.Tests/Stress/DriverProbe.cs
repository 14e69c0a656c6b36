using ApManager.Core.Drivers;
using ApManager.Core.Masks;
using ApManager.Core.State;

namespace ApManager.Api.Tests.Stress;

/// <summary>
/// One registration of a test driver whose in_use callback spins or sleeps briefly, records every
/// call and objects to adapter <see cref="ObjectedAdapter"/> only. After <c>UnregisterDriver</c>
/// returned, the flag is set: a call that is still running or starts afterwards is a violation.
/// </summary>
public sealed class DriverProbe(string name, Random rng)
{
    public const string Prefix = "stress-test-driver-";

    /// <summary>The adapter this driver reports as in use (far above MaxAdapterId, so no device holds it).</summary>
    public const int ObjectedAdapter = 250;

    private readonly Lock _rngLock = new();
    private int _active;
    private long _calls;
    private volatile bool _unregistered;
    private long _violations;
    private long _callsAtUnregister = -1;

    public string Name { get; } = name;

    public long Calls => Interlocked.Read(ref _calls);

    public long Violations => Interlocked.Read(ref _violations);

    /// <summary>Calls counted when unregistration returned; -1 while registered.</summary>
    public long CallsAtUnregister => Interlocked.Read(ref _callsAtUnregister);

    public DriverDefinition Definition => new(Name, IsDefault: false, InUse);

    public IReadOnlyList<Offender> InUse(ApSnapshot snapshot, InUseQuery query)
    {
        Interlocked.Increment(ref _active);
        Interlocked.Increment(ref _calls);
        if (_unregistered)
        {
            Interlocked.Increment(ref _violations);
        }
        try
        {
            int roll;
            lock (_rngLock)
            {
                roll = rng.Next(100);
            }
            if (roll < 5)
            {
                Thread.Sleep(1);
            }
            else
            {
                Thread.SpinWait(200 + (roll * 20));
            }
            List<Offender> offenders = [];
            foreach (var (adapters, domains) in new[] { (query.Adapters1, query.Domains1), (query.Adapters2, query.Domains2) })
            {
                if (adapters.Contains(ObjectedAdapter))
                {
                    foreach (var d in domains)
                    {
                        offenders.Add(new Offender(new Apqn(ObjectedAdapter, (byte)d), Name, null, null));
                    }
                }
            }
            return offenders;
        }
        finally
        {
            if (_unregistered)
            {
                // Still running although UnregisterDriver already returned.
                Interlocked.Increment(ref _violations);
            }
            Interlocked.Decrement(ref _active);
        }
    }

    /// <summary>Called right after <c>UnregisterDriver</c> returned: nothing may be running now or later.</summary>
    public void MarkUnregistered()
    {
        _unregistered = true;
        if (Volatile.Read(ref _active) != 0)
        {
            Interlocked.Increment(ref _violations);
        }
        Interlocked.Exchange(ref _callsAtUnregister, Calls);
    }
}
