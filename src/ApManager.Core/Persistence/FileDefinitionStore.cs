using System.Text;
using ApManager.Core.Matrix;

namespace ApManager.Core.Persistence;

/// <summary>
/// The files mdevctl and chzdev keep, under a root: <c>etc/mdevctl.d/matrix/&lt;uuid&gt;</c> and
/// <c>etc/udev/rules.d/41-ap.rules</c>. On a real host the root is <c>Host:Root</c> and the lock is
/// s390-tools'; for the simulated host the root is ApManager's own directory.
/// </summary>
public sealed class FileDefinitionStore(string root, Func<TimeSpan, IDisposable?>? takeLock = null) : IDefinitionStore
{
    public const string MatrixDirectory = "etc/mdevctl.d/matrix";

    private readonly Lock _local = new();

    public string Root { get; } = root;

    public string? Location => Root;

    public string MatrixPath => Path.Combine(Root, MatrixDirectory);

    public string RulesPath => Path.Combine(Root, ApRulesFile.RelativePath);

    public string PathOf(MdevId id) => Path.Combine(MatrixPath, id.ToString());

    public DefinitionSet Read()
    {
        var (masks, masksProblem) = ReadMasks();
        var entries = new List<StoredDefinition>();
        if (Directory.Exists(MatrixPath))
        {
            foreach (var file in new DirectoryInfo(MatrixPath).EnumerateFiles())
            {
                // mdevctl skips names that are not UUIDs (with a warning), and so does ApManager.
                if (!MdevId.TryParse(file.Name, out var id))
                {
                    continue;
                }
                entries.Add(ReadOne(id, file.FullName));
            }
        }
        return new DefinitionSet(masks, masksProblem, [.. entries.OrderBy(e => e.Id)]);
    }

    private static StoredDefinition ReadOne(MdevId id, string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException e)
        {
            return new StoredDefinition(id, null, new DefinitionProblem("$", $"The file cannot be read: {e.Message}"));
        }
        catch (UnauthorizedAccessException e)
        {
            return new StoredDefinition(id, null, new DefinitionProblem("$", $"The file cannot be read: {e.Message}"));
        }
        var parsed = MdevctlJson.Parse(bytes);
        return parsed.Success ? new StoredDefinition(id, parsed.Definition, null) : new StoredDefinition(id, null, parsed.Problem);
    }

    private (PersistentMasks Masks, string? Problem) ReadMasks()
    {
        byte[] bytes;
        try
        {
            if (!File.Exists(RulesPath))
            {
                return (PersistentMasks.None, null);
            }
            bytes = File.ReadAllBytes(RulesPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (PersistentMasks.None, $"{ApRulesFile.RelativePath} cannot be read: {e.Message}");
        }
        var parsed = ApRulesFile.Parse(bytes);
        return parsed.Success ? (parsed.Masks!, null) : (PersistentMasks.None, $"{ApRulesFile.RelativePath} line {parsed.Line}: {parsed.Problem}");
    }

    public void Write(MdevId id, MdevctlDefinition definition) => Replace(PathOf(id), MdevctlJson.Write(definition));

    public bool Delete(MdevId id)
    {
        var path = PathOf(id);
        if (!File.Exists(path))
        {
            return false;
        }
        Remove(path);
        return true;
    }

    public void WriteMasks(PersistentMasks masks)
    {
        // chzdev deletes the file and writes it anew; with no mask left it only deletes it.
        if (ApRulesFile.Write(masks) is { } bytes)
        {
            Replace(RulesPath, bytes);
        }
        else if (File.Exists(RulesPath))
        {
            Remove(RulesPath);
        }
    }

    public IDisposable? Lock(TimeSpan timeout)
    {
        if (!_local.TryEnter(timeout))
        {
            return null;
        }
        var shared = takeLock?.Invoke(timeout);
        if (takeLock is not null && shared is null)
        {
            _local.Exit();
            return null;
        }
        return new Lease(_local, shared);
    }

    /// <summary>
    /// A temp file in the same directory, synced, renamed over the target, and the directory synced (best effort):
    /// a reader never sees half a file, and after a power loss the file is the old one or the new
    /// one, never empty. (mdevctl itself truncates and writes in place; the bytes are the same.)
    /// A failure leaves the target as it was and no temp file behind.
    /// </summary>
    private static void Replace(string path, byte[] bytes)
    {
        var directory = Path.GetDirectoryName(path)!;
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.apmanager-{Environment.ProcessId}.tmp");
        try
        {
            Directory.CreateDirectory(directory);
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try
            {
                File.Delete(temp);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
                // The write's own failure is what the caller hears about.
            }
            throw new PersistentFileException(path, PersistentFileException.ErrnoOf(e), Encoding.UTF8.GetString(bytes), e);
        }
        SyncDirectory(directory);
    }

    private static void Remove(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PersistentFileException(path, PersistentFileException.ErrnoOf(e), "", e);
        }
        SyncDirectory(Path.GetDirectoryName(path)!);
    }

    /// <summary>
    /// The directory synced so the rename or deletion survives a power loss. Best effort: the file is
    /// in place by now (its bytes synced), so a failure here cannot be answered as "nothing changed";
    /// some file systems do not sync directories at all (EINVAL), as .NET's own flush tolerates.
    /// </summary>
    private static void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsLinux())
        {
            _ = Host.Sysfs.Native.SyncDirectory(directory);
        }
    }

    private sealed class Lease(Lock local, IDisposable? shared) : IDisposable
    {
        private bool _done;

        public void Dispose()
        {
            if (_done)
            {
                return;
            }
            _done = true;
            shared?.Dispose();
            local.Exit();
        }
    }
}
