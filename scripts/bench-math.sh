#!/usr/bin/env bash
# The math micro-benchmark (bench/math.egg) on our engine and on egglog (the PyPI package),
# same program text, same machine: median time of a few runs and peak memory, side by side.
#
#   scripts/bench-math.sh [ITERATIONS] [RUNS]      defaults: 11 iterations, 3 runs
#
# Builds release. egglog comes from $EGGLOG_VENV when set, else from a venv this script
# creates in scripts/.venv (git-ignored). Each run is a fresh process, so peak memory is
# per run. Our side runs `fusion egglog PROGRAM --json` when the front end can run the
# program, else `fusion-bench math --json` (the same rules and seeds, built in Swift).
set -euo pipefail
cd "$(dirname "$0")/.."
iterations=${1:-11}
runs=${2:-3}

echo "== building (release)" >&2
swift build -c release --product fusion-bench >&2
swift build -c release --product fusion >&2 || true
bin=$(swift build -c release --show-bin-path)

source scripts/lib/venv.sh
egglog_venv

program=$(mktemp --suffix=.egg)
trap 'rm -f "$program"' EXIT
sed "s/(run 11)/(run $iterations)/" bench/math.egg > "$program"

ours_cmd=("$bin/fusion-bench" math --iterations "$iterations" --json)
ours_kind="fusion-bench math"
if [ -x "$bin/fusion" ] && "$bin/fusion" egglog "$program" --json >/dev/null 2>&1; then
  ours_cmd=("$bin/fusion" egglog "$program" --json)
  ours_kind="fusion egglog"
fi

"$python" - "$iterations" "$runs" "$program" "$ours_kind" "${ours_cmd[@]}" <<'PY'
import json, re, resource, statistics, subprocess, sys, time

iterations, runs, program, ours_kind = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
ours_cmd = sys.argv[5:]

EGGLOG_ONE_RUN = r'''
import json, re, resource, sys, time
from egglog.bindings import EGraph
text = open(sys.argv[1]).read()
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
eg = EGraph()
start, cpu = time.perf_counter(), time.process_time()
out = eg.run_program(*eg.parse_program(text))
ms = (time.perf_counter() - start) * 1000
cpu_ms = (time.process_time() - cpu) * 1000
sizes = [int(n) for _, n in re.findall(r"\((\w+) (\d+)\)", str(out[-1]))] if out else []
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"ms": ms, "cpu_ms": cpu_ms, "enodes": sum(sizes), "peak_rss": peak, "baseline_rss": base}))
'''

def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime

def ours_once():
    before = children_cpu()
    out = subprocess.run(ours_cmd, check=True, capture_output=True, text=True).stdout
    # CPU of the whole process (start-up and parsing included) when the JSON has none.
    process_cpu_ms = (children_cpu() - before) * 1000
    data = json.loads(out)
    ms = data.get("run_ms", data.get("total_ms"))
    return {"ms": ms, "cpu_ms": data.get("cpu_ms", process_cpu_ms), "enodes": data["enodes"], "eclasses": data.get("eclasses"),
            "peak_rss": data.get("peak_rss_bytes", 0), "core_peak": data.get("peak_bytes", 0)}

def egglog_once():
    out = subprocess.run([sys.executable, "-c", EGGLOG_ONE_RUN, program], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)

ours = [ours_once() for _ in range(runs)]
# The largest resident set of any child so far: our runs only (egglog runs after).
children_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
for r in ours:
    r["peak_rss"] = r["peak_rss"] or children_peak
theirs = [egglog_once() for _ in range(runs)]
om = statistics.median(r["ms"] for r in ours)
tm = statistics.median(r["ms"] for r in theirs)
oc = statistics.median(r["cpu_ms"] for r in ours) if all(r["cpu_ms"] is not None for r in ours) else None
tc = statistics.median(r["cpu_ms"] for r in theirs)
n = ours[-1]["enodes"]
o_rss = max(r["peak_rss"] for r in ours)
t_rss = max(r["peak_rss"] for r in theirs)
t_base = min(r["baseline_rss"] for r in theirs)
core = max(r["core_peak"] for r in ours)
mb = lambda b: f"{b / 1e6:.1f} MB"
print(f"math micro-benchmark, (run {iterations}), median of {runs} runs each")
print(f"  ours ({ours_kind}): {n:,} e-nodes, {ours[-1]['eclasses']:,} e-classes")
print(f"  egglog:             {theirs[-1]['enodes']:,} e-nodes")
cpu = lambda c: f"{c:>10.1f}ms" if c is not None else f"{'n/a':>12}"
print(f"{'':10}{'wall':>12}{'CPU':>12}{'peak RSS':>14}{'RSS/e-node':>12}")
print(f"{'ours':10}{om:>10.1f}ms{cpu(oc)}{mb(o_rss):>14}{o_rss / n:>12.1f}")
print(f"{'egglog':10}{tm:>10.1f}ms{cpu(tc)}{mb(t_rss):>14}{t_rss / n:>12.1f}")
print(f"speed-up: {tm / om:.2f}x wall" + (f", {tc / oc:.2f}x CPU" if oc else "") + " (egglog / ours); "
      f"memory: egglog RSS above its start-up ({mb(t_rss - t_base)}) / ours {(t_rss - t_base) / o_rss:.2f}x")
print(f"our core's own peak (graph + matcher): {mb(core)} = {core / n:.1f} bytes per e-node")
if n != theirs[-1]["enodes"]:
    print("MISMATCH: the engines disagree on the e-node count", file=sys.stderr)
    sys.exit(1)
PY
