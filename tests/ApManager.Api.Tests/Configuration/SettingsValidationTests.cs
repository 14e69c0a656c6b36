using static ApManager.Api.Tests.ApManagerApplication;

namespace ApManager.Api.Tests.Configuration;

/// <summary>Every section is validated at start: a wrong value stops the service with a message naming its full key.</summary>
public class SettingsValidationTests
{
    /// <summary>"key=value;key=value" as settings (InlineData cannot hold a dictionary).</summary>
    private static Dictionary<string, string?> Settings(string pairs) => pairs.Split(';').ToDictionary(
        pair => pair[..pair.IndexOf('=', StringComparison.Ordinal)],
        pair => (string?)pair[(pair.IndexOf('=', StringComparison.Ordinal) + 1)..]);

    private static async Task<string> StartFailureAsync(Dictionary<string, string?> settings)
    {
        await using var app = new ApManagerApplication(settings);
        var refused = Assert.Throws<InvalidOperationException>(() => app.CreateClient());
        Assert.StartsWith("Invalid ApManager configuration:", refused.Message, StringComparison.Ordinal);
        return refused.Message;
    }

    [Theory]
    [InlineData("ApManager:Seed=x", "ApManager:Seed = 'x': use 'demo' or 'none'.")]
    [InlineData("ApManager:MaxMdevs=0", "ApManager:MaxMdevs = '0': use an integer 1..65536.")]
    [InlineData("ApManager:MaxMdevs=many", "ApManager:MaxMdevs = 'many': use an integer 1..65536.")]
    [InlineData("ApManager:Storage:Mode=disk", "ApManager:Storage:Mode = 'disk': use 'sqlite' (durable, the default) or 'memory' (nothing survives a restart).")]
    [InlineData("ApManager:Storage:Path=", "ApManager:Storage:Path is empty: give a file path for the database.")]
    [InlineData("ApManager:Host:MaxAdapterId=256", "ApManager:Host:MaxAdapterId = '256': use an integer 0..255.")]
    [InlineData("ApManager:Host:MaxDomainId=300", "ApManager:Host:MaxDomainId = '300': use an integer 0..255.")]
    [InlineData("ApManager:Host:MaxDomainId=50", "ApManager:Host:ControlDomains = '0-84': '0-84' exceeds the maximum id 50 (entries are decimal N or N-M, at most MaxDomainId 50).")]
    [InlineData("ApManager:Host:UsageDomains=4-2", "ApManager:Host:UsageDomains = '4-2': '4-2': 4 > 2 (entries are decimal N or N-M, at most MaxDomainId 84).")]
    [InlineData("ApManager:Host:ControlDomains:0=1;ApManager:Host:ControlDomains:1=x", "ApManager:Host:ControlDomains = '1,x': 'x' is not N or N-M (entries are decimal N or N-M, at most MaxDomainId 84).")]
    [InlineData("ApManager:Host:Adapters:0:Id=3;ApManager:Host:Adapters:0:Type=CEX9C", "ApManager:Host:Adapters:0:Type = 'CEX9C': use CEX<n><m> with n 4..8 and m A (accel), C (cca) or P (ep11).")]
    [InlineData("ApManager:Host:Adapters:4:Id=64;ApManager:Host:Adapters:4:Type=CEX8C", "ApManager:Host:Adapters:4:Id = '64': use an integer 0..63 (MaxAdapterId).")]
    [InlineData("ApManager:Host:Adapters:0:Id=3;ApManager:Host:Adapters:0:Type=CEX8C;ApManager:Host:Adapters:1:Id=3;ApManager:Host:Adapters:1:Type=CEX8P", "ApManager:Host:Adapters:1:Id = 3: adapter ids must be unique.")]
    [InlineData("ApManager:Host:Adapters:0:Id=3;ApManager:Host:Adapters:0:Type=CEX8C;ApManager:Host:Adapters:0:Mode=ep11", "ApManager:Host:Adapters:0:Mode = 'ep11': must be cca to match type CEX8C.")]
    [InlineData("ApManager:Host:Adapters:0:Id=3;ApManager:Host:Adapters:0:Type=CEX8C;ApManager:Host:Adapters:0:Configured=yes", "ApManager:Host:Adapters:0:Configured = 'yes': use true or false.")]
    [InlineData("ApManager:Host:MaxAdapterId=5", "ApManager:Host: Adapter id 6 is outside 0..5.")]
    [InlineData("ApManager:Host:MaxAdapterId=5;ApManager:Host:Adapters:0:Id=3;ApManager:Host:Adapters:0:Type=CEX8C", "ApManager:Seed: Seed 'demo' needs MaxAdapterId >= 6 and MaxDomainId >= 71 (have 5 and 84).")]
    public async Task AWrongValueStopsTheStartNamingItsKey(string settings, string expected)
    {
        var message = await StartFailureAsync(Settings(settings));

        Assert.Contains(expected, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryWrongValueIsReportedAtOnce()
    {
        var message = await StartFailureAsync(Settings("ApManager:Seed=x;ApManager:Storage:Mode=disk;ApManager:Host:MaxDomainId=300"));

        Assert.Contains("ApManager:Seed = 'x'", message, StringComparison.Ordinal);
        Assert.Contains("ApManager:Storage:Mode = 'disk'", message, StringComparison.Ordinal);
        Assert.Contains("ApManager:Host:MaxDomainId = '300'", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DomainsAsListItemsAndAdaptersUnderAnyIndexAreRead()
    {
        await using var app = new ApManagerApplication(Settings(
            "ApManager:Seed=None;ApManager:Storage:Mode=MEMORY;ApManager:Host:Adapters:2:Id=10;ApManager:Host:Adapters:2:Type=cex6p;" +
            "ApManager:Host:Adapters:2:Mode=EP11;ApManager:Host:Adapters:2:Configured=TRUE;ApManager:Host:UsageDomains:0=1;ApManager:Host:UsageDomains:1=3-4"));
        using var client = app.CreateClient();

        var adapters = await GetArrayAsync(client, "/api/adapters");

        Assert.Equal([10], adapters.Select(a => (int)a!["id"]!));
        Assert.Equal("ep11", (string?)adapters[0]!["mode"]);
        Assert.Equal(["0a.0001", "0a.0003", "0a.0004"], Strings(adapters[0]!["queues"]));
    }
}
