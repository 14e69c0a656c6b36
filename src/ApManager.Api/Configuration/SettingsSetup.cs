using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ApManager.Api.Configuration;

/// <summary>Registers configuration sections as validated options and checks them all when the host starts.</summary>
public static class SettingsSetup
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> to its section, validates it at start and registers the
    /// typed <typeparamref name="TSettings"/> read from it. Both are read when first resolved from the
    /// built host, so configuration added late (tests) is honoured. Registering a section twice is harmless.
    /// </summary>
    public static IServiceCollection AddSettings<TOptions, TSettings>(this IServiceCollection services)
        where TOptions : class, ISettingsSection<TSettings>
        where TSettings : class
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ImplementationInstance is BoundSection s && s.Path == TOptions.Section))
        {
            return services;
        }
        services.AddSingleton(new BoundSection(TOptions.Section));
        services.AddOptions<TOptions>().BindConfiguration(TOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, SettingsValidator<TOptions, TSettings>>());
        services.TryAddSingleton(sp => ReadValidated<TOptions, TSettings>(sp.GetRequiredService<IOptions<TOptions>>().Value));
        return services;
    }

    /// <summary>
    /// Validates every registered section now, before anything is built from them, and stops with
    /// one message listing every bad value by its key.
    /// </summary>
    public static void ValidateSettings(this IServiceProvider services)
    {
        try
        {
            services.GetRequiredService<IStartupValidator>().Validate();
        }
        catch (OptionsValidationException ex)
        {
            throw SettingErrors.Invalid(ex.Failures, ex);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OptionsValidationException))
        {
            throw SettingErrors.Invalid(ex.InnerExceptions.OfType<OptionsValidationException>().SelectMany(e => e.Failures), ex);
        }
    }

    // IOptions<T>.Value has run the validator, so this read finds nothing wrong; if it ever did, stop rather than run half-configured.
    private static TSettings ReadValidated<TOptions, TSettings>(TOptions options)
        where TOptions : class, ISettingsSection<TSettings>
        where TSettings : class
    {
        var errors = new SettingErrors();
        var settings = options.Read(errors);
        return settings is not null && errors.Count == 0 ? settings : throw SettingErrors.Invalid(errors.Messages);
    }
}
