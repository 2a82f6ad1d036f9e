#!/usr/bin/env python3
"""Differential test: gslb against NSD and Knot on the same zones.

NSD, Knot and `gslb serve` are started on the corpus tests/data/zones/diff/
(diff.test., its separately loaded child sub.diff.test. and apex-dname.test.) and every query of
tests/data/diff_queries.txt is sent to all three. The test fails when:

  1. the two references disagree on a query not listed in KNOWN_DIFFERENCES,
     or agree on one that is listed (the table below must stay true: it is
     the record of where standard servers legitimately differ);
  2. gslb's reply equals neither reference's reply (rcode, opcode, AA/TC/RD/RA,
     exact question, answer/authority/additional as multisets of RRsets with
     TTLs, EDNS presence and version), unless an ACCEPT rule below allows it
     or the query is a listed, open gslb bug (KNOWN_GSLB_DEVIATIONS: XFAIL).

Known differences between the references (NSD 4.6 with minimal-responses,
Knot 3.2; measured on this corpus). For these either answer is acceptable:

  query id              NSD                              Knot
  --------------------  -------------------------------  ---------------------------------
  apex-mx, mx-additional, wild-mx-additional, srv-additional, srv-additional-both,
  manymx-noedns, manymx-1232
                        no additional section            A/AAAA of in-zone targets in
                        (minimal-responses)              additional (all that fit)
  cname-to-subzone      follows the CNAME into the       stops at the parent's delegation:
                        child zone it also serves        CNAME + referral (NS, glue)
  apex-dname            one follows the CNAME synthesized from apex-dname.test's DNAME into
                        diff.test (another zone both serve), the other stops after it
  qdcount0              NOERROR, empty question          FORMERR
  qdcount2              no reply (dropped)               FORMERR
  opcode-status         NOTIMP, no question, no OPT      NOTIMP, question and OPT echoed
  opcode-notify         REFUSED, no question, no OPT     NOTAUTH, question and OPT echoed
  opcode-notify-other   NXDOMAIN, no question            NOTAUTH, question echoed
  opcode-update         NOTIMP, no question, no OPT      NOTAUTH, question and OPT echoed
  ixfr-udp              REFUSED (not on the allow-list)  NOTAUTH
  qtype-zero            NOERROR, NODATA                  NOTIMP
  class-none            REFUSED, no question             REFUSED, question echoed
  class-any             answer without AA                answer with AA

The CHAOS version.bind text is each server's own ("NSD (gslb tests)", "Knot
(gslb tests)", gslb's version): that answer is compared by shape (SHAPE_ONLY).
ANY may carry any of the name's RRsets (ACCEPT).
"""

from __future__ import annotations

import sys

import gslbtest as g

KNOWN_DIFFERENCES = {
    "apex-mx": "NSD minimal-responses omits MX target addresses; Knot adds them",
    "mx-additional": "as apex-mx",
    "wild-mx-additional": "as apex-mx, for an MX synthesised from a wildcard",
    "srv-additional": "NSD omits SRV target addresses; Knot adds them",
    "srv-additional-both": "as srv-additional (A and AAAA of the target)",
    "manymx-noedns": "NSD omits additional data; Knot adds what fits in 512 bytes",
    "manymx-1232": "NSD omits additional data; Knot adds all of it",
    "cname-to-subzone": "NSD follows a CNAME into another zone it serves; Knot answers the parent's referral",
    "apex-dname": "one reference follows the synthesized CNAME into diff.test (another zone it serves), one stops",
    "qdcount0": "NSD answers NOERROR with no question; Knot FORMERR",
    "qdcount2": "NSD drops the query; Knot FORMERR",
    "opcode-status": "both NOTIMP; NSD strips question and OPT, Knot echoes them",
    "opcode-notify": "NSD REFUSED without question or OPT; Knot NOTAUTH echoing them",
    "opcode-notify-other": "NSD NXDOMAIN for a NOTIFY not at a zone apex, without question; Knot NOTAUTH",
    "ixfr-udp": "transfers are not allowed to the tester: NSD REFUSED, Knot NOTAUTH",
    "qtype-zero": "NSD answers QTYPE 0 like any unknown type (NODATA); Knot NOTIMP",
    "class-none": "both REFUSED; NSD strips the question",
    "class-any": "both answer the IN data; NSD without AA, Knot with AA",
    "opcode-update": "NSD NOTIMP without question or OPT; Knot (which implements UPDATE) NOTAUTH echoing them",
}

# Sections compared by shape only (owner, type, class, TTL, number of records):
# the version text is implementation-specific, its form is not.
SHAPE_ONLY = {"chaos-version": ("answer",)}


def accept_any_minimal(query: g.Query, refs: dict, got: g.Answer) -> bool:
    """RFC 8482 section 4.1: an ANY reply may carry any one RRset (or all) of
    the name; NSD and Knot both happen to pick the A RRset. Accept a reply
    that differs from them only by carrying another subset of the name's
    RRsets, all of them with the owner asked for."""
    ref = refs["nsd"] or refs["knot"]
    if ref is None or got.rcode != ref.rcode or not got.answer:
        return False
    owner = query.qname.lower()
    rest_same = not g.compare(ref, got, fields=("rcode", "opcode", "flags", "question", "edns"))
    return rest_same and all(rrset[0] == owner for rrset in got.answer)


# Known deviations of gslb from both references, reported as XFAIL instead of
# failing the run (so main stays green while they are open). Each entry is a
# bug to fix in gslb; remove it when the test prints XPASS for it.
KNOWN_GSLB_DEVIATIONS: dict[str, str] = {
    # (empty: the two listed earlier, FORMERR/NOTIMP without the query's OPT
    # record, were fixed in dns/wire_query.cpp)
}

def accept_notimp_echo(query: g.Query, refs: dict, got: g.Answer) -> bool:
    """UPDATE (RFC 2136), which gslb does not implement: NOTIMP as NSD says,
    with the question and OPT echoed as Knot does for every opcode."""
    nsd, knot = refs["nsd"], refs["knot"]
    if nsd is None or knot is None or got.rcode != "NOTIMP" or nsd.rcode != "NOTIMP":
        return False
    return not g.compare(knot, got, fields=("opcode", "flags", "question", "edns"))


# Replies accepted although they equal neither reference, with the reason.
ACCEPT = {
    "opcode-update": accept_notimp_echo,
    "any-udp": accept_any_minimal,
    "any-tcp": accept_any_minimal,
}


def reference_cross_check(queries, refs) -> list[str]:
    """Problems with the KNOWN_DIFFERENCES table, given both references' replies."""
    problems = []
    for q in queries:
        nsd, knot = refs[q.id]["nsd"], refs[q.id]["knot"]
        if nsd is None and knot is None:
            problems.append(f"{q.id}: neither reference replied to {q.describe()}")
            continue
        differs = nsd is None or knot is None or bool(g.compare(nsd, knot, shape_only=SHAPE_ONLY.get(q.id, ())))
        if differs and q.id not in KNOWN_DIFFERENCES:
            detail = ("one reference did not reply" if nsd is None or knot is None else "\n".join(
                g.compare(nsd, knot, shape_only=SHAPE_ONLY.get(q.id, ()))))
            problems.append(f"{q.id}: NSD and Knot differ but the difference is not documented "
                            f"({q.describe()}):\n{detail}")
        if not differs and q.id in KNOWN_DIFFERENCES:
            problems.append(f"{q.id}: listed in KNOWN_DIFFERENCES but NSD and Knot now agree")
    for qid in KNOWN_DIFFERENCES:
        if qid not in refs:
            problems.append(f"{qid}: listed in KNOWN_DIFFERENCES but no such query")
    return problems


def check_gslb(queries, refs, port: int) -> list[str]:
    failures = []
    for q in queries:
        if q.id in KNOWN_GSLB_DEVIATIONS:
            got = g.ask(port, q)
            ok, _ = g.matches_any(refs[q.id], got)
            print(f"{'XPASS (remove it from KNOWN_GSLB_DEVIATIONS)' if ok else 'XFAIL'}: {q.id}: "
                  f"{KNOWN_GSLB_DEVIATIONS[q.id]}")
            continue
        got = g.ask(port, q)
        ok, report = g.matches_any(refs[q.id], got, shape_only=SHAPE_ONLY.get(q.id, ()))
        if not ok and got is not None and q.id in ACCEPT and ACCEPT[q.id](q, refs[q.id], got):
            ok = True
        if not ok:
            got_text = "(no reply)" if got is None else got.text()
            failures.append(f"--- {q.id}: {q.describe()}\n{report}\n  gslb replied:\n" +
                            "\n".join("    " + line for line in got_text.splitlines()))
    return failures


def main() -> int:
    src = g.source_dir()
    zones = src / "tests/data/zones/diff"
    queries = g.load_queries(src / "tests/data/diff_queries.txt")
    with g.WorkDir("differential") as work:
        refs = {}
        with g.start_nsd(zones, work) as nsd, g.start_knot(zones, work) as knot:
            for q in queries:
                refs[q.id] = {"nsd": g.ask(nsd.port, q), "knot": g.ask(knot.port, q)}
        problems = reference_cross_check(queries, refs)
        for p in problems:
            print(f"REFERENCE: {p}")
        print(f"references: {len(queries)} queries, {len(KNOWN_DIFFERENCES)} documented differences, "
              f"{len(problems)} problems")

        g.require_gslb_command("serve")

        with g.start_gslb(zones, work) as gslb:
            failures = check_gslb(queries, refs, gslb.port)
            alive = gslb.alive()
            status = gslb.stop()
            log_tail = gslb.log_tail()
        for f in failures:
            print(f)
        if not alive or status != 0:
            # Under the sanitizers a report makes the exit status non-zero.
            failures.append(f"gslb exited during the test or with status {status} on SIGTERM")
            print(f"{failures[-1]}; log:\n{log_tail}")
        print(f"gslb: {len(queries) - len(failures) - len(KNOWN_GSLB_DEVIATIONS)}/{len(queries)} queries answered "
              f"like a reference, {len(KNOWN_GSLB_DEVIATIONS)} known deviations, {len(failures)} failures")
        return 1 if problems or failures else 0


if __name__ == "__main__":
    sys.exit(main())
