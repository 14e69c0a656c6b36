using Xunit;

namespace ApManager.FakeSysfs;

/// <summary>
/// A test that needs the fake sysfs mounted: skipped, with the reason, where FUSE cannot be used
/// (no <c>/dev/fuse</c>, not root). Set <c>APMANAGER_REQUIRE_FUSE=1</c> to make that a failure
/// instead, as CI does on machines that have FUSE.
/// </summary>
public sealed class FuseFactAttribute : FactAttribute
{
    public FuseFactAttribute()
    {
        if (FakeHost.Unavailable is { } why && !FuseRequired)
        {
            Skip = "The fake sysfs needs FUSE: " + why;
        }
    }

    internal static bool FuseRequired => Environment.GetEnvironmentVariable("APMANAGER_REQUIRE_FUSE") == "1";
}

/// <summary>A theory that needs the fake sysfs mounted; see <see cref="FuseFactAttribute"/>.</summary>
public sealed class FuseTheoryAttribute : TheoryAttribute
{
    public FuseTheoryAttribute()
    {
        if (FakeHost.Unavailable is { } why && !FuseFactAttribute.FuseRequired)
        {
            Skip = "The fake sysfs needs FUSE: " + why;
        }
    }
}
