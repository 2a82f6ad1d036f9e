#!/usr/bin/python3
"""Writes the seed corpus for query_processor_fuzz: real query packets as
dig/kdig/resolvers send them (dnspython builds them). Re-run after changing
the list; the outputs are committed. The files named by hash are inputs
libFuzzer found that add coverage (kept with -merge=1)."""
import os

import dns.edns
import dns.flags
import dns.message
import dns.rdataclass
import dns.opcode
import dns.rdatatype

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "query_processor")


def write(name, wire):
    with open(os.path.join(here, name), "wb") as f:
        f.write(wire)


def q(name, rdtype, rdclass="IN", **kw):
    return dns.message.make_query(name, rdtype, rdclass, **kw)


seeds = {
    "a": q("www.example.com.", "A"),
    "a_upper": q("WwW.ExAmPlE.CoM.", "A"),
    "aaaa_edns": q("www.example.com.", "AAAA", use_edns=0, payload=1232),
    "mx_do": q("example.com.", "MX", want_dnssec=True),
    "any": q("www.example.com.", "ANY", use_edns=0),
    "ds": q("deleg.example.com.", "DS", want_dnssec=True),
    "referral": q("www.deleg.example.com.", "A"),
    "wildcard": q("x.wild.example.com.", "A"),
    "cname": q("chain1.example.com.", "A"),
    "nxdomain": q("nope.example.com.", "A"),
    "refused": q("www.example.org.", "A"),
    "chaos": q("version.bind.", "TXT", "CH"),
    "axfr": q("example.com.", "AXFR"),
    "ixfr": q("example.com.", "IXFR"),
    "srv": q("_sip._tcp.example.com.", "SRV"),
    "edns_v1": q("www.example.com.", "A", use_edns=1),
}
ecs = dns.edns.ECSOption("198.51.100.0", 24)
seeds["ecs4"] = q("www.example.com.", "A", use_edns=0, options=[ecs])
seeds["ecs6"] = q("www.example.com.", "AAAA", use_edns=0, options=[dns.edns.ECSOption("2001:db8::", 56)])
seeds["cookie"] = q("www.example.com.", "A", use_edns=0,
                    options=[dns.edns.GenericOption(10, bytes(range(8)))])

os.makedirs(here, exist_ok=True)
for name, msg in seeds.items():
    msg.id = 0x4242
    write(name, msg.to_wire())
# Opcode NOTIFY and a header-only packet.
notify = q("example.com.", "SOA")
notify.set_opcode(dns.opcode.NOTIFY)
write("notify", notify.to_wire())
write("header_only", bytes(12))
