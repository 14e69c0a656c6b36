using Microsoft.Extensions.Options;

namespace ApManager.Api.Configuration;

/// <summary>A section bound by an options type.</summary>
internal sealed record BoundSection(string Path);

/// <summary>Validates one section: every value, each message naming its full key.</summary>
internal sealed class SettingsValidator<TOptions, TSettings> : IValidateOptions<TOptions>
    where TOptions : class, ISettingsSection<TSettings>
    where TSettings : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var errors = new SettingErrors();
        options.Read(errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors.Messages);
    }
}
