#!/usr/bin/env bash
# The optimizer's benchmark (release build), all in one run:
#   1. the whole Fusion.optimize (encode, saturate, extract, rebuild) with the .egraph and
#      the .patterns strategy on the SmolLM2-135M training full graph (1528 nodes);
#   2. egglog (the PyPI package) running the original implementation's program text for
#      that graph — its datatype, rules, one `let` per node and `(run 1)`, without the
#      `extract` commands (egglog's extraction on these residual graphs exhausts memory) —
#      and the ratio of its median time to the .egraph median;
#   3. a scaling run of .egraph on llama-synthetic graphs of about 1k, 10k, 100k and 1M nodes.
#
#   scripts/bench-fusion.sh [RUNS]          default 7 runs per measurement (medians)
#
# egglog comes from $EGGLOG_VENV when set, else from a venv created in scripts/.venv
# (git-ignored). SCALING=1000,10000 overrides the scaling sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
scaling=${SCALING:-1000,10000,100000,1000000}
graph=Tests/FusionTests/Fixtures/smollm2-135m-training-seq32.full.json

echo "== building fusion-bench (release)" >&2
swift build -c release --product fusion-bench >&2
bin=$(swift build -c release --show-bin-path)

source scripts/lib/venv.sh
egglog_venv

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== Fusion.optimize on $(basename "$graph"), $runs runs each" >&2
"$bin/fusion-bench" optimize --graph "$graph" --runs "$runs" --write-egglog "$work/program.egg" > "$work/ours.jsonl"
echo "== egglog (PyPI) on the same graph's program text, (run 1), no extract, $runs runs" >&2
"$python" scripts/egglog_time.py "$work/program.egg" --reps "$runs" --drop-extract > "$work/egglog.json"
echo "== scaling: llama-synthetic at $scaling nodes" >&2
"$bin/fusion-bench" optimize --scaling "$scaling" --runs "$runs" > "$work/scaling.jsonl"

"$python" - "$work/ours.jsonl" "$work/egglog.json" "$work/scaling.jsonl" <<'PY'
import json, math, statistics, sys
ours = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
egglog = json.load(open(sys.argv[2]))
scaling = [json.loads(l) for l in open(sys.argv[3]) if l.strip()]
by = {r["strategy"]: r for r in ours}
e, p = by["egraph"], by["patterns"]
egg = statistics.median(egglog["times_ms"])
print(f"graph: {e['graph']} ({e['nodes']} nodes), medians of {e['runs']} runs")
for r in (e, p):
    print(f"  {r['strategy']:8s} total {r['median_ms']:9.3f} ms (min {r['min_ms']:.3f}, cpu {r['cpu_median_ms']:.3f})"
          f"  encode {r['encode_ms']:.3f}  saturate {r['saturate_ms']:.3f}  extract {r['extract_ms']:.3f}"
          f"  rebuild {r['rebuild_ms']:.3f}  fusions {r['fusions']}  active {r['active_after']}")
print(f"  egglog   (run 1), no extract: {egg:9.3f} ms (min {min(egglog['times_ms']):.3f})")
print(f"  .egraph vs .patterns: {p['median_ms'] / e['median_ms']:.2f}x "
      f"({'faster' if e['median_ms'] < p['median_ms'] else 'slower'})")
print(f"  egglog / .egraph: {egg / e['median_ms']:.0f}x (goal 1000x)")
print("scaling (.egraph, llama-synthetic):")
prev = None
for r in scaling:
    growth = ""
    if prev:
        k = math.log(r["median_ms"] / prev["median_ms"]) / math.log(r["nodes"] / prev["nodes"])
        growth = f"  growth exponent vs previous {k:.2f}"
    print(f"  {r['nodes']:8d} nodes: {r['median_ms']:10.3f} ms (cpu {r['cpu_median_ms']:.3f})  "
          f"encode {r['encode_ms']:.1f}  saturate {r['saturate_ms']:.1f}  extract {r['extract_ms']:.1f}  "
          f"rebuild {r['rebuild_ms']:.1f}  fusions {r['fusions']}{growth}")
    prev = r
PY
