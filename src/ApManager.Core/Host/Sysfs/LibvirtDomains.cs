using System.Xml;
using System.Xml.Linq;
using ApManager.Core.Matrix;

namespace ApManager.Core.Host.Sysfs;

/// <summary>
/// The guests of matrix devices as libvirt knows them (SPEC §11.2): the domain whose XML has the
/// device as a <c>vfio-ap</c> mdev hostdev. Running domains (status files under
/// <c>run/libvirt/qemu</c>, a <c>domstatus</c> wrapping the <c>domain</c>) beat defined ones
/// (<c>etc/libvirt/qemu</c>). A file is parsed again only when its size or time changed.
/// </summary>
internal sealed class LibvirtDomains(SysfsLayout layout)
{
    private readonly Dictionary<string, (DateTime Time, long Size, string? Name, IReadOnlyList<MdevId> Devices)> _parsed = new(StringComparer.Ordinal);

    /// <summary>Device to the guest using it.</summary>
    public IReadOnlyDictionary<MdevId, string> Guests()
    {
        var guests = new Dictionary<MdevId, string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        // Defined first, running second: a running domain's claim replaces a defined one's.
        foreach (var dir in new[] { layout.LibvirtDefined, layout.LibvirtRunning })
        {
            if (!Directory.Exists(dir))
            {
                continue;
            }
            foreach (var file in Directory.EnumerateFiles(dir, "*.xml"))
            {
                seen.Add(file);
                var (name, devices) = Parse(file);
                if (name is null)
                {
                    continue;
                }
                foreach (var id in devices)
                {
                    guests[id] = name;
                }
            }
        }
        foreach (var gone in _parsed.Keys.Where(k => !seen.Contains(k)).ToList())
        {
            _parsed.Remove(gone);
        }
        return guests;
    }

    private (string? Name, IReadOnlyList<MdevId> Devices) Parse(string file)
    {
        FileInfo info;
        try
        {
            info = new FileInfo(file);
        }
        catch (IOException)
        {
            return (null, []);
        }
        if (_parsed.TryGetValue(file, out var cached) && cached.Time == info.LastWriteTimeUtc && cached.Size == info.Length)
        {
            return (cached.Name, cached.Devices);
        }
        var parsed = Read(file);
        _parsed[file] = (info.LastWriteTimeUtc, info.Length, parsed.Name, parsed.Devices);
        return parsed;
    }

    /// <summary>The domain's name and the vfio-ap mdevs it uses; nothing for a file that is not a domain.</summary>
    internal static (string? Name, IReadOnlyList<MdevId> Devices) Read(string file)
    {
        XDocument document;
        try
        {
            using var reader = XmlReader.Create(file, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            document = XDocument.Load(reader);
        }
        catch (Exception ex) when (ex is XmlException or IOException or UnauthorizedAccessException)
        {
            return (null, []);
        }
        var domain = document.Root?.Name.LocalName switch
        {
            "domain" => document.Root,
            "domstatus" => document.Root.Element("domain"),
            _ => null,
        };
        var name = domain?.Element("name")?.Value.Trim();
        if (domain is null || string.IsNullOrEmpty(name))
        {
            return (null, []);
        }
        var devices = domain.Element("devices")?.Elements("hostdev")
            .Where(h => (string?)h.Attribute("mode") == "subsystem" && (string?)h.Attribute("type") == "mdev" && (string?)h.Attribute("model") == "vfio-ap")
            .Select(h => (string?)h.Element("source")?.Element("address")?.Attribute("uuid"))
            .Select(u => MdevId.TryParse(u, out var id) ? id : (MdevId?)null)
            .OfType<MdevId>()
            .ToList() ?? [];
        return (name, devices);
    }
}
