#!/usr/bin/env bash
# The optimizer's benchmark (release build), all in one run:
#   1. the whole Fusion.optimize (encode, saturate, extract, rebuild) with the .egraph and
#      the .patterns strategy on the SmolLM2-135M training full graph (1528 nodes);
#   2. egglog (the PyPI package) running the original implementation's program text for
#      that graph — its datatype, rules, one `let` per node and `(run 1)`, without the
#      `extract` commands (egglog's extraction on these residual graphs exhausts memory) —
#      and the ratio of its median time to the .egraph median;
#   3. a scaling run of .egraph on llama-synthetic graphs of about 1k, 10k, 100k and 1M nodes,
#      with the minor page faults per run; then the same run with jemalloc told to keep
#      freed pages (MALLOC_CONF=dirty_decay_ms:-1), which shows what of the large sizes'
#      time is the kernel mapping memory again that the allocator returned to it.
#
#   scripts/bench-fusion.sh [RUNS]          default 7 runs per measurement (medians)
#
# The two strategies on the 1528-node graph take about 0.2 ms a run, where the median of a
# handful of runs is mostly the machine's noise: they run GRAPH_RUNS times (default 201,
# at least RUNS), alternating run by run; so do the scaling sizes up to 10k nodes. (Above
# 200k nodes fusion-bench makes at most 3 runs.)
#
# egglog comes from $EGGLOG_VENV when set, else from a venv created in scripts/.venv
# (git-ignored). SCALING=1000,10000 overrides the scaling sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
scaling=${SCALING:-1000,10000,100000,1000000}
graph_runs=${GRAPH_RUNS:-201}
(( graph_runs < runs )) && graph_runs=$runs
graph=Tests/FusionTests/Fixtures/smollm2-135m-training-seq32.full.json

echo "== building fusion-bench (release)" >&2
swift build -c release --product fusion-bench >&2
bin=$(swift build -c release --show-bin-path)

source scripts/lib/venv.sh
egglog_venv

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== Fusion.optimize on $(basename "$graph"), $graph_runs runs each" >&2
"$bin/fusion-bench" optimize --graph "$graph" --runs "$graph_runs" --write-egglog "$work/program.egg" > "$work/ours.jsonl"
echo "== egglog (PyPI) on the same graph's program text, (run 1), no extract, $runs runs" >&2
"$python" scripts/egglog_time.py "$work/program.egg" --reps "$runs" --drop-extract > "$work/egglog.json"
# One size at a time: sizes up to 10k nodes take milliseconds and run GRAPH_RUNS times.
scale() {
  local size
  for size in ${scaling//,/ }; do
    "$bin/fusion-bench" optimize --scaling "$size" --runs "$(( size <= 10000 ? graph_runs : runs ))"
  done
}
echo "== scaling: llama-synthetic at $scaling nodes" >&2
scale > "$work/scaling.jsonl"
echo "== the same with MALLOC_CONF=dirty_decay_ms:-1 (jemalloc keeps freed pages)" >&2
MALLOC_CONF=dirty_decay_ms:-1 scale > "$work/scaling-keep.jsonl"

"$python" - "$work/ours.jsonl" "$work/egglog.json" "$work/scaling.jsonl" "$work/scaling-keep.jsonl" <<'PY'
import json, math, statistics, sys
ours = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
egglog = json.load(open(sys.argv[2]))
def lines(path): return [json.loads(l) for l in open(path) if l.strip()]
scaling, keep = lines(sys.argv[3]), lines(sys.argv[4])
by = {r["strategy"]: r for r in ours if "strategy" in r}
paired = next(r for r in ours if "paired" in r)
e, p = by["egraph"], by["patterns"]
egg = statistics.median(egglog["times_ms"])
print(f"graph: {e['graph']} ({e['nodes']} nodes), medians of {e['runs']} runs")
for r in (e, p):
    print(f"  {r['strategy']:8s} total {r['median_ms']:9.3f} ms (min {r['min_ms']:.3f}, cpu {r['cpu_median_ms']:.3f})"
          f"  encode {r['encode_ms']:.3f}  saturate {r['saturate_ms']:.3f}  extract {r['extract_ms']:.3f}"
          f"  rebuild {r['rebuild_ms']:.3f}  fusions {r['fusions']}  active {r['active_after']}")
print(f"  egglog   (run 1), no extract: {egg:9.3f} ms (min {min(egglog['times_ms']):.3f})")
print(f"  .egraph vs .patterns: {p['median_ms'] / e['median_ms']:.2f}x "
      f"({'faster' if e['median_ms'] < p['median_ms'] else 'slower'}) by the medians; run by run, "
      f".egraph/.patterns median {paired['median_ratio']:.3f}, .egraph faster in "
      f"{paired['first_faster_runs']} of {paired['runs']} side-by-side runs")
print(f"  egglog / .egraph: {egg / e['median_ms']:.0f}x (goal 1000x)")
def table(title, rows):
    print(title)
    prev = None
    for r in rows:
        growth = ""
        if prev:
            k = math.log(r["median_ms"] / prev["median_ms"]) / math.log(r["nodes"] / prev["nodes"])
            growth = f"  growth exponent vs previous {k:.2f}"
        print(f"  {r['nodes']:8d} nodes: {r['median_ms']:10.3f} ms (cpu {r['cpu_median_ms']:.3f}, {r['runs']} runs)  "
              f"encode {r['encode_ms']:.1f}  saturate {r['saturate_ms']:.1f}  extract {r['extract_ms']:.1f}  "
              f"rebuild {r['rebuild_ms']:.1f}  page faults {r['page_faults_median']}  fusions {r['fusions']}{growth}")
        prev = r
table("scaling (.egraph, llama-synthetic):", scaling)
table("scaling, jemalloc keeping freed pages (MALLOC_CONF=dirty_decay_ms:-1):", keep)
PY
