#!/usr/bin/env python3
"""Runs the workloads of scripts/bench.sh on both engines and appends JSON-lines records.

Not meant to be run by hand: scripts/bench.sh builds the release binaries, sets up the
venv and calls this, then scripts/bench_report.py. One progress line per workload goes
to standard error.

Workloads:
  math     bench/math.egg at N iterations, through scripts/bench-math.sh (our engine
           against egglog on the same program text with (run N), fresh processes).
  llama    `llama-synthetic --layers L`: our whole optimize() (`fusion-bench optimize
           --scaling`, e-graph strategy) against egglog running the seed's program for the
           same graph (`fusion optimize --egglog-program`), extract commands left out.
  fixture  every shared fixture graph: `fusion-bench optimize --graph` (both strategies,
           the fixture's mode) against egglog on the seed's program for it.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def progress(message):
    print(f"[bench {time.strftime('%H:%M:%S', time.gmtime())}] {message}", file=sys.stderr, flush=True)


def run_json(argv):
    """Runs a command that prints one JSON object on its last stdout line."""
    proc = subprocess.run(argv, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}: {proc.stderr.strip()}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


class Recorder:
    def __init__(self, path):
        self.f = open(path, "a")

    def add(self, suite, case, size, engine, times_ms, extra=None):
        self.f.write(json.dumps({"suite": suite, "case": case, "size": size, "engine": engine,
                                 "times_ms": times_ms, "extra": extra or {}}) + "\n")
        self.f.flush()


def median(xs):
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def egglog_times(python, program, reps, drop_extract=False):
    argv = [python, os.path.join(HERE, "egglog_time.py"), program, "--reps", str(reps)]
    if drop_extract:
        argv.append("--drop-extract")
    return run_json(argv)


def parse_bench_math(text):
    """The figures of scripts/bench-math.sh's report (its documented output lines).

    The `ours` and `egglog` rows give wall time first, then CPU time when known, then the
    peak resident set in MB.
    """
    def find(pattern, cast=float):
        m = re.search(pattern, text, re.M)
        if not m:
            raise RuntimeError(f"bench-math.sh output lacks /{pattern}/:\n{text}")
        return cast(m.group(1).replace(",", ""))

    def row(name):
        m = re.search(rf"^{name}\s+(.*)$", text, re.M)
        if not m:
            raise RuntimeError(f"bench-math.sh output lacks the {name} row:\n{text}")
        times = [float(t) for t in re.findall(r"([\d.]+)ms", m.group(1))]
        rss = re.search(r"([\d.]+) MB", m.group(1))
        return times, float(rss.group(1)) if rss else None

    ours_times, ours_rss = row("ours")
    egglog_times_, egglog_rss = row("egglog")
    return {
        "ours_kind": find(r"ours \((.*?)\):", str),
        "ours_enodes": find(r"ours \(.*?\):\s+([\d,]+) e-nodes", int),
        "ours_eclasses": find(r"ours \(.*?\):.*?([\d,]+) e-classes", int),
        "egglog_enodes": find(r"^\s*egglog:\s+([\d,]+) e-nodes", int),
        "ours_ms": ours_times[0],
        "egglog_ms": egglog_times_[0],
        "ours_cpu_ms": ours_times[1] if len(ours_times) > 1 else None,
        "egglog_cpu_ms": egglog_times_[1] if len(egglog_times_) > 1 else None,
        "ours_rss_mb": ours_rss,
        "egglog_rss_mb": egglog_rss,
        "core_bytes_per_enode": find(r"= ([\d.]+) bytes per e-node"),
    }


def bench_math(args, rec):
    """The math benchmark through scripts/bench-math.sh (it owns that comparison)."""
    for n in args.math_iterations:
        # egglog at 11 iterations takes tens of seconds per run: fewer repetitions there.
        runs = args.reps if n <= 10 else max(1, min(args.reps, 3))
        proc = subprocess.run(["bash", os.path.join(HERE, "bench-math.sh"), str(n), str(runs)],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"bench-math.sh {n} {runs} exited {proc.returncode}:\n"
                               f"{proc.stdout}\n{proc.stderr}")
        m = parse_bench_math(proc.stdout)
        case = f"run {n}"
        rec.add("math", case, m["ours_enodes"], "fusion", [m["ours_ms"]],
                {"enodes": m["ours_enodes"], "eclasses": m["ours_eclasses"], "runs": runs,
                 "command": m["ours_kind"],
                 "cpu_ms": m["ours_cpu_ms"], "peak_rss_mb": m["ours_rss_mb"],
                 "core_bytes_per_enode": m["core_bytes_per_enode"], "bench_math_output": proc.stdout})
        rec.add("math", case, m["ours_enodes"], "egglog", [m["egglog_ms"]],
                {"enodes": m["egglog_enodes"], "runs": runs, "cpu_ms": m["egglog_cpu_ms"],
                 "peak_rss_mb": m["egglog_rss_mb"]})
        progress(f"math (run {n}): {m['ours_enodes']:,} e-nodes (egglog {m['egglog_enodes']:,}); "
                 f"ours {m['ours_ms']:.1f} ms, egglog {m['egglog_ms']:.1f} ms (medians of {runs})")


def fusion_bench_optimize(args, argv):
    """`fusion-bench optimize …`: one JSON object per measurement (medians of --runs).

    These graphs optimize in milliseconds, where the median of a handful of runs is mostly
    the machine's noise: they run --small-reps times (at least --reps)."""
    cmd = [args.fusion_bench, "optimize", *argv, "--runs", str(max(args.reps, args.small_reps))]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.strip()}")
    return [m for m in (json.loads(line) for line in proc.stdout.splitlines() if line.strip())
            if "strategy" in m]  # (not the paired-ratio line)


def record_ours(rec, suite, case, m):
    engine = "fusion" if m["strategy"] == "egraph" else "fusion-patterns"
    rec.add(suite, case, m["nodes"], engine, [m["median_ms"]],
            {"runs": m["runs"], "cpu_ms": m.get("cpu_median_ms"), "fusions": m["fusions"],
             "active_after": m["active_after"], "enodes": m.get("enodes"), "eclasses": m.get("eclasses")})


def record_egglog(args, rec, suite, case, size, program):
    theirs = egglog_times(args.python, program, args.egglog_reps, drop_extract=True)
    rec.add(suite, case, size, "egglog", theirs["times_ms"],
            {"runs": len(theirs["times_ms"]), "cpu_ms": median(theirs["cpu_ms"]) if theirs.get("cpu_ms") else None})
    return median(theirs["times_ms"])


def bench_llama(args, rec, tmp):
    """llama-synthetic by layers: FusionBench's scaling run (24·L + 6 nodes is exactly L layers)."""
    sizes = ",".join(str(24 * layers + 6) for layers in args.llama_layers)
    by_layers = {}
    for m in fusion_bench_optimize(args, ["--scaling", sizes]):
        by_layers[int(m["graph"].rsplit("-", 1)[1])] = m
    for layers in args.llama_layers:
        m = by_layers[layers]
        case = f"{layers} layer{'s' if layers != 1 else ''}"
        record_ours(rec, "llama", case, m)
        program = os.path.join(tmp, f"llama-{layers}.egg")
        subprocess.run([args.fusion, "optimize", "--model", "llama-synthetic", "--layers", str(layers),
                        "--strategy", "patterns", "--egglog-program", program, "--format", "json"],
                       check=True, capture_output=True)
        egg = record_egglog(args, rec, "llama", case, m["nodes"], program)
        progress(f"llama {case}: {m['nodes']:,} nodes, {m['fusions']} fusions; "
                 f"e-graph {m['median_ms']:.2f} ms, egglog {egg:.1f} ms")


def bench_fixture(args, rec, path, mode, tmp):
    case = os.path.basename(path)[:-len(".json")]
    program = os.path.join(tmp, f"{case}.egg")
    argv = ["--graph", path, "--write-egglog", program]
    if mode != "training":
        argv += ["--mode", mode]
    results = {m["strategy"]: m for m in fusion_bench_optimize(args, argv)}
    for m in results.values():
        record_ours(rec, "fixture", case, m)
    e, p = results["egraph"], results["patterns"]
    egg = record_egglog(args, rec, "fixture", case, e["nodes"], program)
    progress(f"fixture {case} ({mode}): {e['nodes']:,} nodes, {e['fusions']} fusions; "
             f"e-graph {e['median_ms']:.2f} ms, patterns {p['median_ms']:.2f} ms, egglog {egg:.1f} ms")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--fusion", required=True)
    p.add_argument("--fusion-bench", required=True)
    p.add_argument("--python", required=True, help="the venv's python, with egglog")
    p.add_argument("--records", required=True)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--small-reps", type=int, default=101,
                   help="runs of our optimize() on the llama and fixture graphs (milliseconds each)")
    p.add_argument("--egglog-reps", type=int, default=3)
    p.add_argument("--math-iterations", type=int, nargs="*", default=[8, 9, 10, 11])
    p.add_argument("--llama-layers", type=int, nargs="*", default=[1, 2, 4, 8, 16, 32, 64, 128, 256])
    p.add_argument("--fixtures", default=os.path.join(ROOT, "Tests", "FusionTests", "Fixtures"))
    p.add_argument("--suites", nargs="*", default=["math", "llama", "fixture"],
                   choices=["math", "llama", "fixture"])
    args = p.parse_args()
    rec = Recorder(args.records)
    with tempfile.TemporaryDirectory() as tmp:
        if "math" in args.suites:
            bench_math(args, rec)
        if "llama" in args.suites:
            bench_llama(args, rec, tmp)
        names = sorted(f for f in os.listdir(args.fixtures)
                       if f.endswith(".json") and not f.endswith((".expected.json", ".optimized.json",
                                                                   ".inference-passes.json")))
        for name in names if "fixture" in args.suites else []:
            mode = "inference" if "-inference" in name else "training"
            bench_fixture(args, rec, os.path.join(args.fixtures, name), mode, tmp)

if __name__ == "__main__":
    main()
