#!/usr/bin/env bash
# Measures swift-egraph-fusion against egglog (the PyPI package) on the same workloads in
# one run, and writes bench/results.md (medians and ratios) and bench/scaling.png
# (log-log time against size, both engines).
#
#   scripts/bench.sh            # everything (takes a few minutes)
#   BENCH_REPS=3 scripts/bench.sh       (BENCH_SMALL_REPS: runs of optimize() per graph, 101)
#
# Workloads: the math micro-benchmark (bench/math.egg) at 8 to 11 iterations; the seed's
# egglog program for Llama-style graphs of 1 to 256 layers against our whole optimize();
# optimize() on the shared fixtures. Our side runs release builds of `fusion` /
# `fusion-bench`; egglog runs in a venv created outside git (scripts/.venv), or in
# $EGGLOG_VENV when that is set.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

reps=${BENCH_REPS:-5}
small_reps=${BENCH_SMALL_REPS:-101}  # our optimize() on llama and fixture graphs (ms each)
egglog_reps=${BENCH_EGGLOG_REPS:-3}
math_iterations=${BENCH_MATH_ITERATIONS:-"8 9 10 11"}
llama_layers=${BENCH_LLAMA_LAYERS:-"1 2 4 8 16 32 64 128 256"}
suites=${BENCH_SUITES:-"math llama fixture"}

progress() { printf '[bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# --- egglog venv ---------------------------------------------------------------------
source scripts/lib/venv.sh
egglog_venv matplotlib
export EGGLOG_VENV=$venv  # scripts/bench-math.sh, called below, uses the same venv
"$python" -c 'import egglog, matplotlib' \
  || { echo "bench: $venv lacks egglog or matplotlib (pip install egglog matplotlib)" >&2; exit 2; }

# --- release build -------------------------------------------------------------------
progress "swift build -c release"
swift build -c release --product fusion >&2
swift build -c release --product fusion-bench >&2
bin=$(swift build -c release --show-bin-path)

work=$(mktemp -d "${TMPDIR:-/tmp}/fusion-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
records=$work/records.jsonl  # copied to bench/results.jsonl at the end

# --- the workloads, both engines (one progress line per workload on stderr) ----------
# shellcheck disable=SC2086  # the lists are meant to split into arguments
"$python" scripts/bench_run.py \
  --fusion "$bin/fusion" --fusion-bench "$bin/fusion-bench" --python "$python" \
  --records "$records" --reps "$reps" --small-reps "$small_reps" --egglog-reps "$egglog_reps" \
  --math-iterations $math_iterations --llama-layers $llama_layers --suites $suites

# --- the table and the plot ----------------------------------------------------------
mkdir -p bench
cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)
load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || true)
"$python" scripts/bench_report.py "$records" \
  --markdown bench/results.md --plot bench/scaling.png \
  --meta "date (UTC)=$(date -u '+%Y-%m-%d %H:%M')" \
  --meta "commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  --meta "machine=${cpu:-unknown CPU}, $(nproc) cores, shared with other jobs during the run (load average at the end: ${load:-unknown})" \
  --meta "swift=$(swift --version 2>/dev/null | head -1)" \
  --meta "egglog=$("$python" -c 'import importlib.metadata as m; print(m.version("egglog"))') (PyPI, Python bindings)" \
  --meta "allocator=$("$bin/fusion-bench" math --iterations 1 --json | "$python" -c 'import json,sys; print(json.load(sys.stdin).get("allocator","unknown"))')" \
  --meta "repetitions=ours $reps per math cell and $small_reps per optimize() cell, egglog $egglog_reps (math at 11 iterations: up to 3); medians"
cp "$records" bench/results.jsonl
progress "wrote bench/results.md, bench/scaling.png and the raw measurements, bench/results.jsonl"
