using System.Net.Http.Headers;
using System.Text;
using ApManager.Api.Access;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ApManager.Browser.Tests;

/// <summary>
/// The real service on a loopback Kestrel port (Playwright's browser cannot reach a TestServer):
/// the demo seed, a fresh temporary SQLite store and a known admin API key.
/// </summary>
public sealed class DashboardServer : WebApplicationFactory<Program>
{
    public const string AdminKey = "browser-test-admin-key";
    public const string DeviceA = "0b1f7c3e-2d4a-4e55-9f1d-7a0c2b9e6d11";
    public const string DeviceB = "5d2e8a41-93c7-4f0b-8b6e-2c4f1a7d9e30";

    private readonly string _storage = Path.Combine(Path.GetTempPath(), "apmanager-browser-tests", Guid.NewGuid().ToString("N"));

    private DashboardServer()
    {
    }

    /// <summary>The base address, e.g. http://127.0.0.1:41234.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public static DashboardServer Start()
    {
        var server = new DashboardServer();
        server.UseKestrel(0);
        server.StartServer();
        var addresses = server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        var address = addresses.FirstOrDefault(a => a.Contains("127.0.0.1", StringComparison.Ordinal)) ?? addresses.First();
        server.BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("localhost", "127.0.0.1", StringComparison.Ordinal));
        return server;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Serilog:MinimumLevel:Default"] = "Warning",
            ["ApManager:Seed"] = "demo",
            ["ApManager:Storage:Path"] = Path.Combine(_storage, "apmanager.db"),
            ["ApManager:RateLimit:MutationsPerSecond"] = "0",
            ["ApManager:Auth:ApiKeys:0:Name"] = "browser-admin",
            ["ApManager:Auth:ApiKeys:0:Role"] = "admin",
            ["ApManager:Auth:ApiKeys:0:Hash"] = ApiKeyStore.HashText(AdminKey),
        }));
    }

    /// <summary>Another client of the same service (not the browser): plain HTTP with the admin key.</summary>
    public HttpClient Http()
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        return client;
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        try
        {
            Directory.Delete(_storage, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on a slow shutdown; the temp folder is cleaned by the OS.
        }
    }
}
