using ApManager.Api.Access;
using ApManager.Api.Configuration;
using Microsoft.Extensions.Configuration;

namespace ApManager.Api.Tests.Access;

public class ExposureCheckTests
{
    private static readonly AuthSettings NoCredential = new([], null);

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.ToDictionary(v => v.Key, v => (string?)v.Value)).Build();

    [Theory]
    [InlineData("http://0.0.0.0:8080")]
    [InlineData("http://127.0.0.1:5080;http://+:80")]
    [InlineData("https://[::]:5443")]
    [InlineData("http://apmanager.example:5080")]
    public void ListeningBeyondLoopbackWithoutAConfiguredCredentialIsRefused(string urls)
    {
        var refused = Assert.Throws<InvalidOperationException>(() => ExposureCheck.CheckExposure(Configuration(("urls", urls)), NoCredential));

        Assert.StartsWith("Refusing to listen on ", refused.Message, StringComparison.Ordinal);
        Assert.Contains("ApManager:Auth:ApiKeys", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AKestrelEndpointBeyondLoopbackIsRefusedToo()
    {
        var configuration = Configuration(("urls", "http://127.0.0.1:5080"), ("Kestrel:Endpoints:Https:Url", "https://0.0.0.0:5443"));

        var refused = Assert.Throws<InvalidOperationException>(() => ExposureCheck.CheckExposure(configuration, NoCredential));

        Assert.Contains("https://0.0.0.0:5443", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoopbackNeedsNoConfiguredCredential() =>
        ExposureCheck.CheckExposure(Configuration(("urls", "http://127.0.0.1:5080;http://localhost:5081;http://[::1]:5082")), NoCredential);

    [Fact]
    public void AConfiguredKeyAllowsAnyAddress()
    {
        var auth = new AuthSettings([new ApiKey("ci", Roles.Operator, new byte[32])], null);

        ExposureCheck.CheckExposure(Configuration(("urls", "http://0.0.0.0:8080")), auth);
    }
}
