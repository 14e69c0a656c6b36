using ApManager.Core.Drivers;
using ApManager.Core.Host;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;
using ApManager.Core.State;

namespace ApManager.Api.Tests.Stress;

/// <summary>
/// Checks one <see cref="ApSnapshot"/> against the rules of SPEC §3, §5, §6 and §8, recomputing every
/// derived field from the snapshot's own masks, topology and devices (never from the product's
/// helpers). <see cref="SnapshotText"/> renders a snapshot for comparison.
/// </summary>
public static class SnapshotInvariants
{
    /// <summary>Every violation found in <paramref name="s"/> (the first 20); empty when the snapshot is consistent.</summary>
    public static List<string> Violations(ApSnapshot s)
    {
        var check = new Check(s);
        check.Bus();
        var configured = check.Adapters();
        check.Devices(configured);
        check.Guests();
        check.Queues(configured);
        return check.Errors;
    }

    public static string Ids(ApMask mask) => "{" + string.Join(",", mask.ToArray()) + "}";

    private sealed class Check(ApSnapshot s)
    {
        private readonly HostTopology _topology = s.Topology;
        private readonly ApMask _apm = s.Bus.Apmask;
        private readonly ApMask _aqm = s.Bus.Aqmask;

        public List<string> Errors { get; } = [];

        private void Fail(string message)
        {
            if (Errors.Count < 20)
            {
                Errors.Add($"v{s.Version}: {message}");
            }
        }

        public void Bus()
        {
            if (s.Version < 1 || s.Bus.Version < 1 || s.Bus.Version > s.Version)
            {
                Fail($"bus version {s.Bus.Version} outside 1..{s.Version}");
            }
        }

        /// <summary>Adapters: exactly the topology's, versions in range. Returns the configured ones.</summary>
        public ApMask Adapters()
        {
            var configured = ApMask.Empty;
            var adapterCount = 0;
            foreach (var a in s.Adapters)
            {
                adapterCount++;
                if (!_topology.AdapterIds.Contains(a.Id))
                {
                    Fail($"adapter {a.Id} is not in the topology");
                }
                if (a.Version < 1 || a.Version > s.Version)
                {
                    Fail($"adapter {a.Id} version {a.Version} outside 1..{s.Version}");
                }
                if (a.Configured)
                {
                    configured = configured.With(a.Id);
                }
            }
            if (adapterCount != _topology.AdapterIds.Count)
            {
                Fail($"{adapterCount} adapters, topology has {_topology.AdapterIds.Count}");
            }
            return configured;
        }

        /// <summary>Devices: sorted, unique, valid names and ids, guests consistent, guest matrix derived, I1 and I2.</summary>
        public void Devices(ApMask configured)
        {
            var devices = s.Mdevs;
            var guestsSeen = 0;
            for (var i = 0; i < devices.Count; i++)
            {
                var m = devices[i];
                if (i > 0 && devices[i - 1].Id.CompareTo(m.Id) >= 0)
                {
                    Fail($"devices not strictly sorted at {m.Id}");
                }
                if (m.Version < 1 || m.Version > s.Version)
                {
                    Fail($"device {m.Id} version {m.Version} outside 1..{s.Version}");
                }
                if (m.Name is { } name && (name.Length > Names.MaxLength || name.Any(char.IsControl)))
                {
                    Fail($"device {m.Id} has an invalid name ({name.Length} characters, control characters: {name.Any(char.IsControl)})");
                }
                if (!m.Adapters.Except(_topology.AdapterRange).IsEmpty || !m.Domains.Except(_topology.DomainRange).IsEmpty ||
                    !m.ControlDomains.Except(_topology.DomainRange).IsEmpty)
                {
                    Fail($"device {m.Id} has ids above the host maxima");
                }
                if (m.Guest is { } guest)
                {
                    guestsSeen++;
                    DeviceGuest(m, guest);
                }
                GuestMatrix(m, configured);
                Sharing(devices, i);
            }
            if (guestsSeen != s.Guests.Count)
            {
                Fail($"{guestsSeen} devices have a guest but Guests has {s.Guests.Count} entries");
            }
        }

        private void DeviceGuest(MatrixDevice m, string guest)
        {
            if (Names.CheckGuestName(guest) is not null)
            {
                Fail($"device {m.Id} has an invalid guest name '{guest}'");
            }
            if (!s.Guests.TryGetValue(guest, out var holder) || holder != m.Id)
            {
                Fail($"guest '{guest}' of {m.Id} is not mapped to it in Guests");
            }
        }

        /// <summary>SPEC §6 guest matrix, recomputed from the snapshot's own queues.</summary>
        private void GuestMatrix(MatrixDevice m, ApMask configured)
        {
            var shadowA = m.Adapters & configured;
            var shadowD = m.Domains & _topology.UsageDomains;
            if (!shadowD.IsEmpty)
            {
                foreach (var a in shadowA)
                {
                    foreach (var d in shadowD)
                    {
                        if (s.Queue(new Apqn((byte)a, (byte)d))?.Driver != WellKnownDrivers.VfioAp)
                        {
                            shadowA = shadowA.Without(a);
                            break;
                        }
                    }
                }
            }
            var shadowC = m.ControlDomains & _topology.ControlDomains;
            if (m.Shadow.Adapters != shadowA || m.Shadow.Domains != shadowD || m.Shadow.ControlDomains != shadowC)
            {
                Fail($"device {m.Id} guest matrix {Ids(m.Shadow.Adapters)} x {Ids(m.Shadow.Domains)} / {Ids(m.Shadow.ControlDomains)}, " +
                    $"recomputed {Ids(shadowA)} x {Ids(shadowD)} / {Ids(shadowC)}");
            }
        }

        /// <summary>I2 for device <paramref name="i"/>, and I1 between it and every later device.</summary>
        private void Sharing(IReadOnlyList<MatrixDevice> devices, int i)
        {
            var m = devices[i];
            // I2: while vfio_ap is registered no APQN of a matrix is default-owned.
            if (s.VfioApBinds && (m.Adapters & _apm).Count > 0 && (m.Domains & _aqm).Count > 0)
            {
                Fail($"I2: device {m.Id} holds default-owned APQNs {Ids(m.Adapters & _apm)} x {Ids(m.Domains & _aqm)}");
            }

            // I1: no APQN in two matrices.
            for (var j = i + 1; j < devices.Count; j++)
            {
                var o = devices[j];
                if ((m.Adapters & o.Adapters).Count > 0 && (m.Domains & o.Domains).Count > 0)
                {
                    Fail($"I1: devices {m.Id} and {o.Id} share {Ids(m.Adapters & o.Adapters)} x {Ids(m.Domains & o.Domains)}");
                }
            }
        }

        public void Guests()
        {
            foreach (var (guest, id) in s.Guests)
            {
                if (s.Mdev(id)?.Guest != guest)
                {
                    Fail($"Guests maps '{guest}' to {id}, which does not have that guest");
                }
            }
        }

        /// <summary>Queues: exactly configured adapters x usage domains, bound by the binding rule, mdev/guest derived.</summary>
        public void Queues(ApMask configured)
        {
            var queueCount = 0;
            foreach (var q in s.Queues)
            {
                queueCount++;
                int a = q.Apqn.Adapter, d = q.Apqn.Domain;
                if (!configured.Contains(a) || !_topology.UsageDomains.Contains(d))
                {
                    Fail($"queue {q.Apqn} exists but adapter configured={configured.Contains(a)}, usage domain={_topology.UsageDomains.Contains(d)}");
                }
                var driver = _apm.Contains(a) && _aqm.Contains(d)
                    ? (s.Cex4QueueBinds ? WellKnownDrivers.Cex4Queue : null)
                    : (s.VfioApBinds && _topology.VfioCapableAdapters.Contains(a) ? WellKnownDrivers.VfioAp : null);
                if (q.Driver != driver)
                {
                    Fail($"queue {q.Apqn} bound to {q.Driver ?? "(none)"}, the binding rule says {driver ?? "(none)"}");
                }
                QueueHolder(q);
                if (!q.Online)
                {
                    Fail($"queue {q.Apqn} is offline although its adapter is configured");
                }
                if (q.Version < 1 || q.Version > s.Version)
                {
                    Fail($"queue {q.Apqn} version {q.Version} outside 1..{s.Version}");
                }
            }
            var expectedQueues = configured.Count * _topology.UsageDomains.Count;
            if (queueCount != expectedQueues)
            {
                Fail($"{queueCount} queues, configured adapters x usage domains = {expectedQueues}");
            }
        }

        /// <summary>A queue's mdev is the device whose matrix holds it; its guest, that device's guest if the guest matrix holds it.</summary>
        private void QueueHolder(QueueState q)
        {
            MatrixDevice? holder = null;
            foreach (var m in s.Mdevs)
            {
                if (m.Assignment.Contains(q.Apqn))
                {
                    holder = m;
                    break;
                }
            }
            if (q.Mdev != holder?.Id)
            {
                Fail($"queue {q.Apqn} names mdev {q.Mdev?.ToString() ?? "(none)"}, the devices say {holder?.Id.ToString() ?? "(none)"}");
            }
            var guest = holder is { Guest: { } g } && holder.Shadow.Contains(q.Apqn) ? g : null;
            if (q.Guest != guest)
            {
                Fail($"queue {q.Apqn} names guest {q.Guest ?? "(none)"}, the devices say {guest ?? "(none)"}");
            }
        }
    }
}
