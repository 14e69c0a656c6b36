using System.Globalization;
using ApManager.Core.Host;

namespace ApManager.Api.Configuration;

/// <summary>One item of <c>ApManager:Host:Adapters</c>.</summary>
public sealed class AdapterOptions
{
    /// <summary>0..MaxAdapterId, unique.</summary>
    public string? Id { get; set; }

    /// <summary><c>CEX&lt;n&gt;&lt;m&gt;</c>: n 4..8, m A (accel), C (cca) or P (ep11).</summary>
    public string? Type { get; set; }

    /// <summary>Optional; when given it must match the type's mode.</summary>
    public string? Mode { get; set; }

    /// <summary>true (the default) or false.</summary>
    public string? Configured { get; set; }

    /// <summary>The adapter, or null after adding the first thing wrong with it to <paramref name="errors"/>.</summary>
    public AdapterSpec? Read(string path, int maxAdapterId, HashSet<int> seenIds, SettingErrors errors)
    {
        if (!int.TryParse(Id, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) || id < 0 || id > maxAdapterId)
        {
            errors.Add($"{path}:Id = '{Id}': use an integer 0..{maxAdapterId} (MaxAdapterId).");
            return null;
        }
        if (!seenIds.Add(id))
        {
            errors.Add($"{path}:Id = {id}: adapter ids must be unique.");
            return null;
        }
        if (!CardType.TryParse(Type, out var type))
        {
            errors.Add($"{path}:Type = '{Type}': use CEX<n><m> with n 4..8 and m A (accel), C (cca) or P (ep11).");
            return null;
        }
        if (Mode is not null && (!CardType.TryParseMode(Mode, out var mode) || mode != type.Mode))
        {
            errors.Add($"{path}:Mode = '{Mode}': must be {CardType.ModeName(type.Mode)} to match type {type}.");
            return null;
        }
        var configured = true;
        if (Configured is not null && !bool.TryParse(Configured, out configured))
        {
            errors.Add($"{path}:Configured = '{Configured}': use true or false.");
            return null;
        }
        return new AdapterSpec(id, type, configured);
    }
}
