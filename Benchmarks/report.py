#!/usr/bin/env python3
"""Writes BENCHMARKS.md from the results of Benchmarks/run.sh (every figure a ratio against its
baseline from the same run; absolute numbers only as context)."""

import argparse
import datetime
import os
import re
import statistics
import subprocess

UNITS = {"ns": 1.0, "μs": 1e3, "us": 1e3, "ms": 1e6, "s": 1e9}
SCALES = {"K": 1e3, "M": 1e6, "G": 1e9}


def parse_ordo(path):
    """{benchmark name: {metric: {percentile: value}}} from `--format markdown` output."""
    results = {}
    current = None
    header = []
    if not os.path.exists(path):
        return results
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("### "):
            current = line[4:].strip()
            results[current] = {}
        elif line.startswith("| Metric"):
            header = [c.strip() for c in line.strip("|").split("|")]
        elif current and line.startswith("| ") and not line.startswith("|:"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            metric = cells[0]
            factor = 1.0
            kind = None
            if metric.startswith("Time (wall clock)"):
                kind = "wall_ns"
                unit = re.search(r"\((ns|μs|us|ms|s)\)", metric)
                factor = UNITS[unit.group(1)] if unit else 1.0
            elif metric.startswith("Malloc (total)"):
                kind = "mallocs"
            elif metric.startswith("Instructions"):
                kind = "instructions"
            if kind is None:
                continue
            scale = re.search(r"\((K|M|G)\)", metric)
            if scale:
                factor *= SCALES[scale.group(1)]
            values = {}
            for name, cell in zip(header[1:], cells[1:]):
                try:
                    values[name] = float(cell.replace(",", "")) * (factor if name != "Samples" else 1)
                except ValueError:
                    pass
            results[current][kind] = values
    return results


def parse_tsv(path, columns):
    if not os.path.exists(path):
        return []
    rows = []
    for line in open(path, encoding="utf-8"):
        parts = line.rstrip("\n").split("\t")
        if len(parts) >= len(columns):
            rows.append(dict(zip(columns, parts)))
    return rows


def machine():
    model = "unknown"
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    nproc = os.cpu_count()
    try:
        load = open("/proc/loadavg", encoding="utf-8").read().split()[:3]
    except OSError:
        load = ["?"] * 3
    try:
        swift = subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout.splitlines()
        swift = next((line for line in swift if "Swift version" in line), "?").strip()
    except OSError:
        swift = "?"
    return model, nproc, load, swift


def fmt(value, digits=0):
    if value is None:
        return "—"
    if digits == 0:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def ratio(a, b):
    if a is None or b in (None, 0):
        return None
    return a / b


def fmt_ratio(value):
    return "—" if value is None else f"{value:.2f}×"


ENGINE_CASES = [
    "not CORS", "actual allowed", "actual refused", "preflight allowed", "preflight refused: origin",
    "preflight refused: method", "preflight refused: header", "1 exact origin", "1,000 exact origins",
    "10,000 exact origins", "1 wildcard pattern", "1,000 wildcard patterns", "regex origin", "ACRH 1,024 commas",
    "ACRH 64 KiB of names",
]
MIDDLEWARE_CASES = [
    "not CORS", "actual allowed", "actual refused", "preflight allowed", "preflight refused: origin",
    "preflight refused: method", "preflight refused: header", "ACRH 1,024 commas", "ACRH 64 KiB of names",
]
REFUSED_OR_NOT_CORS = [
    "not CORS", "actual refused", "preflight refused: origin", "preflight refused: method",
    "preflight refused: header", "ACRH 1,024 commas", "ACRH 64 KiB of names",
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--results", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--command", required=True)
    args = parser.parse_args()

    ordo = parse_ordo(os.path.join(args.results, "ordo.md"))
    grind = parse_tsv(os.path.join(args.results, "callgrind.tsv"), ["mode", "index", "name", "ir"])
    wrk = parse_tsv(os.path.join(args.results, "wrk.tsv"), ["framework", "middleware", "round", "rps", "acao", "cpu"])
    instructions = {(row["mode"], row["name"]): int(row["ir"]) for row in grind}

    def wall(name, percentile="p50"):
        return ordo.get(name, {}).get("wall_ns", {}).get(percentile)

    def mallocs(name, percentile="p50"):
        return ordo.get(name, {}).get("mallocs", {}).get(percentile)

    model, nproc, load, swift = machine()
    out = []
    add = out.append
    add("# Benchmarks")
    add("")
    add("Generated by `Benchmarks/run.sh` (the nested package `Benchmarks/`, which users and CI never build). ")
    add("Every figure is a ratio against its baseline from the same run; absolute numbers are context only.")
    add("")
    add(f"- Command: `{args.command}`")
    add(f"- Machine: {nproc} cores, {model}; load average at the end of the run {' '.join(load)} "
        "(a shared machine: wall times are noisy, instruction counts are not)")
    add(f"- Toolchain: {swift}; release builds")
    add(f"- Date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}")
    add("- Engine wall time, mallocs: ordo-one/benchmark (p50 of up to 1,000 samples, each the mean of 1,000 "
        "operations); instructions: `valgrind --tool=callgrind` over 20,000 operations minus a run of 0 "
        "(`Benchmarks/callgrind.sh`, exact and repeatable); whole server: wrk on loopback, median of the runs.")
    add("")

    # Targets
    add("## Targets")
    add("")
    add("| Target | Measured | Met |")
    add("|:--|:--|:--|")

    def verdict(ok):
        return "—" if ok is None else ("yes" if ok else "**no**")

    actual = wall("decide: actual allowed")
    add(f"| Engine: allowed actual request ≤ 100 ns | {fmt(actual, 1)} ns p50 "
        f"({fmt(instructions.get(('decide', 'actual allowed')))} instructions) | "
        f"{verdict(None if actual is None else actual <= 100)} |")
    preflight = wall("decide: preflight allowed")
    add(f"| Engine: allowed preflight ≤ 300 ns | {fmt(preflight, 1)} ns p50 "
        f"({fmt(instructions.get(('decide', 'preflight allowed')))} instructions) | "
        f"{verdict(None if preflight is None else preflight <= 300)} |")
    worst = [mallocs(f"decide: {name}", "p100") for name in REFUSED_OR_NOT_CORS]
    known = [value for value in worst if value is not None]
    add(f"| Engine: refused and non-CORS requests allocate nothing | at most {fmt(max(known) if known else None)} "
        f"mallocs per operation over {len(known)} cases (p100) | {verdict(None if not known else max(known) == 0)} |")
    for many, one, label in [
        ("10,000 exact origins", "1 exact origin", "10,000 exact origins within 10% of 1"),
        ("1,000 wildcard patterns", "1 wildcard pattern", "1,000 patterns within 10% of 1"),
    ]:
        r_ir = ratio(instructions.get(("decide", many)), instructions.get(("decide", one)))
        r_wall = ratio(wall(f"decide: {many}"), wall(f"decide: {one}"))
        add(f"| Engine: {label} | {fmt_ratio(r_ir)} in instructions, {fmt_ratio(r_wall)} in wall time | "
            f"{verdict(None if r_ir is None else r_ir <= 1.10)} |")
    hostile = wall("decide: ACRH 64 KiB of names")
    add(f"| Engine: 64 KiB ACRH refused in < 10 µs | {fmt(hostile, 1)} ns p50 "
        f"({fmt(instructions.get(('decide', 'ACRH 64 KiB of names')))} instructions) | "
        f"{verdict(None if hostile is None else hostile < 10_000)} |")

    medians = {}
    for row in wrk:
        try:
            medians.setdefault((row["framework"], row["middleware"]), []).append(float(row["rps"]))
        except ValueError:
            pass
    medians = {key: statistics.median(values) for key, values in medians.items()}
    cpu = {}
    for row in wrk:
        try:
            cpu.setdefault((row["framework"], row["middleware"]), []).append(float(row.get("cpu") or "x"))
        except ValueError:
            pass
    cpu = {key: statistics.median(values) for key, values in cpu.items()}
    # Verdicts in CPU per request (the baseline's over ours: ≥ 1 means ours costs no more), req/s beside.
    for framework, title in [("hummingbird", "Hummingbird"), ("vapor", "Vapor")]:
        ours = cpu.get((framework, "ours"))
        none_over_ours = ratio(cpu.get((framework, "none")), ours)
        builtin_over_ours = ratio(cpu.get((framework, "builtin")), ours)
        rps_none = ratio(medians.get((framework, "ours")), medians.get((framework, "none")))
        rps_builtin = ratio(medians.get((framework, "ours")), medians.get((framework, "builtin")))
        add(f"| {title} server: CPU per request within 2% of no middleware | none/ours = "
            f"{fmt_ratio(none_over_ours)} in CPU per request (ours/none = {fmt_ratio(rps_none)} req/s) | "
            f"{verdict(None if none_over_ours is None else none_over_ours >= 0.98)} |")
        add(f"| {title} server: CPU per request at most the built-in's | built-in/ours = "
            f"{fmt_ratio(builtin_over_ours)} in CPU per request (ours/built-in = {fmt_ratio(rps_builtin)} req/s) | "
            f"{verdict(None if builtin_over_ours is None else builtin_over_ours >= 1.0)} |")
    add("")
    add("Wall-time verdicts hold for this run on this machine; the instruction counts decide between runs.")
    add("")

    # Engine
    add("## Engine")
    add("")
    add("`CORSPolicy.evaluate(method:path:headerFields:)` on a realistic browser request (9–11 fields). "
        "*decide* is the decision alone; *decide+apply* adds the response fields as a middleware does "
        "(`apply(to:)` on a handler's 2-field response, or `immediateResponseFields` for a preflight). "
        "Ratios are against *not CORS* (the cheapest call) from the same run.")
    add("")
    add("| Operation | decide: instructions | ÷ not CORS | decide: wall p50 | mallocs | decide+apply: instructions | "
        "decide+apply: wall p50 | mallocs |")
    add("|:--|--:|--:|--:|--:|--:|--:|--:|")
    base_ir = instructions.get(("decide", "not CORS"))
    for name in ENGINE_CASES:
        ir = instructions.get(("decide", name))
        apply_ir = instructions.get(("apply", name))
        has_apply = f"decide+apply: {name}" in ordo
        add(f"| {name} | {fmt(ir)} | {fmt_ratio(ratio(ir, base_ir))} | {fmt(wall('decide: ' + name), 1)} ns | "
            f"{fmt(mallocs('decide: ' + name))} | {fmt(apply_ir)} | "
            f"{fmt(wall('decide+apply: ' + name), 1) + ' ns' if has_apply else '—'} | "
            f"{fmt(mallocs('decide+apply: ' + name)) if has_apply else '—'} |")
    add("")

    # Middleware
    for framework, title in [("hummingbird", "Hummingbird"), ("vapor", "Vapor")]:
        if not any(name.startswith(f"{framework} ") for name in ordo):
            continue
        add(f"## Middleware: {title}")
        add("")
        builtin = "Hummingbird's `CORSMiddleware`" if framework == "hummingbird" else "Vapor's `CORSMiddleware`"
        add(f"Each row calls the middleware directly with a trivial next handler (`none` calls the handler "
            f"alone). Ours against {builtin}, configured as close to the same policy as it can express. "
            "The built-in refuses nothing: on refused rows it answers as if allowed, so there it does less work "
            "than a correct answer needs.")
        add("")
        add("| Request | ours/built-in (wall) | ours/none (wall) | ours p50 | built-in p50 | none p50 | "
            "mallocs ours / built-in / none |")
        add("|:--|--:|--:|--:|--:|--:|:--|")
        for name in MIDDLEWARE_CASES:
            ours = wall(f"{framework} ours: {name}")
            built = wall(f"{framework} built-in: {name}")
            none = wall(f"{framework} none: {name}")
            add(f"| {name} | {fmt_ratio(ratio(ours, built))} | {fmt_ratio(ratio(ours, none))} | {fmt(ours, 0)} ns | "
                f"{fmt(built, 0)} ns | {fmt(none, 0)} ns | {fmt(mallocs(f'{framework} ours: {name}'))} / "
                f"{fmt(mallocs(f'{framework} built-in: {name}'))} / {fmt(mallocs(f'{framework} none: {name}'))} |")
        add("")

    # Whole server
    if wrk:
        add("## Whole server (wrk)")
        add("")
        add("`cors-bench-server --framework F --middleware M --port N` (one handler, `GET /` → `ok`), loaded by "
            "`wrk -t1 -c16 -s Benchmarks/wrk/origin.lua` (every request carries `Origin: http://localhost:3000`, "
            "which the policy allows) on 127.0.0.1; configurations interleaved round by round; wrk and the server "
            "share the 2 cores.")
        add("")
        add("CPU per request is the server process's user + system time (every thread, `/proc/PID/stat`) over "
            "the requests wrk completed, median of the runs; the ratios put the baseline over ours (≥ 1.00: ours "
            "costs no more). req/s is context.")
        add("")
        add("| Framework | CPU none/ours | CPU built-in/ours | median CPU µs/request none / built-in / ours "
            "| req/s ours/none | req/s ours/built-in | median req/s none / built-in / ours | runs |")
        add("|:--|--:|--:|:--|--:|--:|:--|--:|")
        for framework in ["hummingbird", "vapor"]:
            values = {m: medians.get((framework, m)) for m in ["none", "builtin", "ours"]}
            costs = {m: cpu.get((framework, m)) for m in ["none", "builtin", "ours"]}
            if not any(values.values()):
                continue
            count = len([row for row in wrk if row["framework"] == framework and row["middleware"] == "ours"])
            add(f"| {framework} | {fmt_ratio(ratio(costs['none'], costs['ours']))} | "
                f"{fmt_ratio(ratio(costs['builtin'], costs['ours']))} | {fmt(costs['none'], 2)} / "
                f"{fmt(costs['builtin'], 2)} / {fmt(costs['ours'], 2)} | "
                f"{fmt_ratio(ratio(values['ours'], values['none']))} | "
                f"{fmt_ratio(ratio(values['ours'], values['builtin']))} | {fmt(values['none'])} / "
                f"{fmt(values['builtin'])} / {fmt(values['ours'])} | {count} |")
        add("")
        add("<details><summary>Every run</summary>")
        add("")
        add("| Round | Framework | Middleware | req/s | CPU µs/request | Access-Control-Allow-Origin seen |")
        add("|--:|:--|:--|--:|--:|:--|")
        for row in wrk:
            add(f"| {row['round']} | {row['framework']} | {row['middleware']} | {row['rps']} | "
                f"{row.get('cpu') or '-'} | {row['acao']} |")
        add("")
        add("</details>")
        add("")

    notes = os.path.join(os.path.dirname(os.path.abspath(__file__)), "NOTES.md")
    if os.path.exists(notes):
        out.append(open(notes, encoding="utf-8").read().rstrip("\n"))
        add("")

    # Keep the sections other scripts write (the gateway and proxy runs, the scaling run).
    if os.path.exists(args.output):
        existing = open(args.output, encoding="utf-8").read()
        for title in ("Gateway and proxy", "Scaling"):
            match = re.search(r"^## " + title + r"\b.*?(?=^## |\Z)", existing, flags=re.S | re.M)
            if match:
                add(match.group(0).rstrip("\n"))
                add("")

    open(args.output, "w", encoding="utf-8").write("\n".join(out).rstrip("\n") + "\n")


if __name__ == "__main__":
    main()
