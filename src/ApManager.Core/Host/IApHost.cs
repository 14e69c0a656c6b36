namespace ApManager.Core.Host;

/// <summary>Which machine ApManager manages.</summary>
public enum HostKind
{
    /// <summary>A modelled host: the simulated kernel runs the rules of SPEC §2–6.</summary>
    Simulated,

    /// <summary>A real IBM Z / LinuxONE host through sysfs (SPEC §11).</summary>
    Sysfs,
}

/// <summary>
/// The machine ApManager manages: the kernel owns the AP state and answers each write with an
/// errno. The manager reads the whole picture, judges a change with the model, writes it and
/// reads back what the kernel made of it.
/// </summary>
public interface IApHost
{
    HostKind Kind { get; }

    /// <summary>The whole AP picture now.</summary>
    HostState Read();

    /// <summary>
    /// The whole picture when the host may have changed since the last read, null when a cheap
    /// look says it has not (the poll for changes made by others; the simulated host never has any).
    /// </summary>
    HostState? Poll();

    /// <summary>Applies one write; <see cref="Errno.None"/> when the kernel took it.</summary>
    Errno Apply(HostWrite write);

    /// <summary>
    /// What the kernel refused in the last <see cref="Apply"/> that failed: the attribute (a path
    /// under the host's root) and the bytes written; null where a host has no files (the simulated one).
    /// Read under the same writer lock as the <see cref="Apply"/> it describes.
    /// </summary>
    RefusedWrite? LastRefused { get; }

    /// <summary>
    /// Takes the host's configuration lock (s390-tools' on a real host) for one change; null when
    /// another tool still held it after <paramref name="timeout"/>.
    /// </summary>
    IDisposable? Lock(TimeSpan timeout);

    /// <summary>Why the last <see cref="Read"/> failed (the state is then the last one read), or null while the host reads fine.</summary>
    string? Unavailable { get; }

    /// <summary>Where the lock lives, for messages; null when the host has none.</summary>
    string? LockName { get; }
}

/// <summary>One refused <c>write(2)</c>: the attribute and the text written, as an administrator would retype it.</summary>
public sealed record RefusedWrite(string Attribute, string Written);

/// <summary>
/// A host whose whole state the manager sets (the simulated one): it starts from a configuration
/// as a boot would, and it can be put back to a state it had when the store could not keep a step.
/// </summary>
public interface IBootableHost : IApHost
{
    /// <summary>Starts over from <paramref name="state"/>: masks, configured adapters, devices and their guests.</summary>
    void Boot(InitialState state);

    /// <summary>Puts back <paramref name="state"/>, a state this host had.</summary>
    void Reset(HostState state);
}
