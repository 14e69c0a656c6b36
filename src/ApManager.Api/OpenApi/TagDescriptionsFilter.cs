using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ApManager.Api.OpenApi;

/// <summary>One line per tag, in the order a reader meets the API.</summary>
internal sealed class TagDescriptionsFilter : IDocumentFilter
{
    private static readonly (string Name, string Description)[] Tags =
    [
        ("Bus", "The AP bus's apmask and aqmask: which adapters and domains the host's default drivers own and which vfio_ap may pass through."),
        ("Adapters", "AP adapters (cards): their queues, online switch and configured state."),
        ("Queues", "AP queues (APQNs such as 05.0004): the driver each is bound to and its online switch."),
        ("Drivers", "The AP device drivers and how many queues each holds."),
        ("Matrix devices", "vfio_ap matrix devices (mdevs): the adapters, domains and control domains each passes through and the guest using it."),
        ("Persistent definitions", "What comes back after a reboot: mdevctl device definitions, chzdev's persistent masks, the boot preview and (simulated host) the reboot."),
        ("Export and import", "The whole configuration as one document, and mdevctl's device files."),
        ("Host", "The host behind the service: simulated or a real s390 AP bus, and whether it can be read."),
        ("Audit", "Every change and refused attempt, who made it and what changed."),
        ("Events", "Changes as they happen, as Server-Sent Events."),
        ("Problems", "The explanation of every problem type an error body names in `type`."),
        ("Health", "Liveness and readiness for orchestrators and load balancers."),
    ];

    public void Apply(OpenApiDocument swaggerDoc, DocumentFilterContext context)
    {
        swaggerDoc.Tags = new HashSet<OpenApiTag>(Tags.Select(t => new OpenApiTag { Name = t.Name, Description = t.Description }));
    }
}
