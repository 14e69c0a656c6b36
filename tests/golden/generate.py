#!/usr/bin/env python3
"""Golden sysfs trees: fixed directory trees of realistic IBM Z hosts, and the state each one holds.

Each host below is a small declarative description. From it this script writes, under
tests/golden/<name>/, the files and symlinks the kernel would show (sys/bus/ap, sys/devices/ap,
sys/devices/vfio_ap, libvirt's XML under run/ and etc/) and expected.json, the state a correct
reader must derive. It is deliberately independent of the C# code (the reader under test and the
FUSE fake kernel): it is a second, plain statement of the kernel's formats. stdlib only.

    python3 tests/golden/generate.py            # rewrite every tree and expected.json
    python3 tests/golden/generate.py --check    # exit 1, listing differences, if the committed trees drifted

Where each format comes from (Linux drivers/s390/crypto/, function names):
  ap_bus.c   apmask_show, aqmask_show            "0x%016lx%016lx%016lx%016lx\\n" of ap_perms.apm/aqm
             ap_adapter_mask_show, ap_usage_domain_mask_show, ap_control_domain_mask_show
                                                 "0x%08x" x 8 of the QCI apm/aqm/adm ("not supported\\n" without QCI);
                                                 both spell the same 256 bits MSB first (set_bit_inv), so one formatter
             ap_max_adapter_id_show, ap_max_domain_id_show, ap_domain_show, ap_interrupts_show,
             config_time_show, poll_thread_show   "%d\\n";  poll_timeout_show "%lu\\n";  scans_show "%llu\\n"
             bindings_show                       "%u/%u (complete)\\n" (bound/all queue devices)
             features_show                       "APSC APXA QACT RC8A APSB" subset, space separated (left out of the
                                                 6.1 tree: not checked to exist there)
  ap_card.c  hwtype_show, raw_hwtype_show, depth_show, requestq_count_show, pendingq_count_show,
             config_show, chkstop_show "%d\\n";  ap_functions_show "0x%08X\\n";  request_count_show "%llu\\n";
             modalias_show "ap:t%02X\\n";  max_msg_size_show "%u\\n" (left out of the 6.1 tree)
  ap_queue.c request_count_show "%llu\\n", or "-\\n" while the queue is uninitiated (created deconfigured or
             check-stopped); requestq_count_show, pendingq_count_show, config_show, chkstop_show "%d\\n";
             reset_show "Reset in progress.\\n" / "No Reset Timer set.\\n"; interrupt_show "Interrupts enabled.\\n" /
             "Interrupts disabled.\\n"
  zcrypt_card.c  type_show "%s\\n" (zc->type_string, "CEX8C" ...); online_show "%d\\n" of
             ac->config && !ac->chkstop && zc->online; load_show "%d\\n"
  zcrypt_queue.c online_show "%d\\n" of aq->config && !aq->chkstop && zq->online (cex4queue-bound queues only)
  zcrypt_cex4.c  serialnr: CCA "%s\\n", EP11 "%16.16s\\n" (coprocessors only, none on accelerators)
  vfio_ap_ops.c  vfio_ap_mdev_matrix_show (matrix, guest_matrix of the shadow APCB): "%02lx.%04lx\\n" per APQN,
             "%02lx.\\n" per adapter when no domain is assigned, ".%04lx\\n" per domain when no adapter is;
             control_domains_show "%04lx\\n" each; ap_config_show (6.12) three "0x%016lx%016lx%016lx%016lx"
             masks (adapters, domains, control domains) joined by ",", ending "\\n";
             status_show (queues bound to vfio_ap) "in use\\n" / "assigned\\n" / "unassigned\\n" (left out of the
             6.1 tree: not checked to exist there)
  vfio_ap_drv.c  features_show (6.12, on the matrix device) "guest_matrix hotplug ap_config\\n"
  drivers/vfio/mdev: mdev_supported_types/vfio_ap-passthrough/{name,device_api,available_instances "%u\\n",create},
             devices/<uuid> -> ../../../<uuid>; available_instances = MAX_ZDEV_ENTRIES_EXT (256 * 256) - devices
  driver core: cardXX/driver -> ../../../bus/ap/drivers/cex4card, XX.YYYY/driver -> ../../../../bus/ap/drivers/<name>
             (absent when unbound), drivers/<name>/<device> -> back to the device.
  libvirt:   run/libvirt/qemu/<name>.xml is the running domain's status (<domstatus> wrapping <domain>),
             etc/libvirt/qemu/<name>.xml its persistent definition (<domain>).

Values the kernel takes from the hardware (ap_functions beyond the mode bits, depth, serial numbers,
counters) are plausible, not copied from a machine. Write-only attributes (create, remove, bind,
assign_*) are empty files. Derived files follow the rules in SPEC §3 and §6 (binding, guest matrix).
"""

import argparse
import json
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ALL = frozenset(range(256))

# ap_bus.h AP_FUNC_* bits, numbered MSB first as the kernel's ap_test_bit does.
def _bits(*numbers):
    return sum(1 << (31 - n) for n in numbers)

APSC, MEX4K, CRT4K, COPRO, ACCEL, EP11, APXA = 0, 1, 2, 3, 4, 5, 6
FUNCTIONS = {  # mode letter -> ap_functions; bits 9 and 10 stand for the class field of a real card
    "C": _bits(APSC, COPRO, APXA, 9, 10),
    "P": _bits(APSC, EP11, APXA, 9, 10),
    "A": _bits(APSC, MEX4K, CRT4K, ACCEL, APXA, 9, 10),
}
MAX_ZDEV_ENTRIES_EXT = 256 * 256
AP_DEFAULT_MAX_MSG_SIZE = 12 * 1024


def card(id, type, serial=None, config=True, chkstop=False, online=True, requests=None):
    """One card: zcrypt type string, whether configured, check-stopped, switched online; request counts by domain."""
    return dict(id=id, type=type, serial=serial, config=config, chkstop=chkstop, online=online, requests=requests or {})


def mdev(uuid, adapters=(), domains=(), control=()):
    return dict(uuid=uuid, adapters=sorted(adapters), domains=sorted(domains), control=sorted(control))


def domain(name, uuid, running, aps=(), other_mdevs=()):
    """A libvirt domain: vfio-ap mdevs it uses, and other (vfio-ccw) mdevs that must not count."""
    return dict(name=name, uuid=uuid, running=running, aps=list(aps), others=list(other_mdevs))


HOSTS = [
    dict(
        name="z16-lpar",
        about="z16 LPAR, Linux 6.12 with vfio_ap: 8 CEX8 cards, 85 usage domains, APXA",
        kernel=(6, 12),
        max_adapter=255,
        max_domain=255,
        bus_features="APSC APXA QACT RC8A",
        usage=range(0, 85),
        control=range(0, 85),
        apmask=ALL - {0x08, 0x09, 0x0A, 0x0B},
        aqmask=ALL - set(range(64, 85)),
        cards=[
            card(0x00, "CEX8C", serial="93AADB36", requests={0x05: 1234}),
            card(0x01, "CEX8C", serial="93AADB41", online=False),
            card(0x02, "CEX8P", serial="93AAGZ1275580021", chkstop=True),
            card(0x03, "CEX8A", requests={0x07: 98765}),
            card(0x08, "CEX8C", serial="93AADC02"),
            card(0x09, "CEX8P", serial="93AAGZ1275580034"),
            card(0x0A, "CEX8A"),
            card(0x0B, "CEX8C", serial="93AADC17", config=False),
        ],
        drivers=["cex4card", "cex4queue", "vfio_ap"],
        vfio=True,
        mdevs=[
            # The running guest's device; adapter 0b is deconfigured, so its guest matrix leaves it out.
            mdev("1f3c9a52-7d4e-4b8a-9c21-5e6f7a8b9c0d", adapters=[0x08, 0x09, 0x0B], domains=[0x05, 0x06],
                 control=[0x05, 0x06, 0x5A]),
            # Prepared for a guest, not in use; domains 0x50/0x51 of adapter 03 are not default-owned (aqmask).
            mdev("6a0e4d17-2b8c-4f3a-8e5d-9c7b1a2f3e4d", adapters=[0x03, 0x0A], domains=[0x50, 0x51]),
        ],
        domains=[
            domain("payments-vm", "c7a5fdbd-edaf-4455-926a-d65c16db1809", running=True,
                   aps=["1f3c9a52-7d4e-4b8a-9c21-5e6f7a8b9c0d"]),
            domain("web-frontend", "0b5e2c7d-4f1a-4a8e-b6c3-2d9e8f7a1b5c", running=True,
                   other_mdevs=["5d8e3f21-9a4b-4c7d-8e1f-2a3b4c5d6e7f"]),
        ],
    ),
    dict(
        name="no-vfio-ap",
        about="z15 LPAR, Linux 6.8 without vfio_ap loaded: zcrypt only; adapter 07 left out of apmask stays unbound",
        kernel=(6, 8),
        max_adapter=255,
        max_domain=84,
        bus_features="APSC APXA QACT",
        usage=[0x0C, 0x0D],
        control=[0x0C, 0x0D],
        apmask=ALL - {0x07},
        aqmask=ALL,
        cards=[
            card(0x04, "CEX7C", serial="93AACB09", requests={0x0C: 17, 0x0D: 5}),
            card(0x05, "CEX7C", serial="93AACB12"),
            card(0x06, "CEX7P", serial="93AAFX9074420137"),
            card(0x07, "CEX7A"),
        ],
        drivers=["cex4card", "cex4queue"],
        vfio=False,
        mdevs=[],
        domains=[],
    ),
    dict(
        name="no-ap-config",
        about="z15 LPAR, Linux 6.1: vfio_ap without ap_config, features or queue status; 6.1's cex2 drivers",
        kernel=(6, 1),
        max_adapter=255,
        max_domain=84,
        bus_features=None,
        usage=range(0, 16),
        control=range(0, 16),
        apmask=ALL - {0x01, 0x02},
        aqmask=ALL - set(range(8, 16)),
        cards=[
            card(0x00, "CEX7C", serial="93AACA77", requests={0x00: 3}),
            card(0x01, "CEX7P", serial="93AAFX9074420002"),
            card(0x02, "CEX7A"),
        ],
        drivers=["cex2acard", "cex2aqueue", "cex2card", "cex2cqueue", "cex4card", "cex4queue", "vfio_ap"],
        vfio=True,
        mdevs=[
            mdev("2b7d4e9a-1c3f-4a5b-8d6e-7f8091a2b3c4", adapters=[0x01], domains=[0x08, 0x09], control=[0x08]),
            # Only an adapter, only a domain: matrix shows "02." and ".000a" lines.
            mdev("3c8e5fab-2d4a-4b6c-9e7f-8091a2b3c4d5", adapters=[0x02]),
            mdev("4d9f6abc-3e5b-4c7d-af80-91a2b3c4d5e6", domains=[0x0A]),
        ],
        domains=[domain("ep11-guest", "e1d2c3b4-a596-4877-8695-a4b3c2d1e0f9", running=True,
                        aps=["2b7d4e9a-1c3f-4a5b-8d6e-7f8091a2b3c4"])],
    ),
]


class Link(str):
    """A symlink target (relative, as sysfs makes them)."""


def mask_text(ids):
    """256 bits MSB first: the kernel's 0x%016lx x 4 and 0x%08x x 8 both come out as this."""
    value = 0
    for i in ids:
        value |= 1 << (255 - i)
    return "0x%064x" % value


def mode(type_string):
    return type_string[-1]


def generation(type_string):
    return int(type_string[3])


def hwtype(type_string):
    return generation(type_string) + 6  # AP_DEVICE_TYPE_CEX4 = 10 .. CEX8 = 14


class Host:
    """The description with what the kernel derives from it: bindings, queue states, guest matrices."""

    def __init__(self, d):
        self.d = d
        self.new = d["kernel"] >= (6, 12)
        self.status_attr = d["kernel"] >= (6, 8)
        self.usage = sorted(d["usage"])
        self.control = sorted(d["control"])
        self.cards = {c["id"]: c for c in d["cards"]}
        self.guests = {}
        for dom in d["domains"]:
            for uuid in dom["aps"]:
                self.guests[uuid] = dom["name"]

    def default_owned(self, a, q):
        return a in self.d["apmask"] and q in self.d["aqmask"]

    def driver(self, a, q):
        """SPEC §3: default-owned -> cex4queue, otherwise vfio_ap (CEX4..CEX8) when loaded, else unbound."""
        if self.default_owned(a, q):
            return "cex4queue" if "cex4queue" in self.d["drivers"] else None
        return "vfio_ap" if "vfio_ap" in self.d["drivers"] else None

    def queues(self, a):
        """Every card has a queue device per usage domain; a deconfigured card's are there with config 0."""
        return [(a, q) for q in self.usage]

    def card_online(self, c):
        return c["config"] and not c["chkstop"] and c["online"]

    def queue_online(self, c, a, q):
        """zcrypt's queue online (cex4queue-bound only); the reader's view otherwise: not check-stopped."""
        if self.driver(a, q) == "cex4queue":
            return self.card_online(c)
        return not c["chkstop"]

    def initiated(self, c):
        # ap_scan_domains only calls ap_queue_init_state for a queue created neither deconfigured nor check-stopped.
        return c["config"] and not c["chkstop"]

    def shadow(self, m):
        """SPEC §6 (vfio_ap_mdev_filter_matrix): configured adapters, usage domains, whole adapters dropped."""
        apm = [a for a in m["adapters"] if a in self.cards and self.cards[a]["config"]]
        aqm = [q for q in m["domains"] if q in self.usage]
        if aqm:
            apm = [a for a in apm if all(self.driver(a, q) == "vfio_ap" for q in aqm)]
        adm = [q for q in m["control"] if q in self.control]
        return apm, aqm, adm

    def mdev_of(self, a, q):
        for m in self.d["mdevs"]:
            if a in m["adapters"] and q in m["domains"]:
                return m
        return None

    def guest_of(self, a, q):
        m = self.mdev_of(a, q)
        if m is None or m["uuid"] not in self.guests:
            return None
        apm, aqm, _ = self.shadow(m)
        return self.guests[m["uuid"]] if a in apm and q in aqm else None

    def status(self, a, q):
        m = self.mdev_of(a, q)
        return "unassigned" if m is None else "in use" if self.guest_of(a, q) else "assigned"


def matrix_lines(adapters, domains, max_adapter, max_domain):
    adapters = [a for a in adapters if a <= max_adapter]
    domains = [q for q in domains if q <= max_domain]
    if adapters and domains:
        return "".join("%02x.%04x\n" % (a, q) for a in adapters for q in domains)
    if adapters:
        return "".join("%02x.\n" % a for a in adapters)
    return "".join(".%04x\n" % q for q in domains)


def tree(h):
    """Path (relative to the host root) -> file text or Link."""
    d = h.d
    t = {}
    bus = "sys/bus/ap/"
    t[bus + "apmask"] = mask_text(d["apmask"]) + "\n"
    t[bus + "aqmask"] = mask_text(d["aqmask"]) + "\n"
    t[bus + "ap_adapter_mask"] = mask_text(h.cards) + "\n"
    t[bus + "ap_usage_domain_mask"] = mask_text(h.usage) + "\n"
    t[bus + "ap_control_domain_mask"] = mask_text(h.control) + "\n"
    t[bus + "ap_max_adapter_id"] = "%d\n" % d["max_adapter"]
    t[bus + "ap_max_domain_id"] = "%d\n" % d["max_domain"]
    default = [q for q in h.usage if q in d["aqmask"]
               and any(a in d["apmask"] and c["config"] for a, c in h.cards.items())]
    t[bus + "ap_domain"] = "%d\n" % (default[0] if default else -1)
    t[bus + "ap_interrupts"] = "1\n"
    t[bus + "config_time"] = "30\n"
    t[bus + "poll_thread"] = "0\n"
    t[bus + "poll_timeout"] = "250000\n"
    t[bus + "scans"] = "4\n"
    all_queues = [aq for a in sorted(h.cards) for aq in h.queues(a)]
    bound = [aq for aq in all_queues if h.driver(*aq)]
    t[bus + "bindings"] = "%d/%d%s\n" % (len(bound), len(all_queues), " (complete)" if len(bound) == len(all_queues) else "")
    if d["bus_features"]:
        t[bus + "features"] = d["bus_features"] + "\n"
    for name in d["drivers"]:
        for f in ("bind", "unbind", "uevent"):
            t[bus + "drivers/%s/%s" % (name, f)] = ""

    for a, c in sorted(h.cards.items()):
        cdir = "sys/devices/ap/card%02x/" % a
        t[cdir + "hwtype"] = "%d\n" % hwtype(c["type"])
        t[cdir + "raw_hwtype"] = "%d\n" % hwtype(c["type"])
        t[cdir + "depth"] = "%d\n" % (7 if h.new else 8)  # hwinfo.qd since 6.9; queue_depth = qd + 1 before
        t[cdir + "ap_functions"] = "0x%08X\n" % FUNCTIONS[mode(c["type"])]
        t[cdir + "request_count"] = "%d\n" % sum(c["requests"].values())
        t[cdir + "requestq_count"] = "0\n"
        t[cdir + "pendingq_count"] = "0\n"
        t[cdir + "modalias"] = "ap:t%02X\n" % hwtype(c["type"])
        t[cdir + "config"] = "%d\n" % c["config"]
        t[cdir + "chkstop"] = "%d\n" % c["chkstop"]
        if d["kernel"] >= (6, 8):
            t[cdir + "max_msg_size"] = "%d\n" % AP_DEFAULT_MAX_MSG_SIZE
        t[cdir + "type"] = c["type"] + "\n"
        t[cdir + "online"] = "%d\n" % h.card_online(c)
        t[cdir + "load"] = "0\n"
        if c["serial"]:
            t[cdir + "serialnr"] = c["serial"] + "\n"
        t[cdir + "driver"] = Link("../../../bus/ap/drivers/cex4card")
        t[bus + "drivers/cex4card/card%02x" % a] = Link("../../../../devices/ap/card%02x" % a)
        for (_, q) in h.queues(a):
            name = "%02x.%04x" % (a, q)
            qdir = cdir + name + "/"
            initiated = h.initiated(c)
            t[qdir + "request_count"] = "%d\n" % c["requests"].get(q, 0) if initiated else "-\n"
            t[qdir + "requestq_count"] = "0\n"
            t[qdir + "pendingq_count"] = "0\n"
            t[qdir + "reset"] = "No Reset Timer set.\n" if initiated else "Reset in progress.\n"
            t[qdir + "interrupt"] = "Interrupts enabled.\n" if initiated else "Interrupts disabled.\n"
            t[qdir + "config"] = "%d\n" % c["config"]
            t[qdir + "chkstop"] = "%d\n" % c["chkstop"]
            drv = h.driver(a, q)
            if drv:
                t[qdir + "driver"] = Link("../../../../bus/ap/drivers/" + drv)
                t[bus + "drivers/%s/%s" % (drv, name)] = Link("../../../../devices/ap/card%02x/%s" % (a, name))
            if drv == "cex4queue":
                t[qdir + "online"] = "%d\n" % h.card_online(c)
            if drv == "vfio_ap" and h.status_attr:
                t[qdir + "status"] = h.status(a, q) + "\n"

    if d["vfio"]:
        matrix = "sys/devices/vfio_ap/matrix/"
        types = matrix + "mdev_supported_types/vfio_ap-passthrough/"
        if h.new:
            t[matrix + "features"] = "guest_matrix hotplug ap_config\n"
        t[types + "name"] = "VFIO AP Passthrough Device\n"
        t[types + "device_api"] = "vfio-ap\n"
        t[types + "available_instances"] = "%d\n" % (MAX_ZDEV_ENTRIES_EXT - len(d["mdevs"]))
        t[types + "create"] = ""
        for m in d["mdevs"]:
            mdir = matrix + m["uuid"] + "/"
            t[types + "devices/" + m["uuid"]] = Link("../../../" + m["uuid"])
            t[mdir + "mdev_type"] = Link("../mdev_supported_types/vfio_ap-passthrough")
            for f in ("assign_adapter", "unassign_adapter", "assign_domain", "unassign_domain",
                      "assign_control_domain", "unassign_control_domain", "remove"):
                t[mdir + f] = ""
            t[mdir + "matrix"] = matrix_lines(m["adapters"], m["domains"], d["max_adapter"], d["max_domain"])
            apm, aqm, _ = h.shadow(m)
            t[mdir + "guest_matrix"] = matrix_lines(apm, aqm, d["max_adapter"], d["max_domain"])
            t[mdir + "control_domains"] = "".join("%04x\n" % q for q in m["control"] if q <= d["max_domain"])
            if h.new:
                t[mdir + "ap_config"] = "%s,%s,%s\n" % (
                    mask_text(m["adapters"]), mask_text(m["domains"]), mask_text(m["control"]))

    for i, dom in enumerate(d["domains"]):
        t["etc/libvirt/qemu/%s.xml" % dom["name"]] = (
            "<!--\nWARNING: THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE\n"
            "OVERWRITTEN AND LOST. Changes to this xml configuration should be made using:\n"
            "  virsh edit %s\nor other application using the libvirt API.\n-->\n\n" % dom["name"]
            + domain_xml(dom, None))
        if dom["running"]:
            t["run/libvirt/qemu/%s.xml" % dom["name"]] = domstatus_xml(dom, i + 1)
    return t


def hostdevs(dom, indent):
    out = []
    for n, (model, uuid) in enumerate([("vfio-ap", u) for u in dom["aps"]] + [("vfio-ccw", u) for u in dom["others"]]):
        out += [
            "<hostdev mode='subsystem' type='mdev' managed='no' model='%s'>" % model,
            "  <source>",
            "    <address uuid='%s'/>" % uuid,
            "  </source>",
            "  <alias name='hostdev%d'/>" % n,
            "</hostdev>",
        ]
    return "".join(indent + line + "\n" for line in out)


def domain_xml(dom, id, indent=""):
    head = "<domain type='kvm' id='%d'>" % id if id else "<domain type='kvm'>"
    body = [
        "  <name>%s</name>" % dom["name"],
        "  <uuid>%s</uuid>" % dom["uuid"],
        "  <memory unit='KiB'>4194304</memory>",
        "  <vcpu placement='static'>2</vcpu>",
        "  <os>",
        "    <type arch='s390x' machine='s390-ccw-virtio-rhel9.4.0'>hvm</type>",
        "  </os>",
        "  <devices>",
        "    <emulator>/usr/libexec/qemu-kvm</emulator>",
    ]
    text = indent + head + "\n" + "".join(indent + line + "\n" for line in body)
    text += hostdevs(dom, indent + "    ")
    return text + indent + "  </devices>\n" + indent + "</domain>\n"


def domstatus_xml(dom, id):
    return (
        "<domstatus state='running' reason='booted' pid='%d'>\n" % (4200 + id)
        + "  <monitor path='/var/lib/libvirt/qemu/domain-%d-%s/monitor.sock' type='unix'/>\n" % (id, dom["name"])
        + domain_xml(dom, id, "  ")
        + "</domstatus>\n"
    )


def expected(h):
    """The state a reader must derive (SPEC §11.2), field by field, from the description alone."""
    d = h.d
    cards = []
    for a, c in sorted(h.cards.items()):
        cards.append(dict(
            id=a, type=c["type"], configured=c["config"], online=bool(h.card_online(c)), checkstopped=c["chkstop"],
            hwType=hwtype(c["type"]), rawHwType=hwtype(c["type"]), functions="0x%08X" % FUNCTIONS[mode(c["type"])],
            depth=7 if h.new else 8, requestCount=sum(c["requests"].values()), serial=c["serial"]))
    queues = []
    for a, c in sorted(h.cards.items()):
        if not c["config"]:
            continue  # the model has no queues on a deconfigured adapter
        for (_, q) in h.queues(a):
            m = h.mdev_of(a, q)
            queues.append(dict(
                apqn="%02x.%04x" % (a, q), driver=h.driver(a, q), mdev=m["uuid"] if m else None, guest=h.guest_of(a, q),
                online=bool(h.queue_online(c, a, q)), checkstopped=c["chkstop"],
                requestCount=c["requests"].get(q, 0) if h.initiated(c) else None))
    devices = []
    for m in sorted(d["mdevs"], key=lambda m: m["uuid"]):
        apm, aqm, adm = h.shadow(m)
        devices.append(dict(
            uuid=m["uuid"], adapters=m["adapters"], domains=m["domains"], controlDomains=m["control"],
            guestMatrix=dict(adapters=apm, domains=aqm, controlDomains=adm), guest=h.guests.get(m["uuid"])))
    return dict(
        about=d["about"],
        apmask=mask_text(d["apmask"]),
        aqmask=mask_text(d["aqmask"]),
        maxAdapterId=d["max_adapter"],
        maxDomainId=d["max_domain"],
        adapters=[dict(id=a, type=c["type"], configured=c["config"]) for a, c in sorted(h.cards.items())],
        usageDomains=[q for q in h.usage if q <= d["max_domain"]],
        controlDomains=[q for q in h.control if q <= d["max_domain"]],
        drivers=sorted(n for n in d["drivers"] if not (n.startswith("cex") and n.endswith("card"))),
        vfioFeatures=["guest_matrix", "hotplug", "ap_config"] if d["vfio"] and h.new else [],
        availableInstances=MAX_ZDEV_ENTRIES_EXT - len(d["mdevs"]) if d["vfio"] else 0,
        cards=cards,
        queues=queues,
        devices=devices,
    )


def expected_text(h):
    """JSON with one card, queue or device per line, so a diff names what changed."""
    e = expected(h)
    lines = ["{"]
    keys = list(e)
    for i, k in enumerate(keys):
        comma = "," if i < len(keys) - 1 else ""
        v = e[k]
        if k in ("cards", "queues", "devices", "adapters"):
            items = ",\n".join("    " + json.dumps(x, separators=(", ", ": ")) for x in v)
            lines.append('  "%s": [\n%s\n  ]%s' % (k, items, comma) if v else '  "%s": []%s' % (k, comma))
        else:
            lines.append('  "%s": %s%s' % (k, json.dumps(v, separators=(", ", ": ")), comma))
    return "\n".join(lines) + "\n}\n"


def entries(h):
    """Everything under tests/golden/<name>/: the tree and expected.json."""
    out = dict(tree(h))
    out["expected.json"] = expected_text(h)
    return out


def write(root, h):
    if os.path.lexists(root):
        shutil.rmtree(root)
    for rel, content in sorted(entries(h).items()):
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if isinstance(content, Link):
            os.symlink(content, path)
        else:
            with open(path, "w", encoding="ascii", newline="") as f:
                f.write(content)


def snapshot(root):
    """Relative path -> ('link', target) or ('file', bytes); directories are implied."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            if os.path.islink(path):
                out[rel] = ("link", os.readlink(path))
            elif os.path.isfile(path):
                with open(path, "rb") as f:
                    out[rel] = ("file", f.read())
            elif os.path.isdir(path) and not os.listdir(path):
                out[rel] = ("empty directory", None)
        dirnames[:] = [n for n in dirnames if not os.path.islink(os.path.join(dirpath, n))]
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="compare the committed trees with a fresh generation")
    parser.add_argument("--out", default=HERE, help="where the trees go (default: next to this script)")
    args = parser.parse_args()
    if not args.check:
        for d in HOSTS:
            write(os.path.join(args.out, d["name"]), Host(d))
        return 0
    problems = []
    for d in HOSTS:
        want = {rel: ("link", c) if isinstance(c, Link) else ("file", c.encode("ascii")) for rel, c in entries(Host(d)).items()}
        have = snapshot(os.path.join(args.out, d["name"]))
        for rel in sorted(set(want) | set(have)):
            if rel not in have:
                problems.append("%s/%s: missing" % (d["name"], rel))
            elif rel not in want:
                problems.append("%s/%s: not generated" % (d["name"], rel))
            elif want[rel] != have[rel]:
                problems.append("%s/%s: differs" % (d["name"], rel))
    for p in problems[:50]:
        print(p)
    if problems:
        print("%d difference(s): run python3 tests/golden/generate.py and commit the result" % len(problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
