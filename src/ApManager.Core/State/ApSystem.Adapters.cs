using System.Globalization;
using ApManager.Core.Audit;
using ApManager.Core.Drivers;
using ApManager.Core.Host;
using ApManager.Core.Masks;
using ApManager.Core.Refusals;

namespace ApManager.Core.State;

/// <summary>The adapter and queue commands: configure and deconfigure (hot plug), online and offline (chzcrypt -e/-d).</summary>
public sealed partial class ApSystem
{
    /// <summary>A hardware configure/deconfigure: queues appear or vanish, guest matrices follow.</summary>
    public Outcome<AdapterChange> SetAdapterConfigured(int id, bool configured, WriteOptions options = default)
    {
        var audit = new AuditInfo(configured ? "adapter.configure" : "adapter.deconfigure", $"adapter/{id}", configured ? "true" : "false",
            s => AuditJson.Adapter(s.Adapter(id)));
        return _runner.Run<AdapterChange>(options, audit, s =>
        {
            if (s.Adapter(id) is not { } adapter)
            {
                return new NotFound("adapter", id.ToString(CultureInfo.InvariantCulture));
            }
            if (options.Fails(adapter.Version))
            {
                return new VersionMismatch("adapter", options.IfMatch!.Value.Expected, adapter.Version);
            }
            if (adapter.Configured == configured)
            {
                return new AdapterChange(adapter, [.. s.QueuesOf(id).Select(q => q.Apqn)], [], options.DryRun);
            }
            return new Writing<AdapterChange>(new ConfigureCard(id, configured),
                (next, rebound) => new AdapterChange(next.Adapter(id)!, [.. next.QueuesOf(id).Select(q => q.Apqn)], rebound, options.DryRun));
        });
    }

    /// <summary>
    /// zcrypt's adapter online switch (<c>chzcrypt -e/-d</c>): the adapter and every queue of the
    /// host's zcrypt driver on it follow. Online needs a configured adapter without check-stop.
    /// </summary>
    public Outcome<AdapterChange> SetAdapterOnline(int id, bool online, WriteOptions options = default)
    {
        var audit = new AuditInfo(online ? "adapter.online" : "adapter.offline", $"adapter/{id}", online ? "true" : "false",
            s => AuditJson.Adapter(s.Adapter(id)));
        return _runner.Run<AdapterChange>(options, audit, s =>
        {
            if (s.Adapter(id) is not { } adapter)
            {
                return new NotFound("adapter", id.ToString(CultureInfo.InvariantCulture));
            }
            if (options.Fails(adapter.Version))
            {
                return new VersionMismatch("adapter", options.IfMatch!.Value.Expected, adapter.Version);
            }
            if (online && (!adapter.Configured || adapter.Checkstopped))
            {
                return new AdapterDeconfigured(id, null, adapter.Checkstopped);
            }
            if (adapter.Online == online && s.QueuesOf(id).All(q => q.Driver != WellKnownDrivers.Cex4Queue || q.Online == online))
            {
                return new AdapterChange(adapter, [.. s.QueuesOf(id).Select(q => q.Apqn)], [], options.DryRun);
            }
            return new Writing<AdapterChange>(new SetCardOnline(id, online),
                (next, rebound) => new AdapterChange(next.Adapter(id)!, [.. next.QueuesOf(id).Select(q => q.Apqn)], rebound, options.DryRun));
        });
    }

    /// <summary>
    /// zcrypt's queue online switch: only queues of the host's zcrypt driver have one; online needs
    /// a configured adapter without check-stop that is online itself.
    /// </summary>
    public Outcome<QueueChange> SetQueueOnline(Apqn apqn, bool online, WriteOptions options = default)
    {
        var audit = new AuditInfo(online ? "queue.online" : "queue.offline", $"queue/{apqn}", online ? "true" : "false",
            s => AuditJson.Queue(s.Queue(apqn)));
        return _runner.Run<QueueChange>(options, audit, s =>
        {
            if (s.Queue(apqn) is not { } queue)
            {
                return new NotFound("queue", apqn.ToString());
            }
            if (options.Fails(queue.Version))
            {
                return new VersionMismatch("queue", options.IfMatch!.Value.Expected, queue.Version);
            }
            if (queue.Driver != WellKnownDrivers.Cex4Queue)
            {
                return new NoOnlineSwitch(apqn, queue.Driver);
            }
            if (queue.Online == online)
            {
                return new QueueChange(queue, options.DryRun);
            }
            var adapter = s.Adapter(apqn.Adapter)!;
            if (online && (!adapter.Configured || adapter.Checkstopped || queue.Checkstopped))
            {
                return new AdapterDeconfigured(apqn.Adapter, apqn, adapter.Checkstopped || queue.Checkstopped);
            }
            if (online && !adapter.Online)
            {
                return new AdapterOffline(apqn);
            }
            return new Writing<QueueChange>(new SetQueueOnline(apqn, online), (next, _) => new QueueChange(next.Queue(apqn)!, options.DryRun));
        });
    }
}
