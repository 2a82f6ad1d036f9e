#!/usr/bin/env python3
"""Golden answers of `gslb serve` for static zones, read with dig.

tests/golden/cases.txt lists the cases (name, zone directory, qname, qtype);
tests/golden/<name>.answer holds what dig must print: the status, the header
flags and the answer and authority records (sorted, alignment whitespace removed;
the additional section is left to the differential test, where servers'
choices legitimately differ). The server under test is started on each zone
directory once and asked with

    dig @127.0.0.1 -p PORT +norec +nocookie +noall +comments +answer +authority QNAME QTYPE

The golden files were generated from Knot's answers for the same zones
(`serve_static_test.py --regenerate`, which runs Knot and rewrites them) and
reviewed by hand before commit. `--against knot|nsd` checks a reference
server against the golden files instead of gslb.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import gslbtest as g

GOLDEN = g.source_dir() / "tests/golden"


def load_cases() -> list[tuple[str, str, str, str]]:
    cases = []
    for lineno, raw in enumerate((GOLDEN / "cases.txt").read_text().splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if line:
            fields = line.split()
            if len(fields) != 4:
                raise ValueError(f"cases.txt:{lineno}: expected: name zone-dir qname qtype")
            cases.append(tuple(fields))
    return cases


def dig(port: int, qname: str, qtype: str) -> str:
    """dig's view of the reply, reduced to the stable parts (see module doc)."""
    out = subprocess.run([g.find_tool("dig"), f"@{g.LOOPBACK}", "-p", str(port), "+norec", "+nocookie", "+noall",
                          "+comments", "+answer", "+authority", "+time=2", "+tries=1", qname, qtype],
                         capture_output=True, text=True, timeout=20).stdout
    status = re.search(r"status: (\w+)", out)
    flags = re.search(r";; flags: ([^;]*);", out)
    if not status or not flags:
        return f"no reply\n{out}"
    # Owner, TTL, class and type are tab-separated with dig's alignment
    # padding removed; the rdata text is kept as dig printed it.
    records = sorted("\t".join(line.split(None, 4)) for line in out.splitlines()
                     if line.strip() and not line.startswith(";"))
    return "\n".join([f"status: {status.group(1)}", f"flags: {flags.group(1).strip()}"] + records) + "\n"


def run(kind: str, regenerate: bool) -> list[str]:
    cases = load_cases()
    failures = []
    by_zone: dict[str, list] = {}
    for case in cases:
        by_zone.setdefault(case[1], []).append(case)
    starters = {"gslb": g.start_gslb, "knot": g.start_knot, "nsd": g.start_nsd}
    with g.WorkDir("static") as work:
        for n, (zone_dir, zone_cases) in enumerate(by_zone.items()):
            sub = work / f"z{n}"
            sub.mkdir()
            with starters[kind](g.source_dir() / zone_dir, sub) as server:
                for name, _, qname, qtype in zone_cases:
                    got = dig(server.port, qname, qtype)
                    path = GOLDEN / f"{name}.answer"
                    if regenerate:
                        path.write_text(got)
                        continue
                    want = path.read_text()
                    if got != want:
                        failures.append(f"--- {name}: dig {qname} {qtype}\nexpected ({path.name}):\n{want}got:\n{got}")
                if not server.alive():
                    failures.append(f"{kind} exited during the test:\n{server.log_tail()}")
                elif kind == "gslb" and server.stop() != 0:
                    # Under the sanitizers a report makes the exit status non-zero.
                    failures.append(f"gslb exited with status {server.stop()} on SIGTERM:\n{server.log_tail()}")
    print(f"{kind}: {len(cases) - len(failures)}/{len(cases)} golden answers matched")
    return failures


def main() -> int:
    if "--regenerate" in sys.argv:
        run("knot", regenerate=True)
        print(f"golden files rewritten in {GOLDEN} from Knot's answers: review them before committing")
        return 0
    kind = sys.argv[sys.argv.index("--against") + 1] if "--against" in sys.argv else "gslb"
    if kind == "gslb":
        g.require_gslb_command("serve")
    failures = run(kind, regenerate=False)
    for f in failures:
        print(f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
