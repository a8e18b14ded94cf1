#!/usr/bin/env python3
"""Runs the workloads of scripts/bench.sh on both engines and appends JSON-lines records.

Not meant to be run by hand: scripts/bench.sh builds the release binaries, sets up the
venv and calls this, then scripts/bench_report.py. One progress line per workload goes
to standard error.

Workloads:
  math     bench/math.egg at N iterations: `fusion-bench math` (the native engine)
           against egglog on the same program text with (run N).
  llama    `llama-synthetic --layers L`: our whole optimize() (e-graph and pattern
           passes) against egglog running the seed's program for the same graph
           (`fusion optimize --egglog-program`), extract commands left out.
  fixture  the same on every shared fixture graph.
"""
import argparse
import json
import os
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


def egglog_times(python, program, reps, run=None, drop_extract=False):
    argv = [python, os.path.join(HERE, "egglog_time.py"), program, "--reps", str(reps)]
    if run is not None:
        argv += ["--run", str(run)]
    if drop_extract:
        argv.append("--drop-extract")
    return run_json(argv)


def bench_math(args, rec):
    program = os.path.join(ROOT, "bench", "math.egg")
    for n in args.math_iterations:
        ours = run_json([args.fusion_bench, "math", "--iterations", str(n), "--runs", str(args.reps), "--json"])
        # egglog at 11 iterations takes tens of seconds per run: fewer repetitions there.
        egg_reps = args.reps if n <= 10 else max(1, min(args.reps, 3))
        theirs = egglog_times(args.python, program, egg_reps, run=n)
        ours_times = ours.get("runs_ms") or [ours["run_ms"]]
        rec.add("math", f"run {n}", ours["enodes"], "fusion", ours_times,
                {"enodes": ours["enodes"], "eclasses": ours.get("eclasses"),
                 "peak_bytes": ours.get("peak_bytes"), "peak_rss_bytes": ours.get("peak_rss_bytes")})
        rec.add("math", f"run {n}", ours["enodes"], "egglog", theirs["times_ms"],
                {"enodes": theirs["enodes"]})
        progress(f"math (run {n}): {ours['enodes']:,} e-nodes (egglog {theirs['enodes']:,}); "
                 f"ours {median(ours_times):.1f} ms, egglog {median(theirs['times_ms']):.1f} ms")


def optimize_times(args, graph_args, strategy, mode, reps, program_path=None):
    times, last = [], None
    for i in range(reps):
        argv = [args.fusion, "optimize", *graph_args, "--strategy", strategy, "--mode", mode,
                "--format", "json"]
        if program_path and i == 0:
            argv += ["--egglog-program", program_path]
        last = run_json(argv)
        times.append(last["total_ms"])
    return times, last


def bench_graph(args, rec, suite, case, graph_args, mode, tmp):
    program = os.path.join(tmp, "program.egg")
    ours, report = optimize_times(args, graph_args, "egraph", mode, args.reps, program)
    patterns, preport = optimize_times(args, graph_args, "patterns", mode, args.reps)
    size = report["nodes_before"]
    fusions = sum(report["fusion_counts"].values())
    rec.add(suite, case, size, "fusion", ours,
            {"fusions": fusions, "active_after": report["active_after"],
             "enodes": report["enodes"], "eclasses": report["eclasses"]})
    rec.add(suite, case, size, "fusion-patterns", patterns,
            {"fusions": sum(preport["fusion_counts"].values())})
    theirs = egglog_times(args.python, program, args.egglog_reps, drop_extract=True)
    rec.add(suite, case, size, "egglog", theirs["times_ms"], {})
    progress(f"{suite} {case}: {size:,} nodes, {fusions} fusions; e-graph {median(ours):.2f} ms, "
             f"patterns {median(patterns):.2f} ms, egglog {median(theirs['times_ms']):.1f} ms")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--fusion", required=True)
    p.add_argument("--fusion-bench", required=True)
    p.add_argument("--python", required=True, help="the venv's python, with egglog")
    p.add_argument("--records", required=True)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--egglog-reps", type=int, default=3)
    p.add_argument("--math-iterations", type=int, nargs="*", default=[8, 9, 10, 11])
    p.add_argument("--llama-layers", type=int, nargs="*", default=[1, 2, 4, 8, 16, 32, 64, 128, 256])
    p.add_argument("--fixtures", default=os.path.join(ROOT, "Tests", "FusionTests", "Fixtures"))
    args = p.parse_args()
    rec = Recorder(args.records)
    with tempfile.TemporaryDirectory() as tmp:
        bench_math(args, rec)
        for layers in args.llama_layers:
            bench_graph(args, rec, "llama", f"{layers} layers",
                        ["--model", "llama-synthetic", "--layers", str(layers)], "training", tmp)
        names = sorted(f for f in os.listdir(args.fixtures)
                       if f.endswith(".json") and not f.endswith((".expected.json", ".optimized.json",
                                                                   ".inference-passes.json")))
        for name in names:
            mode = "inference" if "-inference" in name else "training"
            bench_graph(args, rec, "fixture", name[:-len(".json")],
                        [os.path.join(args.fixtures, name)], mode, tmp)


if __name__ == "__main__":
    main()
