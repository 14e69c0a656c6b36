namespace ApManager.Core;

/// <summary>
/// The kernel's answers to a sysfs write that ApManager models or meets, and the file system's to a
/// write of the persistent files (Linux errno names).
/// <see cref="None"/> is success.
/// </summary>
public enum Errno
{
    /// <summary>Success.</summary>
    None = 0,

    /// <summary>Not permitted: a second device for one KVM guest, no create instances left, a guest managed elsewhere.</summary>
    EPERM = 1,

    /// <summary>No such file: the attribute or device does not exist.</summary>
    ENOENT = 2,

    /// <summary>I/O error.</summary>
    EIO = 5,

    /// <summary>Argument list too long: a write over one page (4096 bytes).</summary>
    E2BIG = 7,

    /// <summary>Try again.</summary>
    EAGAIN = 11,

    /// <summary>Permission denied.</summary>
    EACCES = 13,

    /// <summary>Busy: the in_use callback objected, or the device is open by a guest.</summary>
    EBUSY = 16,

    /// <summary>Exists: a matrix device with this UUID.</summary>
    EEXIST = 17,

    /// <summary>No such device: an id above the maximum, a deconfigured adapter.</summary>
    ENODEV = 19,

    /// <summary>Invalid argument: the text does not parse.</summary>
    EINVAL = 22,

    /// <summary>No space left.</summary>
    ENOSPC = 28,

    /// <summary>Read-only file system: a persistent file's directory cannot be written (a sandbox, a read-only mount).</summary>
    EROFS = 30,

    /// <summary>Out of range: a number above 2^64 − 1.</summary>
    ERANGE = 34,

    /// <summary>Too many users: no <c>available_instances</c> left for a new matrix device.</summary>
    EUSERS = 87,

    /// <summary>Not supported by this kernel.</summary>
    EOPNOTSUPP = 95,

    /// <summary>Address in use: APQNs another matrix device holds.</summary>
    EADDRINUSE = 98,

    /// <summary>Address not available: APQNs the host's default drivers own.</summary>
    EADDRNOTAVAIL = 99,

    /// <summary>Timed out.</summary>
    ETIMEDOUT = 110,

    /// <summary>Disk quota exceeded.</summary>
    EDQUOT = 122,
}
