using ApManager.Core.Host.Simulated;
using ApManager.Core.Host.Sysfs;
using ApManager.Core.Host;
using ApManager.Core.Journal;
using ApManager.Core.Persistence;
using ApManager.Core.State;
using ApManager.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ApManager.Api.Configuration;

public static class ServiceCollectionExtensions
{
    /// <summary>Registers the AP bus model built from the validated sections <c>ApManager</c>, <c>Storage</c> and <c>Host</c>.</summary>
    public static IServiceCollection AddApManagerCore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSettings<ApManagerOptions, ApManagerSettings>();
        services.AddSettings<StorageOptions, StorageSettings>();
        services.AddSettings<HostOptions, HostSettings>();
        services.TryAddSingleton<IApHost>(CreateHost);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(OpenStore);
        services.TryAddSingleton(sp => sp.GetRequiredService<OpenedStore>().Journal);
        services.TryAddSingleton(sp =>
        {
            // Resolve the journal through its own registration: that is what the container disposes
            // (closes the file) at shutdown; OpenedStore alone is never disposed.
            var journal = sp.GetRequiredService<IStateJournal>();
            var state = sp.GetRequiredService<OpenedStore>().State;
            var settings = sp.GetRequiredService<ApManagerSettings>();
            var host = sp.GetRequiredService<IApHost>();
            // A real host is what it is: only the simulated one starts from a seed.
            var seed = host.Kind == HostKind.Simulated ? Seeds.For(settings.Seed) : null;
            return new ApSystem(host, journal, state, seed, settings.MaxMdevs, sp.GetRequiredService<TimeProvider>());
        });
        services.TryAddSingleton(CreateDefinitionStore);
        services.TryAddSingleton(sp => new DefinitionManager(sp.GetRequiredService<ApSystem>(), sp.GetRequiredService<IDefinitionStore>()));
        return services;
    }

    /// <summary>
    /// Where the persistent definitions live: on a real host mdevctl's and chzdev's own files under
    /// <c>Host:Root</c>, taken under s390-tools' lock; for the simulated host the same layout in
    /// <c>simulated-host/</c> next to the store (memory when the store is).
    /// </summary>
    private static IDefinitionStore CreateDefinitionStore(IServiceProvider services)
    {
        var host = services.GetRequiredService<HostSettings>();
        if (host.Mode == HostKind.Sysfs)
        {
            var apHost = services.GetRequiredService<IApHost>();
            return new FileDefinitionStore(host.Root, apHost.Lock);
        }
        var path = services.GetRequiredService<StorageSettings>().Path;
        return path is null
            ? new MemoryDefinitionStore()
            : new FileDefinitionStore(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "simulated-host"));
    }

    /// <summary>
    /// The host of section <c>ApManager:Host</c>: this machine's AP bus through sysfs, or the simulated
    /// one, whose demo seed must fit its topology (judged only once both sections are valid).
    /// </summary>
    private static IApHost CreateHost(IServiceProvider services)
    {
        var host = services.GetRequiredService<HostSettings>();
        if (host.Mode == HostKind.Sysfs)
        {
            return new SysfsHost(host.Root);
        }
        var settings = services.GetRequiredService<ApManagerSettings>();
        return Seeds.CheckFits(settings.Seed, host.Topology) is { } misfit
            ? throw SettingErrors.Invalid([$"{ApManagerOptions.Section}:Seed: {misfit}"])
            : new SimulatedHost(host.Topology, settings.MaxMdevs);
    }

    /// <summary>The journal and the state it held when opened (null for a new store).</summary>
    private sealed record OpenedStore(IStateJournal Journal, PersistedState? State);

    private static OpenedStore OpenStore(IServiceProvider services)
    {
        var path = services.GetRequiredService<StorageSettings>().Path;
        if (path is null)
        {
            return new OpenedStore(new InMemoryJournal(), null);
        }
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("ApManager.Storage");
        var (store, state) = SqliteStore.Open(path, (file, ex) =>
            logger.LogError(ex, "Could not make a change durable in {Path}; the change was refused and rolled back", file));
        logger.LogInformation("Durable store {Path}: {Outcome}", store.Path, state is null ? "new, seeded" : $"restored at version {state.GlobalVersion}");
        return new OpenedStore(store, state);
    }
}
