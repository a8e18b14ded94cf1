#!/usr/bin/env python3
"""Turns the measurements of scripts/bench.sh into bench/results.md and bench/scaling.png.

Input: a JSON-lines file, one measurement per line:
  {"suite": "math" | "llama" | "fixture", "case": str, "size": int,
   "engine": "fusion" | "fusion-patterns" | "egglog", "times_ms": [float, ...],
   "extra": {...}}
`size` is the e-node count after the run (math) or the graph's node count (llama,
fixture). Every figure written comes from these records; nothing is filled in by hand.
"""
import argparse
import json
import statistics
import sys
from collections import OrderedDict

ENGINE_LABEL = {
    "fusion": "swift-egraph-fusion (e-graph)",
    "fusion-patterns": "swift-egraph-fusion (pattern passes)",
    "egglog": "egglog (PyPI)",
}


def load(path):
    records = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                records.append(json.loads(line))
    return records


def median(rec):
    return statistics.median(rec["times_ms"]) if rec.get("times_ms") else None


def fmt_ms(v):
    if v is None:
        return "—"
    if v >= 100:
        return f"{v:,.0f}"
    if v >= 1:
        return f"{v:.2f}"
    return f"{v:.3f}"


def fmt_ratio(num, den):
    if num is None or den is None or den <= 0:
        return "—"
    r = num / den
    return f"{r:,.0f}×" if r >= 100 else f"{r:.1f}×"


def by_case(records, suite):
    """case -> {"size": int, "extra": {engine: extra}, engine: record}, in first-seen order."""
    cases = OrderedDict()
    for r in records:
        if r["suite"] != suite:
            continue
        entry = cases.setdefault(r["case"], {"size": r["size"], "extra": {}})
        entry[r["engine"]] = r
        entry["extra"][r["engine"]] = r.get("extra", {})
    return cases


def runs_of(rec):
    """How many runs a median stands for (records of bench-math.sh carry one median)."""
    return rec.get("extra", {}).get("runs") or len(rec["times_ms"])


def runs_note(cases, engines):
    counts = sorted({runs_of(c[e]) for c in cases.values() for e in engines if e in c})
    return "/".join(str(n) for n in counts) if counts else "0"


def math_table(records):
    cases = by_case(records, "math")
    if not cases:
        return []
    commands = sorted({c["extra"].get("fusion", {}).get("command", "?") for c in cases.values()})
    lines = [
        "### Math micro-benchmark (egg/egglog's own benchmark, `bench/math.egg`)",
        "",
        "Measured by `scripts/bench-math.sh N RUNS`: the same program text on both engines with",
        f"`(run N)`, each run a fresh process. Ours: `{'`, `'.join(commands)}` (its run time); egglog:",
        "parse and run through its Python bindings. E-nodes are canonical counts after the run;",
        "peak memory is each process's peak resident set.",
        "",
        "| iterations | e-nodes (ours) | e-nodes (egglog) | ours, median ms | egglog, median ms "
        "| egglog ÷ ours | peak RSS ours / egglog (MB) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for case, c in cases.items():
        ours, theirs = c.get("fusion"), c.get("egglog")
        n_ours = c["extra"].get("fusion", {}).get("enodes", c["size"])
        n_theirs = c["extra"].get("egglog", {}).get("enodes")
        lines.append(
            f"| {case} | {n_ours:,} | {f'{n_theirs:,}' if n_theirs is not None else '—'} | "
            f"{fmt_ms(median(ours) if ours else None)} | {fmt_ms(median(theirs) if theirs else None)} | "
            f"{fmt_ratio(median(theirs) if theirs else None, median(ours) if ours else None)} | "
            f"{c['extra'].get('fusion', {}).get('peak_rss_mb', '—')} / "
            f"{c['extra'].get('egglog', {}).get('peak_rss_mb', '—')} |"
        )
    lines.append("")
    lines.append(f"Runs per cell (median taken): {runs_note(cases, ['fusion', 'egglog'])}.")
    lines.append("")
    return lines


def graph_table(records, suite, title, intro):
    cases = by_case(records, suite)
    if not cases:
        return []
    lines = [title, "", *intro, ""]
    lines.append("| graph | nodes | fusions (e-graph) | `optimize()` e-graph, median ms (CPU) "
                 "| pattern passes, median ms | egglog, seed program `(run 1)`, median ms (CPU) "
                 "| egglog ÷ e-graph |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|")

    def with_cpu(c, engine):
        if engine not in c:
            return "—"
        cpu = c["extra"].get(engine, {}).get("cpu_ms")
        return fmt_ms(median(c[engine])) + (f" ({fmt_ms(cpu)})" if cpu is not None else "")

    for case, c in cases.items():
        ours = median(c["fusion"]) if "fusion" in c else None
        eg = median(c["egglog"]) if "egglog" in c else None
        fusions = c["extra"].get("fusion", {}).get("fusions")
        lines.append(
            f"| {case} | {c['size']:,} | {fusions if fusions is not None else '—'} | {with_cpu(c, 'fusion')} "
            f"| {with_cpu(c, 'fusion-patterns')} | {with_cpu(c, 'egglog')} | {fmt_ratio(eg, ours)} |"
        )
    lines.append("")
    lines.append("Runs per cell (median taken): "
                 f"{runs_note(cases, ['fusion', 'fusion-patterns', 'egglog'])}.")
    lines.append("")
    return lines


def summary_table(records):
    """A few headline rows (the README shows them): the largest math run, the smallest and
    largest Llama-style graph, and the largest fixture."""
    rows = []
    math = by_case(records, "math")
    if math:
        case, c = max(math.items(), key=lambda kv: kv[1]["size"])
        if "fusion" in c and "egglog" in c:
            rows.append((f"math benchmark, `(run {case.split()[-1]})`", f"{c['size']:,} e-nodes",
                         median(c["fusion"]), median(c["egglog"])))
    llama = by_case(records, "llama")
    if llama:
        picks = sorted(llama.items(), key=lambda kv: kv[1]["size"])
        for case, c in ([picks[0], picks[-1]] if len(picks) > 1 else picks):
            if "fusion" in c and "egglog" in c:
                rows.append((f"llama-synthetic, {case}: `optimize()` vs the seed's program",
                             f"{c['size']:,} nodes", median(c["fusion"]), median(c["egglog"])))
    fixtures = by_case(records, "fixture")
    if fixtures:
        case, c = max(fixtures.items(), key=lambda kv: kv[1]["size"])
        if "fusion" in c and "egglog" in c:
            rows.append((f"fixture `{case}`: `optimize()` vs the seed's program",
                         f"{c['size']:,} nodes", median(c["fusion"]), median(c["egglog"])))
    if not rows:
        return []
    lines = ["| workload | size | ours, median ms | egglog, median ms | egglog ÷ ours |",
             "|---|---:|---:|---:|---:|"]
    for name, size, ours, theirs in rows:
        lines.append(f"| {name} | {size} | {fmt_ms(ours)} | {fmt_ms(theirs)} | {fmt_ratio(theirs, ours)} |")
    return ["### Summary", ""] + lines + [""]


def write_markdown(records, meta, path):
    out = ["# Benchmark results", ""]
    out.append("Written by `scripts/bench.sh`; every number below was measured in that one run.")
    out.append("")
    out.append("| | |")
    out.append("|---|---|")
    for key, value in meta.items():
        out.append(f"| {key} | {value} |")
    out.append("")
    out += summary_table(records)
    out += math_table(records)
    out += graph_table(
        records, "llama", "### Llama-style graphs, 1 to 256 layers",
        ["`llama-synthetic --layers N` forward graphs. Ours: the whole `optimize()` (encode,",
         "saturate, extract, rebuild). egglog: the seed's egglog program for the same graph",
         "(its `dumpEgglogProgram` text: datatype, rules, one `let` per node, `(run 1)`), with",
         "the `extract` commands left out: the seed ran it this way, and egglog's extraction",
         "on these graphs does not finish in memory."])
    out += graph_table(
        records, "fixture", "### `optimize()` on the shared fixtures",
        ["Each fixture graph of `Tests/FusionTests/Fixtures` (training fixtures in training mode,",
         "inference fixtures in inference mode); egglog runs the seed's program for the same graph",
         "as above."])
    out.append("![Time against size, log-log](scaling.png)")
    out.append("")
    with open(path, "w") as f:
        f.write("\n".join(out))


def write_plot(records, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [("math", "Math micro-benchmark (bench/math.egg, (run N))", "e-nodes after the run"),
              ("llama", "optimize(): llama-synthetic (lines), fixtures (hollow)", "graph nodes")]
    fig, axes = plt.subplots(1, 2, figsize=(12, 5))
    styles = {"fusion": ("o-", "tab:blue"), "fusion-patterns": ("s--", "tab:green"),
              "egglog": ("^-", "tab:red")}
    for ax, (suite, title, xlabel) in zip(axes, panels):
        cases = by_case(records, suite)
        for engine, (marker, color) in styles.items():
            pts = sorted((c["size"], median(c[engine])) for c in cases.values()
                         if engine in c and median(c[engine]))
            if not pts:
                continue
            xs, ys = zip(*pts)
            ax.plot(xs, ys, marker, color=color, label=ENGINE_LABEL[engine])
        if suite == "llama":
            fixtures = by_case(records, "fixture")
            for engine, (marker, color) in styles.items():
                pts = [(c["size"], median(c[engine])) for c in fixtures.values()
                       if engine in c and median(c[engine])]
                if pts:
                    xs, ys = zip(*pts)
                    ax.plot(xs, ys, marker[0], color=color, fillstyle="none", linestyle="none",
                            label=f"{ENGINE_LABEL[engine]}, fixtures")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("median wall time (ms)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("records")
    p.add_argument("--markdown", required=True)
    p.add_argument("--plot", required=True)
    p.add_argument("--meta", action="append", default=[], help="KEY=VALUE for the header table")
    args = p.parse_args()
    records = load(args.records)
    if not records:
        sys.exit("bench_report: no measurements in " + args.records)
    meta = OrderedDict(m.split("=", 1) for m in args.meta)
    write_markdown(records, meta, args.markdown)
    write_plot(records, args.plot)


if __name__ == "__main__":
    main()
