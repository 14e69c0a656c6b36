using ApManager.Core.Host;

namespace ApManager.FakeSysfs;

/// <summary>
/// A whole fake host under a temporary root, laid out as ApManager's <c>Host:Root</c> expects:
/// the fake kernel mounted over FUSE at <c>&lt;root&gt;/sys</c>, and real directories for what is not
/// sysfs (<c>run/libvirt/qemu</c> for libvirt's status files, <c>run/lock</c> for the s390-tools
/// lock, <c>etc/</c> for persistent configuration). Disposing unmounts and deletes it all.
/// </summary>
public sealed class FakeHost : IDisposable
{
    private readonly FuseServer _server;

    private FakeHost(string root, FakeKernel kernel, FuseServer server)
    {
        Root = root;
        Kernel = kernel;
        _server = server;
    }

    /// <summary>The directory to give ApManager as <c>Host:Root</c>.</summary>
    public string Root { get; }

    public FakeKernel Kernel { get; }

    public string LibvirtRun => Path.Combine(Root, "run/libvirt/qemu");

    public string LockFile => Path.Combine(Root, "run/lock/s390apconfig.lock");

    /// <summary>Why a fake host cannot be mounted here, or null when it can.</summary>
    public static string? Unavailable => FuseServer.Unavailable();

    /// <summary>The demo machine of SPEC §7 with the demo configuration, as a 6.12 kernel shows it.</summary>
    public static FakeHost Demo(FakeKernelOptions? options = null) =>
        Start(HostTopology.Demo, Seeds.Demo, options);

    public static FakeHost Start(HostTopology topology, InitialState initial, FakeKernelOptions? options = null)
    {
        var root = Path.Combine(Path.GetTempPath(), "apmanager-host-" + Guid.NewGuid().ToString("N")[..12]);
        foreach (var dir in new[] { "sys", "run/libvirt/qemu", "run/lock", "etc/libvirt/qemu" })
        {
            Directory.CreateDirectory(Path.Combine(root, dir));
        }
        var kernel = new FakeKernel(topology, initial, options) { LibvirtRunDirectory = Path.Combine(root, "run/libvirt/qemu") };
        try
        {
            var server = FuseServer.Mount(Path.Combine(root, "sys"), kernel);
            var host = new FakeHost(root, kernel, server);
            // Guests of the initial configuration are running: libvirt has their status files.
            foreach (var device in kernel.State.Devices)
            {
                if (device.Guest is { } guest)
                {
                    File.WriteAllText(Path.Combine(host.LibvirtRun, guest + ".xml"), FakeKernel.LibvirtStatus(guest, device.Id));
                }
            }
            return host;
        }
        catch
        {
            Directory.Delete(root, recursive: true);
            throw;
        }
    }

    public void Dispose()
    {
        _server.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A mount the kernel has not let go of yet: the temp directory stays behind.
        }
    }
}
