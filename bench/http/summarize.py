#!/usr/bin/env python3
"""Markdown summary of a bench/http/run.sh output directory (see bench/http/README.md).

usage: summarize.py DIR
Reads DIR/<row>.r<N>.txt (wrk --latency output plus run.sh's BENCH line),
DIR/rolling-<proxy>.txt and DIR/abrupt-<proxy>.txt (wrk with status.lua) and
their .events timelines, DIR/versions.txt and DIR/commands.txt.
"""
import glob
import os
import re
import statistics
import sys

NAMES = {"direct": "direct to one backend (ceiling)", "gslb": "gslb lb", "haproxy": "HAProxy", "nginx": "nginx"}
ORDER = ["direct", "gslb", "haproxy", "nginx"]
UNIT_MS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}


def ms(value, unit):
    return float(value) * UNIT_MS[unit]


def parse(text):
    r = {}
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    r["rps"] = float(m.group(1)) if m else None
    m = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", text)
    r["requests"] = int(m.group(1)) if m else None
    for p in ("50", "99"):
        m = re.search(rf"^\s+{p}(?:\.000)?%\s+([\d.]+)(us|ms|s|m)\b", text, re.M)
        r["p" + p] = ms(*m.groups()) if m else None
    m = re.search(r"Latency\s+[\d.]+\w+\s+[\d.]+\w+\s+([\d.]+)(us|ms|s|m)\b", text)
    r["max"] = ms(*m.groups()) if m else None
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    r["non2xx3xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    r["sockerr"] = tuple(map(int, m.groups())) if m else (0, 0, 0, 0)
    m = re.search(r"^BENCH (.*)$", text, re.M)
    r["bench"] = dict(kv.split("=", 1) for kv in m.group(1).split()) if m else {}
    r["status"] = [(int(a), int(b)) for a, b in re.findall(r"^STATUS (\d+) (\d+)$", text, re.M)]
    m = re.search(r"^SUMMARY .*non2xx=(\d+)", text, re.M)
    r["non2xx"] = int(m.group(1)) if m else None
    return r


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(v, digits=0):
    return "–" if v is None else f"{v:,.{digits}f}".replace(",", " ")


def bench_table(d):
    runs = {}
    for f in glob.glob(os.path.join(d, "*.r*.txt")):
        m = re.match(r"(.+)\.r(\d+)\.txt$", os.path.basename(f))
        if m:
            runs.setdefault(m.group(1), []).append((int(m.group(2)), parse(open(f).read())))
    if not runs:
        return {}
    print("| row | rounds | req/s median | req/s per round | p50 ms | p99 ms | max ms | process CPU % | "
          "CPU µs/request | CPU µs/request per round | proxy core / client core busy % per round | "
          "non-2xx/3xx | socket errors c/r/w/t | load avg before |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    medians = {}
    for row in [k for k in ORDER if k in runs] + sorted(k for k in runs if k not in ORDER):
        rs = [r for _, r in sorted(runs[row])]
        cpu_pct, cpu_us, busy = [], [], []
        for r in rs:
            b = r["bench"]
            if not b or not r["requests"]:
                continue
            tck, wall = int(b["clk_tck"]), float(b["wall_s"])
            secs = int(b["ticks"]) / tck
            cpu_pct.append(100 * secs / wall)
            cpu_us.append(1e6 * secs / r["requests"])
            busy.append(f"{100 * int(b['proxy_core_ticks']) / tck / wall:.0f}/"
                        f"{100 * int(b['client_core_ticks']) / tck / wall:.0f}")
        med = {k: median([r[k] for r in rs]) for k in ("rps", "p50", "p99", "max")}
        med["cpu_us"] = median(cpu_us)
        medians[row] = med
        socket_errors = "/".join(str(sum(r["sockerr"][i] for r in rs)) for i in range(4))
        loads = " ; ".join(r["bench"].get("loadavg_before", "?").split(",")[0] for r in rs)
        cpu_col = "–" if row == "direct" else fmt(median(cpu_pct))
        print(f"| {NAMES.get(row, row)} | {len(rs)} | {fmt(med['rps'])} | {' / '.join(fmt(r['rps']) for r in rs)} | "
              f"{fmt(med['p50'], 3)} | {fmt(med['p99'], 3)} | {fmt(med['max'], 2)} | {cpu_col} | "
              f"{fmt(med['cpu_us'], 2) if row != 'direct' else '–'} | "
              f"{' / '.join(fmt(v, 2) for v in cpu_us) if row != 'direct' else '–'} | {' ; '.join(busy)} | "
              f"{sum(r['non2xx3xx'] for r in rs)} | {socket_errors} | {loads} |")
    print()
    print("Process CPU % and CPU µs/request: the proxy's utime+stime over the wrk run (/proc/PID/stat, "
          "whole process tree) ÷ wall time, and ÷ the requests wrk completed; for the direct row it is the "
          "backend's. Core busy: /proc/stat busy ticks of the proxy's and the client's CPU over the run (anything "
          "else running on the machine shows there). On two cores wrk and the backends share one core, so "
          "req/s is bounded by that core as much as by the proxy; CPU µs/request is the proxy's own cost.")
    print()
    return medians


def ratios(medians):
    ref = medians.get("haproxy")
    if not ref:
        return
    print("| ratio vs HAProxy (same run, medians) | req/s (target ≥ 1.0) | p99 (target ≤ 1.2) | CPU µs/request "
          "(lower is cheaper) |")
    print("|---|---|---|---|")
    for row in ("gslb", "nginx"):
        m = medians.get(row)
        if not m:
            continue

        def ratio(k):
            return f"{m[k] / ref[k]:.2f}" if m.get(k) and ref.get(k) else "–"

        print(f"| {NAMES[row]} / HAProxy | {ratio('rps')} | {ratio('p99')} | {ratio('cpu_us')} |")
    print()


def resilience(d):
    files = sorted(glob.glob(os.path.join(d, "rolling-*.txt")) + glob.glob(os.path.join(d, "abrupt-*.txt")))
    if not files:
        return
    print("| scenario | proxy | requests | req/s | responses by status | errors (non-2xx + socket) | "
          "socket errors c/r/w/t | p99 ms | max ms |")
    print("|---|---|---|---|---|---|---|---|---|")
    for f in files:
        scenario, proxy = os.path.basename(f)[:-4].split("-", 1)
        r = parse(open(f).read())
        non2xx = r["non2xx"] if r["non2xx"] is not None else r["non2xx3xx"]
        errors = non2xx + sum(r["sockerr"])
        statuses = ", ".join(f"{code}: {n}" for code, n in r["status"]) or "–"
        print(f"| {scenario} | {NAMES.get(proxy, proxy)} | {fmt(r['requests'])} | {fmt(r['rps'])} | {statuses} | "
              f"**{errors}** | {'/'.join(map(str, r['sockerr']))} | {fmt(r['p99'], 2)} | {fmt(r['max'], 1)} |")
    print()
    print("Timelines (seconds since the load started):")
    print()
    for f in sorted(glob.glob(os.path.join(d, "*.events"))):
        print(f"    == {os.path.basename(f)[:-7]}")
        for line in open(f):
            print("    " + line.rstrip())
    print()


def main():
    d = sys.argv[1]
    print("# HTTP proxy benchmark: gslb lb beside HAProxy and nginx")
    print()
    for name in ("versions.txt", "commands.txt"):
        p = os.path.join(d, name)
        if os.path.exists(p):
            for line in open(p):
                print("    " + line.rstrip())
    print()
    medians = bench_table(d)
    ratios(medians)
    resilience(d)
    p = os.path.join(d, "sanity.txt")
    if os.path.exists(p):
        print("Bodies of six requests through each row (round robin over the three backends):")
        print()
        for line in open(p):
            print("    " + line.rstrip())


if __name__ == "__main__":
    main()
