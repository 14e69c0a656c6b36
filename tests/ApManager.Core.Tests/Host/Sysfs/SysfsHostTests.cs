using ApManager.Core.Host;
using ApManager.Core.Host.Sysfs;
using ApManager.FakeSysfs;

namespace ApManager.Core.Tests.Host.Sysfs;

/// <summary>
/// The sysfs host reads back exactly the state the kernel behind the fake sysfs holds: every
/// card, queue, driver, matrix device and guest (SPEC §11.2), through real file system calls.
/// </summary>
public class SysfsHostTests
{
    [FuseFact]
    public void Reads_the_demo_host_as_the_kernel_holds_it()
    {
        using var fake = FakeHost.Demo();
        var host = new SysfsHost(fake.Root);

        var read = host.Read();

        Assert.Null(host.Unavailable);
        HostAssert.Same(fake.Kernel.State, read);
    }
}
