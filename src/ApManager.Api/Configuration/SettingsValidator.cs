using Microsoft.Extensions.Options;

namespace ApManager.Api.Configuration;

/// <summary>A section bound by an options type; the key check skips it in its parent section.</summary>
internal sealed record BoundSection(string Path);

/// <summary>Validates one section: keys nothing binds, then every value, each message naming its full key.</summary>
internal sealed class SettingsValidator<TOptions, TSettings>(IConfiguration configuration, IEnumerable<BoundSection> sections) : IValidateOptions<TOptions>
    where TOptions : class, ISettingsSection<TSettings>
    where TSettings : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var errors = new SettingErrors();
        var boundElsewhere = sections.Select(s => s.Path).ToHashSet(StringComparer.OrdinalIgnoreCase);
        UnknownKeys.Report(configuration.GetSection(TOptions.Section), typeof(TOptions), boundElsewhere, errors);
        options.Read(errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors.Messages);
    }
}
