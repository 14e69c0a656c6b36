using System.Collections.Immutable;
using System.Globalization;
using ApManager.Core.Matrix;

namespace ApManager.Core.Persistence;

/// <summary>mdevctl's <c>start</c>: only <c>auto</c> starts at boot; every other value means manual.</summary>
public enum StartMode
{
    Manual,
    Auto,
}

/// <summary>One element of <c>attrs</c>: a sysfs attribute name and the value mdevctl writes to it, both verbatim.</summary>
public readonly record struct MdevctlAttribute(string Name, string Value)
{
    public const string AssignAdapter = "assign_adapter";
    public const string AssignDomain = "assign_domain";
    public const string AssignControlDomain = "assign_control_domain";
}

/// <summary>
/// A persistent mdevctl definition for parent <c>matrix</c> (<c>/etc/mdevctl.d/matrix/&lt;uuid&gt;</c>):
/// the start mode and the attributes in order, kept exactly as given (duplicates, hex, octal,
/// <c>unassign_*</c>). The type is always <see cref="VfioApType"/>; the UUID is the file name.
/// </summary>
public sealed record MdevctlDefinition
{
    public const string VfioApType = "vfio_ap-passthrough";

    public const string Parent = "matrix";

    public MdevctlDefinition(StartMode start, IEnumerable<MdevctlAttribute> attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        Start = start;
        Attributes = [.. attributes];
    }

    public StartMode Start { get; init; }

    /// <summary>
    /// The JSON text of a <c>start</c> member that was neither <c>"auto"</c> nor <c>"manual"</c>
    /// (mdevctl reads it as manual and rewrites it as <c>"manual"</c>); null otherwise. Not part of equality.
    /// </summary>
    public string? StartAsWritten { get; init; }

    public ImmutableArray<MdevctlAttribute> Attributes { get; }

    public bool Autostart => Start == StartMode.Auto;

    /// <summary>The ids as ap-check reads them (s390-tools libap): the basis of every boot rule.</summary>
    public ApCheckView ApCheck => ApCheckView.Of(Attributes);

    /// <summary>
    /// What <c>mdevctl define -u</c> of a running device writes: ap-check's get-attributes order
    /// (adapters, domains, control domains, each ascending) with decimal values.
    /// </summary>
    public static MdevctlDefinition FromAssignment(Assignment assignment, StartMode start)
    {
        var attributes = new List<MdevctlAttribute>();
        foreach (var a in assignment.Adapters)
        {
            attributes.Add(new(MdevctlAttribute.AssignAdapter, a.ToString(CultureInfo.InvariantCulture)));
        }
        foreach (var d in assignment.Domains)
        {
            attributes.Add(new(MdevctlAttribute.AssignDomain, d.ToString(CultureInfo.InvariantCulture)));
        }
        foreach (var c in assignment.ControlDomains)
        {
            attributes.Add(new(MdevctlAttribute.AssignControlDomain, c.ToString(CultureInfo.InvariantCulture)));
        }
        return new MdevctlDefinition(start, attributes);
    }

    public bool Equals(MdevctlDefinition? other) =>
        other is not null && Start == other.Start && Attributes.AsSpan().SequenceEqual(other.Attributes.AsSpan());

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Start);
        foreach (var attribute in Attributes)
        {
            hash.Add(attribute);
        }
        return hash.ToHashCode();
    }
}

/// <summary>A definition with the UUID its file is named after.</summary>
public sealed record DefinedDevice(MdevId Id, MdevctlDefinition Definition);
