#!/usr/bin/env python3
"""`gslb check` on GSLB policies (*.gslb.yaml): exit codes and exact diagnostics.

  * tests/data/policies/bad/<defect>.gslb.yaml: one defect per file. Each is
    copied as example.test.gslb.yaml beside the shared zone
    tests/data/policies/bad/example.test.zone into a scratch directory; `gslb
    check example.test.gslb.yaml` (run there) must exit 1 and print exactly the
    diagnostics of <defect>.expected on stderr, and a "not loadable" summary.
  * tests/data/policies/good/: exit 0, no diagnostics, a policy summary with
    the counts of regions, pools and records, whether the directory, the zone
    file or the policy file is named.
  * A policy without its zone file is an error; so is a policy whose zone has
    errors only in the zone (the zone's diagnostics), while the policy is still
    checked on its own.
  * Policies of one directory are served together: one member id (pool and
    address) probed two ways by two zones is an error.
  * --print-policy-schema prints the reference that docs/policy-reference.md holds.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import gslbtest

DIAGNOSTIC = re.compile(r"^\S+?(:\d+(:\d+)?)?: (error|warning): ")
TIMEOUT = 60

expect = gslbtest.Expectations()


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return gslbtest.run_gslb(["check", *args], cwd, TIMEOUT)


def diagnostics(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if DIAGNOSTIC.match(line) and not line.startswith("gslb check:")]


def check_bad(policy: Path, work: Path) -> None:
    expected = [line for line in policy.with_name(policy.name.replace(".gslb.yaml", ".expected")).read_text()
                .splitlines() if line.strip()]
    case = work / policy.name.replace(".gslb.yaml", "")
    case.mkdir()
    shutil.copy(policy.parent / "example.test.zone", case / "example.test.zone")
    shutil.copy(policy, case / "example.test.gslb.yaml")
    r = run(["example.test.gslb.yaml"], case)
    got = diagnostics(r.stderr)
    expect(r.returncode == 1, f"{policy.name}: exit {r.returncode}, want 1\n{r.stderr}")
    expect(got == expected, f"{policy.name}: diagnostics differ\n  want: {expected}\n  got:  {got}")
    expect(len(expected) > 0, f"{policy.name}: its .expected file lists no diagnostic")
    expect("example.test.gslb.yaml: " in r.stdout and "not loadable" in r.stdout,
           f"{policy.name}: summary does not say 'not loadable': {r.stdout!r}")
    # The zone itself is fine: its own summary still says ok.
    expect("example.test.: serial 1, " in r.stdout, f"{policy.name}: zone summary missing: {r.stdout!r}")


def main() -> int:
    src = gslbtest.source_dir()
    data = src / "tests/data/policies"
    bad = sorted((data / "bad").glob("*.gslb.yaml"))
    expect(len(bad) >= 25, f"only {len(bad)} bad policy files found")
    with tempfile.TemporaryDirectory(prefix="check_policy_test.") as tmp:
        work = Path(tmp)
        for policy in bad:
            check_bad(policy, work)

        # The good policy, named three ways.
        summary = "policy for example.test., 2 regions, 1 pools, 3 records, ok"
        for args in (["good"], ["good/example.test.zone"], ["good/example.test.gslb.yaml"]):
            r = run(args, data)
            expect(r.returncode == 0, f"good {args}: exit {r.returncode}\n{r.stderr}")
            expect(diagnostics(r.stderr) == [], f"good {args}: unexpected diagnostics {r.stderr}")
            expect(f"good/example.test.gslb.yaml: {summary}\n" in r.stdout, f"good {args}: stdout {r.stdout!r}")

        # A policy alone, without its zone.
        alone = work / "alone"
        alone.mkdir()
        shutil.copy(data / "good/example.test.gslb.yaml", alone / "other.test.gslb.yaml")
        r = run(["."], alone)
        expect(r.returncode == 1, f"policy without zone: exit {r.returncode}")
        expect(diagnostics(r.stderr) == [
            "./other.test.gslb.yaml: error: policy without a zone: ./other.test.zone does not exist"],
            f"policy without zone: stderr {r.stderr!r}")

        # The zone has an error: reported; the policy is still checked on its own and passes.
        broken = work / "broken"
        broken.mkdir()
        zone_text = (data / "good/example.test.zone").read_text()
        (broken / "example.test.zone").write_text(zone_text + "bad IN A 192.0.2.300\n")
        shutil.copy(data / "good/example.test.gslb.yaml", broken / "example.test.gslb.yaml")
        r = run(["."], broken)
        got = diagnostics(r.stderr)
        expect(r.returncode == 1 and len(got) == 1 and got[0].startswith("./example.test.zone:12:"),
               f"broken zone: exit {r.returncode} {r.stderr!r}")
        expect(f"./example.test.gslb.yaml: {summary}" in r.stdout, f"broken zone: stdout {r.stdout!r}")

        # Two zones served together name one member id (pool web, address
        # 10.0.1.1): probed the same way it is one balancer; probed two ways
        # it is an error at the later member, naming the earlier one.
        shared = work / "shared"
        shared.mkdir()
        for zone, port in (("a.test", 9), ("b.test", 9)):
            (shared / f"{zone}.zone").write_text(f"$ORIGIN {zone}.\n$TTL 300\n@ IN SOA ns1 h 1 7200 3600 1209600 300\n"
                                                 "@ IN NS ns1\nns1 IN A 127.0.0.1\n")
            (shared / f"{zone}.gslb.yaml").write_text(
                "regions:\n  eu: { lat: 50, lon: 8 }\npools:\n  web:\n"
                f"    check: {{ type: tcp, port: {port}, interval: 10s, timeout: 1s }}\n"
                "    members:\n      - { region: eu, address: 10.0.1.1 }\nrecords:\n  www: { pool: web }\n")
        r = run(["."], shared)
        expect(r.returncode == 0 and diagnostics(r.stderr) == [], f"shared member, same check: {r.stderr!r}")
        policy_b = (shared / "b.test.gslb.yaml").read_text().replace("port: 9,", "port: 10,")
        (shared / "b.test.gslb.yaml").write_text(policy_b)
        r = run(["."], shared)
        expect(r.returncode == 1 and diagnostics(r.stderr) == [
            "./b.test.gslb.yaml:7:9: error: member web/10.0.1.1 is also in zone a.test. (./a.test.gslb.yaml:7) with "
            "another check or check_address; one member id has one health state: give the pools distinct names or "
            "the same check"], f"shared member, two checks: exit {r.returncode} {r.stderr!r}")
        expect(".: 1 error between policies, not loadable together" in r.stdout, f"shared member: stdout {r.stdout!r}")

    # The committed reference is what the binary generates.
    r = gslbtest.run_gslb(["check", "--print-policy-schema"], timeout=TIMEOUT)
    expect(r.returncode == 0, f"--print-policy-schema: exit {r.returncode}")
    expect(r.stdout == (src / "docs/policy-reference.md").read_text(),
           "--print-policy-schema differs from docs/policy-reference.md")
    expect("| `answers` | integer | `1` | 1..8 |" in r.stdout, "reference lacks the answers row")

    return expect.report(f"{len(bad)} bad policies checked", "good policy ok, reference ok")


if __name__ == "__main__":
    sys.exit(main())
