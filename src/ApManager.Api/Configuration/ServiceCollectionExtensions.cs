using ApManager.Core.Host;
using ApManager.Core.State;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ApManager.Api.Configuration;

public static class ServiceCollectionExtensions
{
    /// <summary>Registers the AP bus model built from section <c>ApManager</c>; resolve it at start to validate.</summary>
    public static IServiceCollection AddApManagerCore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(sp => ApManagerConfiguration.Load(sp.GetRequiredService<IConfiguration>()));
        services.TryAddSingleton<IApHost>(sp => sp.GetRequiredService<ApManagerConfiguration.Settings>().Host);
        services.TryAddSingleton(sp => new ApSystem(sp.GetRequiredService<IApHost>(), sp.GetRequiredService<ApManagerConfiguration.Settings>().MaxMdevs));
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}
