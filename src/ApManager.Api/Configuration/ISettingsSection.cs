namespace ApManager.Api.Configuration;

/// <summary>
/// One configuration section, bound as raw text so that a bad value is explained by its validator
/// (what to use instead) rather than by the binder's conversion error, and read into typed settings.
/// </summary>
public interface ISettingsSection<TSettings>
    where TSettings : class
{
    /// <summary>The section's full key, such as <c>ApManager:RateLimit</c>.</summary>
    static abstract string Section { get; }

    /// <summary>The typed settings; each bad value adds one message naming its full key, and the result is then null or incomplete.</summary>
    TSettings? Read(SettingErrors errors);
}
