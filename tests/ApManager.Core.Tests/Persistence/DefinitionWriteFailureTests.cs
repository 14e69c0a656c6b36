using ApManager.Core.Audit;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;
using ApManager.Core.Persistence;
using ApManager.Core.Refusals;
using ApManager.Core.State;
using ApManager.Core.Tests.Support;

namespace ApManager.Core.Tests.Persistence;

/// <summary>The file system refusing a persistent file: a refusal with its errno, audited with what is on disk.</summary>
public class DefinitionWriteFailureTests
{
    private static readonly MdevId X = MdevId.Parse("3f0d2c1e-7a44-4c4b-9d55-0a1b2c3d4e5f");

    [Fact]
    public void AnImportRefusedPartWayIsRefusedAndStillAnnouncesTheFilesItChanged()
    {
        var system = Demo.NewSystem();
        var store = new DefinitionsFail(new MemoryDefinitionStore());
        var manager = new DefinitionManager(system, store);
        var masks = new PersistentMasks(system.Current.Bus.Apmask, system.Current.Bus.Aqmask);
        var definition = MdevctlDefinition.FromAssignment(new Assignment(ApMask.Of(5), ApMask.Of(4), default), StartMode.Manual);

        var outcome = manager.ReplaceAll(masks, [new DefinedDevice(X, definition)], default);

        var refused = Assert.IsType<HostRefused>(outcome.Refusal);
        Assert.Equal(Errno.EROFS, refused.Errno);
        Assert.Equal(DefinitionsFail.Path, refused.Attribute);
        Assert.Equal(masks, store.Read().Masks); // written before the definition failed
        var record = system.Journal.ReadAudit(0, 1000)[^1];
        Assert.Equal("definitions.import", record.Action);
        Assert.Equal([EventTypes.ChangeRefused, EventTypes.DefinitionsChanged], record.Events);
        Assert.NotEqual(record.Before, record.After);
    }

    [Fact]
    public void ASingleWriteTheFileSystemRefusesChangesNothingAndSaysOnlyThatItWasRefused()
    {
        var system = Demo.NewSystem();
        var manager = new DefinitionManager(system, new DefinitionsFail(new MemoryDefinitionStore()));
        var definition = MdevctlDefinition.FromAssignment(new Assignment(ApMask.Of(5), ApMask.Of(4), default), StartMode.Manual);

        var outcome = manager.Put(X, definition, default);

        Assert.IsType<HostRefused>(outcome.Refusal);
        var record = system.Journal.ReadAudit(0, 1000)[^1];
        Assert.Equal([EventTypes.ChangeRefused], record.Events);
        Assert.Equal(record.Before, record.After);
    }

    /// <summary>A store whose definition files live on a read-only file system; the rules file is writable.</summary>
    private sealed class DefinitionsFail(IDefinitionStore inner) : IDefinitionStore
    {
        public const string Path = "/etc/mdevctl.d/matrix/3f0d2c1e-7a44-4c4b-9d55-0a1b2c3d4e5f";

        public string? Location => inner.Location;

        public DefinitionSet Read() => inner.Read();

        public void Write(MdevId id, MdevctlDefinition definition) =>
            throw new PersistentFileException(Path, Errno.EROFS, "{}", new IOException("Read-only file system"));

        public bool Delete(MdevId id) => inner.Delete(id);

        public void WriteMasks(PersistentMasks masks) => inner.WriteMasks(masks);

        public IDisposable? Lock(TimeSpan timeout) => inner.Lock(timeout);
    }
}
