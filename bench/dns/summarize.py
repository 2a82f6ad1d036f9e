#!/usr/bin/env python3
"""Turn a run.sh output directory into a markdown summary (printed on stdout).

usage: summarize.py DIR            throughput run: SERVER.rN.txt files (dnsperf
                                   output + one "BENCH ..." line from run.sh)
       summarize.py --bigzone DIR  big-zone load test: memory.txt, bigzone.txt

Per run: queries/s and "Queries completed" from dnsperf; the server's CPU time
(ticks / CLK_TCK) from the BENCH line. CPU time per answered query = CPU time /
completed queries; server CPU utilisation = CPU time / wall time of the run.
Per server the medians over rounds are reported. gslb is compared with the best
reference for queries/s and with the cheapest reference for CPU per query.
"""
import glob
import os
import re
import statistics
import sys

MEMORY_HEADER = ("| server | start → first SOA answer s | CPU time until then s | VmRSS MiB (largest process) | VmHWM MiB (largest process) "
                 "| RSS sum of process tree MiB | PSS of process tree MiB |")
MEMORY_NOTE = ("Start time: from launching the server to its first NOERROR answer to a SOA query (polled every "
               "10 ms); CPU time until then = utime+stime of the process tree at that moment (robust to other load). "
               "NSD runs a main process, xfrd and a forked server that share pages, so its RSS sum counts "
               "them more than once; PSS counts each page once.")
REFERENCE_NAMES = {"nsd": "NSD", "knot": "Knot DNS", "gdnsd": "gdnsd", "gslb": "gslb"}


def grab(text, pattern, cast=float):
    m = re.search(pattern, text, re.M)
    return cast(m.group(1)) if m else None


def parse_run(path):
    text = open(path, errors="replace").read()
    run = {
        "sent": grab(text, r"Queries sent:\s+(\d+)", int),
        "done": grab(text, r"Queries completed:\s+(\d+)", int),
        "lost": grab(text, r"Queries lost:\s+(\d+)", int),
        "qps": grab(text, r"Queries per second:\s+([\d.]+)"),
        "lat": grab(text, r"Average Latency \(s\):\s+([\d.]+)"),
        "sd": grab(text, r"Latency StdDev \(s\):\s+([\d.]+)"),
        "resp": grab(text, r"Average packet size:.*response\s+(\d+)", int),
        "rcodes": grab(text, r"Response codes:\s+(.*)$", str) or "",
    }
    bench = dict(kv.split("=", 1) for kv in (grab(text, r"^BENCH (.*)$", str) or "").split() if "=" in kv)
    run_time = grab(text, r"Run time \(s\):\s+([\d.]+)")
    if run["done"] and run_time and "ticks" in bench:
        tck = int(bench["clk_tck"])
        cpu_s = int(bench["ticks"]) / tck
        run["cpu_us"] = cpu_s / run["done"] * 1e6
        # dnsperf's sending time, not the wall time of run.sh's step, which adds
        # dnsperf's start-up and its wait for the last answers (server idle)
        run["util"] = 100 * cpu_s / run_time
        if "user_ticks" in bench and int(bench["ticks"]) > 0:
            run["user_pct"] = 100 * int(bench["user_ticks"]) / int(bench["ticks"])
        for cpu in ("server_cpu", "client_cpu"):
            if cpu + "_ticks" in bench:
                # per-CPU ticks accrue over the whole step, so divide by its wall time
                run[cpu] = round(100 * int(bench[cpu + "_ticks"]) / tck / float(bench["wall_s"]))
        if "server_cpu_ticks" in bench:
            # the whole server CPU: the server, the softirq work charged there, and
            # anything else that ran on it (other load on the machine)
            run["core_us"] = int(bench["server_cpu_ticks"]) / tck / run["done"] * 1e6
    run["load"] = bench.get("loadavg_before", "").split(",")[0]
    return run


def median(runs, key):
    values = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(values) if values else None


def fmt(value, spec):
    return "n/a" if value is None else format(value, spec)


def header(d):
    lines = []
    for name in ("versions.txt", "commands.txt"):
        path = os.path.join(d, name)
        if os.path.exists(path):
            lines += ["    " + line.rstrip() for line in open(path)]
    return lines


def memory_rows(d):
    rows = []
    path = os.path.join(d, "memory.txt")
    if os.path.exists(path):
        for line in open(path):
            p = line.split()
            if len(p) == 7:
                rows.append((p[0], float(p[1]), float(p[2])) + tuple(int(x) / 1024 for x in p[3:]))
    return rows


def throughput(d):
    servers = {}
    for path in sorted(glob.glob(os.path.join(d, "*.r*.txt"))):
        m = re.match(r"(.+)\.r(\d+)\.txt$", os.path.basename(path))
        if m:
            servers.setdefault(m.group(1), []).append((int(m.group(2)), parse_run(path)))
    out = ["# DNS benchmark: gslb beside NSD, Knot DNS and gdnsd", ""]
    out += header(d) + [""]
    out += [
        "| server | rounds | q/s median | q/s per round | CPU µs/query (process) median | per round | "
        "server CPU % | user-space share of it % | server-core µs/query | server core / dnsperf core busy % per round | avg latency µs | "
        "response bytes | lost / sent | load avg before | rcodes (round 1) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    summary = {}
    by_round = {name: dict(pairs) for name, pairs in servers.items()}
    for name, pairs in servers.items():
        pairs.sort()
        runs = [r for _, r in pairs]
        summary[name] = {k: median(runs, k) for k in ("qps", "cpu_us", "util", "user_pct", "core_us", "lat", "resp")}
        per_qps = " / ".join(fmt(r["qps"], ".0f") for r in runs)
        per_cpu = " / ".join(fmt(r.get("cpu_us"), ".2f") for r in runs)
        busy = " ; ".join(f"{r.get('server_cpu')}/{r.get('client_cpu')}" for r in runs)
        loads = " / ".join(r["load"] for r in runs)
        lost = sum(r["lost"] or 0 for r in runs)
        sent = sum(r["sent"] or 0 for r in runs)
        s = summary[name]
        out.append(
            f"| {REFERENCE_NAMES.get(name, name)} | {len(runs)} | {fmt(s['qps'], '.0f')} | {per_qps} | "
            f"{fmt(s['cpu_us'], '.2f')} | {per_cpu} | {fmt(s['util'], '.0f')} | {fmt(s['user_pct'], '.0f')} | "
            f"{fmt(s['core_us'], '.2f')} | "
            f"{busy} | {fmt(s['lat'] and s['lat'] * 1e6, '.0f')} | {fmt(s['resp'], '.0f')} | {lost} / {sent} | "
            f"{loads} | {runs[0]['rcodes']} |"
        )
    out += [
        "",
        "CPU µs/query (process) = the server's utime+stime over the run (/proc/PID/stat, whole process tree) ÷ "
        "dnsperf's completed queries. Server-core µs/query = all busy time of the server's CPU over the run "
        "(/proc/stat; includes softirq work charged there and any other load) ÷ completed queries — the way "
        "the reference figures (gdnsd ≈ 3.5, Knot ≈ 4.2, NSD ≈ 5.9 µs) were derived. Server CPU % = process "
        "CPU time ÷ dnsperf run time; user-space share = utime ÷ (utime+stime), the rest is kernel time "
        "(socket receive/send).",
    ]
    refs = {k: v for k, v in summary.items() if k != "gslb"}
    if "gslb" in summary and refs:
        g = summary["gslb"]
        best = max(refs, key=lambda k: refs[k]["qps"] or 0)
        cheap = min(refs, key=lambda k: refs[k]["cpu_us"] or float("inf"))
        out += ["", "| ratio | value | compared with |", "|---|---|---|"]
        if g["qps"] and refs[best]["qps"]:
            out.append(
                f"| q/s: gslb / best reference (target ≥ 1.0) | {g['qps'] / refs[best]['qps']:.2f} | "
                f"{REFERENCE_NAMES[best]} {refs[best]['qps']:.0f} q/s |"
            )
        if g["cpu_us"] and refs[cheap]["cpu_us"]:
            out.append(
                f"| CPU per query: gslb / cheapest reference (target ≤ 1.0) | "
                f"{g['cpu_us'] / refs[cheap]['cpu_us']:.2f} | {REFERENCE_NAMES[cheap]} "
                f"{refs[cheap]['cpu_us']:.2f} µs |"
            )
        out += paired_ratios(by_round)
    mem = memory_rows(d)
    if mem:
        out += ["", "Start-up on the benchmark zone:", "",
                MEMORY_HEADER, "|---|---|---|---|---|---|---|"]
        out += [f"| {REFERENCE_NAMES.get(n, n)} | {t:.2f} | {c:.2f} | {r:.1f} | {h:.1f} | {tr:.1f} | {ps:.1f} |"
                for n, t, c, r, h, tr, ps in mem]
    sanity = os.path.join(d, "sanity.txt")
    if os.path.exists(sanity):
        out += ["", "Answers to sample queries (kdig; section counts):", ""]
        out += ["    " + line.rstrip() for line in open(sanity)]
    return "\n".join(out)


def paired_ratios(by_round):
    """Per round, gslb against the best reference of that same round: the
    servers ran back to back, so slow drift of the shared machine cancels out
    better than in a ratio of medians."""
    rounds = sorted(by_round.get("gslb", {}))
    qps, cpu = [], []
    for r in rounds:
        g = by_round["gslb"][r]
        refs = [runs[r] for name, runs in by_round.items() if name != "gslb" and r in runs]
        best_qps = max((x["qps"] for x in refs if x["qps"]), default=None)
        cheapest = min((x["cpu_us"] for x in refs if x.get("cpu_us")), default=None)
        if g["qps"] and best_qps:
            qps.append(g["qps"] / best_qps)
        if g.get("cpu_us") and cheapest:
            cpu.append(g["cpu_us"] / cheapest)
    if not qps and not cpu:
        return []
    out = ["", "Paired per round (gslb ÷ the best reference of the same round):", "",
           "| ratio | median | per round | rounds meeting the target |", "|---|---|---|---|"]
    for label, values, meets in (("q/s (target ≥ 1.0)", qps, lambda v: v >= 1.0),
                                 ("CPU per query (target ≤ 1.0)", cpu, lambda v: v <= 1.0)):
        if values:
            out.append(f"| {label} | {statistics.median(values):.2f} | "
                       f"{' / '.join(f'{v:.2f}' for v in values)} | {sum(map(meets, values))} of {len(values)} |")
    return out


def bigzone(d):
    out = ["# Big-zone load test: gslb beside Knot DNS and NSD", ""]
    out += header(d) + [""]
    path = os.path.join(d, "bigzone.txt")
    if os.path.exists(path):
        out += ["    " + line.rstrip() for line in open(path)] + [""]
    out += [MEMORY_HEADER, "|---|---|---|---|---|---|---|"]
    out += [f"| {REFERENCE_NAMES.get(n, n)} | {t:.2f} | {c:.2f} | {r:.0f} | {h:.0f} | {tr:.0f} | {ps:.0f} |"
            for n, t, c, r, h, tr, ps in memory_rows(d)]
    out += ["", MEMORY_NOTE]
    return "\n".join(out)


def main():
    args = sys.argv[1:]
    if len(args) == 2 and args[0] == "--bigzone":
        print(bigzone(args[1]))
    elif len(args) == 1:
        print(throughput(args[0]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
