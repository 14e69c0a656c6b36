using Xunit;

namespace ApManager.FakeSysfs;

/// <summary>
/// A test that needs the fake sysfs mounted: skipped, with the reason, where FUSE cannot be used
/// (no <c>/dev/fuse</c>, not root). Under <c>CI=true</c>, or with <c>APMANAGER_REQUIRE_FUSE=1</c>,
/// they run regardless and fail with the reason: CI must prove the sysfs backend, never skip it.
/// </summary>
public sealed class FuseFactAttribute : FactAttribute
{
    public FuseFactAttribute()
    {
        if (FakeHost.Unavailable is { } why && !FuseRequired)
        {
            Skip = "The fake sysfs needs FUSE: " + why + " (run as root on Linux with /dev/fuse; CI=true makes this a failure).";
        }
    }

    internal static bool FuseRequired =>
        Environment.GetEnvironmentVariable("APMANAGER_REQUIRE_FUSE") == "1" ||
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
}

/// <summary>A theory that needs the fake sysfs mounted; see <see cref="FuseFactAttribute"/>.</summary>
public sealed class FuseTheoryAttribute : TheoryAttribute
{
    public FuseTheoryAttribute()
    {
        if (FakeHost.Unavailable is { } why && !FuseFactAttribute.FuseRequired)
        {
            Skip = "The fake sysfs needs FUSE: " + why + " (run as root on Linux with /dev/fuse; CI=true makes this a failure).";
        }
    }
}
