namespace ApManager.Core.Persistence;

/// <summary>
/// A persistent file (an mdevctl definition, chzdev's rules) could not be written or deleted: the
/// file, the file system's errno and what was to be written (empty for a deletion).
/// </summary>
public sealed class PersistentFileException : IOException
{
    public PersistentFileException(string path, Errno errno, string written, Exception inner)
        : base($"{path}: {errno} ({inner.Message})", inner)
    {
        Path = path;
        Errno = errno;
        Written = written;
    }

    public string Path { get; }

    public Errno Errno { get; }

    public string Written { get; }

    /// <summary>The errno of a failed file operation (on Linux an <see cref="IOException"/>'s HResult is the errno).</summary>
    public static Errno ErrnoOf(Exception e) => e switch
    {
        UnauthorizedAccessException => Errno.EACCES,
        DirectoryNotFoundException or FileNotFoundException => Errno.ENOENT,
        IOException io when !OperatingSystem.IsWindows() && Enum.IsDefined((Errno)io.HResult) && io.HResult > 0 => (Errno)io.HResult,
        _ => Errno.EIO,
    };
}
