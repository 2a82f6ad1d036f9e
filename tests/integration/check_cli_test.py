#!/usr/bin/env python3
"""`gslb check` on real files: exit codes and file:line:col diagnostics.

  * tests/data/zones/bad/<defect>.zone: one defect per file. `gslb check` must
    exit 1 and print exactly the diagnostics of <defect>.expected (no more,
    no fewer) on stderr, and a summary naming the zone as not loadable.
  * tests/data/zones/warn/<case>.zone: warnings only. Exit 0, exactly the
    expected warnings, and an "ok" summary.
  * zones/ (the demo repository), as a directory and as a single file: exit 0,
    no diagnostics, the summary with serial and record count, and the policy
    beside the zone (example.com.gslb.yaml) checked with it.
  * A directory holding two files for one origin: exit 1, the second named.
  * Usage: no PATH or an unknown option exits 2; a missing PATH exits 1.

Each check runs the real binary ($GSLB) with the defect's directory as the
working directory, so diagnostics name files as the operator typed them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import gslbtest

DIAGNOSTIC = re.compile(r"^\S+:\d+(:\d+)?: (error|warning): ")
TIMEOUT = 60

expect = gslbtest.Expectations()


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return gslbtest.run_gslb(["check", *args], cwd, TIMEOUT)


def diagnostics(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if DIAGNOSTIC.match(line)]


def check_expected(zone: Path, want_exit: int) -> None:
    expected = [line for line in zone.with_suffix(".expected").read_text().splitlines() if line.strip()]
    r = run([zone.name], zone.parent)
    got = diagnostics(r.stderr)
    expect(r.returncode == want_exit, f"{zone.name}: exit {r.returncode}, want {want_exit}\n{r.stderr}")
    expect(sorted(got) == sorted(expected),
           f"{zone.name}: diagnostics differ\n  want: {expected}\n  got:  {got}")
    expect(len(expected) > 0, f"{zone.name}: its .expected file lists no diagnostic")
    if want_exit == 1:
        expect("not loadable" in r.stdout, f"{zone.name}: summary does not say 'not loadable': {r.stdout!r}")
    else:
        expect(re.search(r"^example\.com\.: serial \d+, \d+ records, ok", r.stdout, re.M) is not None,
               f"{zone.name}: no ok summary: {r.stdout!r}")


def main() -> int:
    src = gslbtest.source_dir()
    bad = sorted((src / "tests/data/zones/bad").glob("*.zone"))
    warn = sorted((src / "tests/data/zones/warn").glob("*.zone"))
    expect(len(bad) >= 25, f"only {len(bad)} bad zone files found")
    for zone in bad:
        check_expected(zone, 1)
    for zone in warn:
        check_expected(zone, 0)

    # The demo repository, as a directory and as one file.
    for args, cwd in ((["zones"], src), (["zones/example.com.zone"], src), (["."], src / "zones")):
        r = run(args, cwd)
        expect(r.returncode == 0, f"check {args}: exit {r.returncode}\n{r.stderr}")
        expect(diagnostics(r.stderr) == [], f"check {args}: unexpected diagnostics {r.stderr}")
        expect(re.fullmatch(r"example\.com\.: serial 2026112301, 21 records, ok\n"
                            r"\S*example\.com\.gslb\.yaml: policy for example\.com\., 4 regions, 2 pools, 3 records, ok\n",
                            r.stdout) is not None,
               f"check {args}: summary {r.stdout!r}")

    with tempfile.TemporaryDirectory(prefix="check_cli_test.") as tmp:
        work = Path(tmp)
        # Two files for one origin: the second is refused, and the whole run fails.
        text = (src / "tests/data/zones/warn/soa-ttl-zero.zone").read_text()
        (work / "a.zone").write_text(text)
        (work / "b.zone").write_text(text)
        (work / "notes.txt").write_text("not a zone\n")
        r = run(["."], work)
        expect(r.returncode == 1, f"duplicate origin: exit {r.returncode}")
        expect("./b.zone:1:1: error: zone example.com. is already loaded from ./a.zone" in r.stderr,
               f"duplicate origin: stderr {r.stderr!r}")
        # A good and a bad directory together: the run fails, the good zone is still summarised.
        good = work / "good"
        shutil.copytree(src / "zones", good)
        r = run(["good", str(src / "tests/data/zones/bad/two-soa.zone")], work)
        expect(r.returncode == 1, f"good+bad: exit {r.returncode}")
        expect("example.com.: serial 2026112301, 21 records, ok" in r.stdout, f"good+bad: stdout {r.stdout!r}")

    # Usage errors exit 2; a path that does not exist is invalid input (1).
    r = run([], src)
    expect(r.returncode == 2, f"no PATH: exit {r.returncode}")
    r = run(["--frobnicate", "zones"], src)
    expect(r.returncode == 2 and "unknown option" in r.stderr, f"unknown option: exit {r.returncode} {r.stderr!r}")
    r = run(["--help"], src)
    expect(r.returncode == 0 and "usage: gslb check" in r.stdout, f"--help: exit {r.returncode}")
    r = run(["no/such/dir"], src)
    expect(r.returncode == 1 and "no/such/dir: error: no such file or directory" in r.stderr,
           f"missing path: exit {r.returncode} {r.stderr!r}")

    return expect.report(f"{len(bad) + len(warn)} zone files checked", "demo zones ok, usage ok")


if __name__ == "__main__":
    sys.exit(main())
