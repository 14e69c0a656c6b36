using System.Globalization;
using System.Net.Http.Json;

namespace ApManager.Api.Tests.Stress;

/// <summary>
/// Clients 0..4 each own one adapter of 3..7 and take it offline and back; the answer must show
/// the configured state the client last committed.
/// </summary>
public sealed class AdapterWorkload(ClientChannel channel, Random rng)
{
    private static readonly int[] OwnedAdapters = [3, 4, 5, 6, 7];

    private readonly int? _adapter = channel.Index < OwnedAdapters.Length ? OwnedAdapters[channel.Index] : null;
    private bool _configured = true;

    public bool OwnsAnAdapter => _adapter is not null;

    public async Task ConfigureAsync(bool dryRun)
    {
        var id = _adapter ?? throw new InvalidOperationException($"client {channel.Index} owns no adapter");
        var want = rng.Chance(0.85) ? !_configured : _configured;
        var reply = await channel.SendAsync("configure", HttpMethod.Put, $"/api/adapters/{id.ToString(CultureInfo.InvariantCulture)}/configured",
            JsonContent.Create(new { configured = want }), dryRun);
        if (reply.Status != 200)
        {
            channel.Unexpected($"configure adapter {id} = {want}", reply);
            return;
        }
        if (dryRun)
        {
            return;
        }
        if (want != _configured)
        {
            channel.Committed("configure", reply, reply.Version("adapter"));
            _configured = want;
        }
        if ((bool?)reply.Body?["adapter"]?["configured"] != _configured)
        {
            channel.Fail($"adapter {id} reads {reply.Text}, expected configured {_configured}");
        }
    }
}
