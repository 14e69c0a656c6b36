using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

/// <summary>A server process on a free loopback port; disposing it kills it.</summary>
internal sealed class Server(string name, Process process, Uri uri, Stopwatch sinceStart) : IAsyncDisposable
{
    public string Name => name;

    public Uri Uri => uri;

    /// <summary>The resident set size in MB.</summary>
    public long RssMb
    {
        get
        {
            process.Refresh();
            return process.WorkingSet64 / (1024 * 1024);
        }
    }

    /// <summary>
    /// Where the resident set is (<c>/proc/&lt;pid&gt;/smaps</c>, MB): mapped assemblies, native
    /// libraries, the JIT's code (double-mapped with W^X), anonymous memory (the GC heap among it)
    /// and the native heap; empty where there is no smaps.
    /// </summary>
    public string RssParts
    {
        get
        {
            var file = $"/proc/{process.Id}/smaps";
            if (!File.Exists(file))
            {
                return "";
            }
            var parts = new Dictionary<string, long>();
            var kind = "other";
            foreach (var line in File.ReadLines(file))
            {
                if (line.Length > 0 && char.IsAsciiHexDigit(line[0]) && line.Contains('-', StringComparison.Ordinal))
                {
                    var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    var path = fields.Length > 5 ? fields[5] : "";
                    kind = path switch
                    {
                        "" => "anonymous",
                        "[heap]" => "native heap",
                        _ when path.EndsWith(".dll", StringComparison.Ordinal) => "assemblies",
                        _ when path.Contains(".so", StringComparison.Ordinal) => "native libraries",
                        _ when path.Contains("doublemapper", StringComparison.Ordinal) => "JIT code",
                        _ => "other",
                    };
                }
                else if (line.StartsWith("Rss:", StringComparison.Ordinal))
                {
                    parts[kind] = parts.GetValueOrDefault(kind) + long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                }
            }
            return string.Join(", ", parts.OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value / 1024.0:F1}"));
        }
    }

    /// <summary>
    /// Waits for the first 200 from /health/ready (a single probe at a time, 20 ms apart: this is
    /// a start-up measurement, not load) and answers the time since the process was started.
    /// </summary>
    public async Task<TimeSpan> WaitReadyAsync()
    {
        using var probe = new HttpClient { BaseAddress = uri, Timeout = TimeSpan.FromSeconds(10) };
        while (sinceStart.Elapsed < TimeSpan.FromSeconds(120))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{name} exited with {process.ExitCode} before it was ready");
            }
            try
            {
                using var response = await probe.GetAsync("/health/ready");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return sinceStart.Elapsed;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(20);
        }
        throw new TimeoutException($"{name} at {uri} was not ready within 120 s");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
        }
        process.Dispose();
    }
}

internal static class Servers
{
    /// <summary>The admin API key every ApManager run is configured with.</summary>
    public const string Key = "bench-admin-key";

    /// <summary>ApManager on a free port: demo seed unless <paramref name="env"/> says otherwise.</summary>
    public static Server ApManager(string name, string api, Dictionary<string, string> env) =>
        Start(name, port => [api, "--urls", $"http://127.0.0.1:{port}"], env);

    /// <summary>This program's bare Kestrel app on a free port.</summary>
    public static Server Bare(string name, params string[] args) =>
        Start(name, port => [typeof(Servers).Assembly.Location, "bare", "--port", port.ToString(CultureInfo.InvariantCulture), .. args], []);

    /// <summary>
    /// ApManager's settings for a benchmark: rate limit off, one admin key, warnings only.
    /// <paramref name="store"/> null means in-memory mode, else a durable store at that path.
    /// </summary>
    public static Dictionary<string, string> Env(string? store)
    {
        var env = new Dictionary<string, string>
        {
            ["ApManager__Storage__Mode"] = store is null ? "memory" : "sqlite",
            ["ApManager__RateLimit__MutationsPerSecond"] = "0",
            ["ApManager__Auth__ApiKeys__0__Name"] = "bench",
            ["ApManager__Auth__ApiKeys__0__Role"] = "admin",
            ["ApManager__Auth__ApiKeys__0__Hash"] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Key))),
            ["Serilog__MinimumLevel__Default"] = "Warning",
        };
        if (store is not null)
        {
            env["ApManager__Storage__Path"] = store;
        }
        return env;
    }

    /// <summary>A client with the admin key, for the few single requests wrk cannot make (checks, import).</summary>
    public static HttpClient Client(Uri uri)
    {
        var client = new HttpClient { BaseAddress = uri, Timeout = TimeSpan.FromMinutes(5) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Key);
        return client;
    }

    public static void WriteJson(string path, object result)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, System.Text.Json.JsonSerializer.Serialize(result, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web) { WriteIndented = true }));
        Console.WriteLine($"result written to {path}");
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN
            : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2]
            : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static Server Start(string name, Func<int, string[]> args, Dictionary<string, string> env)
    {
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet", args(port))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (k, v) in env)
        {
            info.Environment[k] = v;
        }
        var sinceStart = Stopwatch.StartNew();
        var process = Process.Start(info) ?? throw new InvalidOperationException($"{name} did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"[{name}] {e.Data}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new Server(name, process, new Uri($"http://127.0.0.1:{port}"), sinceStart);
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
