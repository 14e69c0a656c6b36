using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ApManager.Api.Tests.Durability;

/// <summary>
/// ApManager as a real OS process (<c>dotnet ApManager.Api.dll</c>) on a given SQLite file, so a
/// test can kill it with SIGKILL mid-write and start it again on the same file.
/// </summary>
public sealed class ApManagerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ApManagerProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    /// <summary>The service's own build, copied next to the test assembly by the project reference.</summary>
    public static string DllPath => Path.Combine(AppContext.BaseDirectory, "ApManager.Api.dll");

    public Uri BaseAddress { get; }

    public int Id => _process.Id;

    /// <summary>Everything the process wrote to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts <paramref name="dll"/> (default: the build next to the tests) in the folder of
    /// <paramref name="storagePath"/>, the way the systemd unit starts it in its state directory.
    /// </summary>
    public static ApManagerProcess Start(string storagePath, IDictionary<string, string>? environment = null, string? dll = null)
    {
        dll ??= DllPath;
        Assert.True(File.Exists(dll), $"ApManager.Api.dll is not at {dll}.");
        var url = $"http://127.0.0.1:{FreePort()}";
        var info = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(storagePath)!,
        };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add(url);
        // The URL is ours: a port inherited from the environment (the .NET container images set
        // ASPNETCORE_HTTP_PORTS) would only make Kestrel warn that --urls overrides it.
        foreach (var inherited in new[] { "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "DOTNET_URLS" })
        {
            info.Environment.Remove(inherited);
        }
        info.Environment["ApManager__Storage__Path"] = storagePath;
        info.Environment["Serilog__MinimumLevel__Default"] = "Warning";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        // The same admin key as the in-process test host, and no rate limit for bursts.
        info.Environment["ApManager__Auth__ApiKeys__0__Name"] = "test-admin";
        info.Environment["ApManager__Auth__ApiKeys__0__Role"] = "admin";
        info.Environment["ApManager__Auth__ApiKeys__0__Hash"] = ApManager.Api.Access.ApiKeyStore.HashText(ApManagerApplication.AdminKey);
        info.Environment["ApManager__RateLimit__MutationsPerSecond"] = "0";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var service = new ApManagerProcess(process, new Uri(url));
        process.OutputDataReceived += (_, e) => service.Append(e.Data);
        process.ErrorDataReceived += (_, e) => service.Append(e.Data);
        Assert.True(process.Start(), "dotnet did not start.");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    /// <summary>
    /// Starts the service and waits until it is ready; starts it again on another port if the free
    /// port it was given was taken in the meantime.
    /// </summary>
    public static async Task<ApManagerProcess> StartReadyAsync(string storagePath, TimeSpan timeout, IDictionary<string, string>? environment = null, string? dll = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var service = Start(storagePath, environment, dll);
            try
            {
                await service.WaitReadyAsync(timeout);
                return service;
            }
            catch (Exception) when (attempt < 3 && service.Output.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                await service.DisposeAsync();
            }
            catch
            {
                await service.DisposeAsync();
                throw;
            }
        }
    }

    public HttpClient CreateClient(TimeSpan? timeout = null) => new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        BaseAddress = BaseAddress,
        Timeout = timeout ?? TimeSpan.FromSeconds(30),
        DefaultRequestHeaders = { Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ApManagerApplication.AdminKey) },
    };

    /// <summary>Polls /health/ready until it answers 200; fails with the process output if it exits or takes too long.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        using var client = CreateClient(TimeSpan.FromSeconds(2));
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                Assert.Fail($"ApManager exited with code {_process.ExitCode} before it was ready:{Environment.NewLine}{Output}");
            }
            try
            {
                using var response = await client.GetAsync("/health/ready");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }
            await Task.Delay(25);
        }
        Assert.Fail($"ApManager was not ready within {timeout}:{Environment.NewLine}{Output}");
    }

    /// <summary>SIGKILL on Linux: no shutdown code runs, nothing is flushed.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                Kill();
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
