#!/usr/bin/env python3
"""Markdown summary of a bench/gslb/run.sh output directory (printed on stdout).

usage: summarize.py DIR

Reads ROW.rN.txt (one ecsperf result line + one BENCH line from run.sh) and
sanity.md, versions.txt, commands.txt. Per row, medians over rounds:
  queries/s            ecsperf's answers / seconds
  CPU µs per answer    server utime+stime (process tree) / answers
  user µs per answer   utime only
  server CPU %         server CPU time / run time
  core busy µs/answer  busy ticks of the whole server core / answers (includes
                       softirq work the kernel did not charge to the server)
Targets of the GSLB path (issue 3): CPU per GSLB answer <= 1.0x gdnsd's GSLB
answers and <= 1.2x gslb's own static answers, queries/s >= gdnsd's.
"""
import glob
import os
import re
import statistics
import sys

ROW_TEXT = {
    "gslb-static": "gslb, static names",
    "gslb-gslb": "gslb, GSLB names (geo/weighted/failover policy)",
    "gdnsd-static": "gdnsd, static names",
    "gdnsd-gslb": "gdnsd, GSLB names (geoip auto_dc_coords / weighted / simplefo)",
    "pdns-static": "PowerDNS, static names",
    "pdns-gslb": "PowerDNS, GSLB names (LUA pickclosest / pickwrandom / ifurlup)",
}
ORDER = list(ROW_TEXT)


def parse(path):
    text = open(path, errors="replace").read()
    values = {}
    for line in text.splitlines():
        if line.startswith("sent=") or line.startswith("BENCH "):
            for k, v in re.findall(r"(\w+)=(\S+)", line):
                values[k] = v
    if "completed" not in values or "ticks" not in values:
        return None
    done = int(values["completed"])
    clk = int(values["clk_tck"])
    seconds = float(values["seconds"])
    cpu = int(values["ticks"]) / clk
    return {
        "qps": float(values["qps"]),
        "done": done,
        "lost": int(values["lost"]),
        "sent": int(values["sent"]),
        "noerror": int(values["noerror"]),
        "with_answer": int(values["with_answer"]),
        "latency": float(values["avg_latency_us"]),
        "cpu_us": cpu / done * 1e6 if done else float("nan"),
        "user_us": int(values["user_ticks"]) / clk / done * 1e6 if done else float("nan"),
        "util": cpu / seconds * 100,
        "core_us": int(values["server_cpu_ticks"]) / clk / done * 1e6 if done else float("nan"),
        "client_util": int(values["client_cpu_ticks"]) / clk / seconds * 100,
        "load": values.get("loadavg_before", "?"),
    }


def fmt(x, digits=0):
    if x != x:
        return "–"
    if digits == 0:
        return f"{x:,.0f}".replace(",", " ")
    return f"{x:.{digits}f}"


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    runs = {}
    for path in sorted(glob.glob(os.path.join(out, "*.r*.txt"))):
        m = re.match(r"(.+)\.r(\d+)\.txt$", os.path.basename(path))
        if not m:
            continue
        run = parse(path)
        if run:
            runs.setdefault(m.group(1), []).append(run)
    rows = [r for r in ORDER if r in runs] + sorted(r for r in runs if r not in ORDER)
    med = {r: {k: statistics.median(x[k] for x in runs[r]) for k in ("qps", "cpu_us", "user_us", "util", "core_us",
                                                                      "latency", "client_util")} for r in rows}

    print("# GSLB benchmark: gslb vs gdnsd geoip vs PowerDNS LUA, ECS from many subnets\n")
    for name in ("versions.txt", "commands.txt"):
        p = os.path.join(out, name)
        if os.path.exists(p):
            print("```")
            print(open(p).read().rstrip())
            print("```\n")
    print("## Results (medians over rounds)\n")
    print("| row | queries/s | per round | CPU µs per answer | per round | user µs | server CPU % | "
          "core busy µs/answer | client CPU % | avg latency µs | answered / lost | NOERROR with answer |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        rs = runs[r]
        m = med[r]
        done = sum(x["done"] for x in rs)
        print(f"| {ROW_TEXT.get(r, r)} | {fmt(m['qps'])} | {' / '.join(fmt(x['qps']) for x in rs)} | "
              f"{fmt(m['cpu_us'], 2)} | {' / '.join(fmt(x['cpu_us'], 2) for x in rs)} | {fmt(m['user_us'], 2)} | "
              f"{fmt(m['util'])} | {fmt(m['core_us'], 2)} | {fmt(m['client_util'])} | {fmt(m['latency'])} | "
              f"{fmt(done)} / {fmt(sum(x['lost'] for x in rs))} | "
              f"{100 * sum(x['with_answer'] for x in rs) / max(done, 1):.1f} % |")
    print()

    def ratio(a, b, key):
        if a in med and b in med and med[b][key] > 0:
            return med[a][key] / med[b][key]
        return None

    lines = []
    for a, b, key, what, target in (
        ("gslb-gslb", "gdnsd-gslb", "cpu_us", "CPU per GSLB answer, gslb / gdnsd", "≤ 1.0"),
        ("gslb-gslb", "gslb-static", "cpu_us", "CPU per answer, gslb GSLB / gslb static", "≤ 1.2"),
        ("gslb-gslb", "gdnsd-gslb", "qps", "queries/s on GSLB names, gslb / gdnsd", "≥ 1.0"),
        ("gslb-static", "gdnsd-static", "cpu_us", "CPU per static answer, gslb / gdnsd", ""),
        ("gdnsd-gslb", "gdnsd-static", "cpu_us", "CPU per answer, gdnsd GSLB / gdnsd static", ""),
        ("pdns-gslb", "gslb-gslb", "cpu_us", "CPU per GSLB answer, PowerDNS LUA / gslb", ""),
        ("gslb-gslb", "pdns-gslb", "qps", "queries/s on GSLB names, gslb / PowerDNS LUA", ""),
    ):
        x = ratio(a, b, key)
        if x is not None:
            lines.append(f"| {what} | {x:.2f} | {target} |")
    if lines:
        print("## Ratios (of the medians)\n")
        print("| ratio | value | target |")
        print("|---|---|---|")
        print("\n".join(lines))
        print()
    print("Load average before each run: " + "; ".join(
        f"{r}: {', '.join(x['load'] for x in runs[r])}" for r in rows) + "\n")
    p = os.path.join(out, "sanity.md")
    if os.path.exists(p):
        print("## Same answers? (kdig +subnet against every server)\n")
        print(open(p).read().rstrip())
        print()
    print("CPU per answer = the server's utime+stime over the run ÷ answers received; it measures the server "
          "even when the client's core is the bottleneck (queries/s then measures the client). "
          "Differences under about 10 % between runs on a shared machine are noise.")


if __name__ == "__main__":
    main()
