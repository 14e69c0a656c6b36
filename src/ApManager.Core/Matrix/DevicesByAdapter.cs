using System.Collections.Immutable;
using System.Runtime.InteropServices;
using ApManager.Core.Masks;

namespace ApManager.Core.Matrix;

/// <summary>
/// Matrix devices by assigned adapter. Two assignments can share an APQN only on a common
/// adapter, so the sharing and in_use rules look only at the devices on the adapters they ask
/// about instead of at every device. Immutable; a change rebuilds only the lists of the adapters
/// it touches.
/// </summary>
public sealed class DevicesByAdapter
{
    /// <summary>Up to this many adapters asked, the lists beat one pass over every device (a new aqmask bit asks about all of them).</summary>
    private const int IndexedAdapters = 32;

    private readonly HostDevice[]?[] _lists;
    private readonly ImmutableArray<HostDevice> _all;

    private DevicesByAdapter(HostDevice[]?[] lists, ImmutableArray<HostDevice> all) => (_lists, _all) = (lists, all);

    public static DevicesByAdapter Of(ImmutableArray<HostDevice> devices)
    {
        var counts = new int[256];
        foreach (var d in devices)
        {
            foreach (var a in d.Adapters)
            {
                counts[a]++;
            }
        }
        var lists = new HostDevice[]?[256];
        var filled = new int[256];
        foreach (var d in devices)
        {
            foreach (var a in d.Adapters)
            {
                (lists[a] ??= new HostDevice[counts[a]])[filled[a]++] = d;
            }
        }
        return new DevicesByAdapter(lists, devices);
    }

    /// <summary>This index after <paramref name="changes"/> (a device before and after; null = absent) that led to <paramref name="devices"/>.</summary>
    public DevicesByAdapter With(IReadOnlyCollection<(HostDevice? Old, HostDevice? New)> changes, ImmutableArray<HostDevice> devices)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (changes.Count == 0)
        {
            return devices == _all ? this : new DevicesByAdapter(_lists, devices);
        }
        var touched = ApMask.Empty;
        var changed = new HashSet<MdevId>();
        foreach (var (old, next) in changes)
        {
            touched |= (old?.Adapters ?? default) | (next?.Adapters ?? default);
            changed.Add((old ?? next)!.Id);
        }
        var lists = (HostDevice[]?[])_lists.Clone();
        foreach (var a in touched)
        {
            var list = new List<HostDevice>();
            foreach (var d in _lists[a] ?? [])
            {
                if (!changed.Contains(d.Id))
                {
                    list.Add(d);
                }
            }
            foreach (var (_, next) in changes)
            {
                if (next is not null && next.Adapters.Contains(a))
                {
                    list.Add(next);
                }
            }
            lists[a] = list.Count == 0 ? null : [.. list];
        }
        return new DevicesByAdapter(lists, devices);
    }

    /// <summary>Whether asking about <paramref name="adapters"/> through the lists pays, rather than one pass over every device.</summary>
    public static bool WorthIndexing(ApMask adapters) => adapters.Count <= IndexedAdapters;

    /// <summary>Each device with an adapter in <paramref name="adapters"/>, once; for many adapters, simply every device.</summary>
    public Enumerator On(ApMask adapters) => WorthIndexing(adapters) ? new(_lists, adapters) : new(_all);

    /// <summary>
    /// Walks the lists of the asked adapters, a device on several of them yielded at the first one
    /// only; or, over all devices, every device.
    /// </summary>
    public struct Enumerator
    {
        private readonly HostDevice[]?[]? _lists;
        private readonly ApMask _adapters;
        private ApMask.BitEnumerator _adapter;
        private HostDevice[]? _list;
        private int _index;

        internal Enumerator(HostDevice[]?[] lists, ApMask adapters)
        {
            _lists = lists;
            _adapters = adapters;
            _adapter = adapters.GetEnumerator();
            _list = null;
            _index = 0;
            Current = null!;
        }

        internal Enumerator(ImmutableArray<HostDevice> all)
        {
            _lists = null;
            _adapters = default;
            _adapter = default;
            _list = ImmutableCollectionsMarshal.AsArray(all);
            _index = 0;
            Current = null!;
        }

        public HostDevice Current { get; private set; }

        public readonly Enumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            if (_lists is null)
            {
                if (_list is null || _index >= _list.Length)
                {
                    return false;
                }
                Current = _list[_index++];
                return true;
            }
            while (true)
            {
                while (_list is not null && _index < _list.Length)
                {
                    var d = _list[_index++];
                    if ((d.Adapters & _adapters).First == _adapter.Current)
                    {
                        Current = d;
                        return true;
                    }
                }
                if (!_adapter.MoveNext())
                {
                    return false;
                }
                _list = _lists[_adapter.Current];
                _index = 0;
            }
        }
    }
}
