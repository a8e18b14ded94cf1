#!/usr/bin/env python3
"""Times egglog (the PyPI package) on one egglog program, in process, and prints JSON.

  egglog_time.py PROGRAM.egg [--reps N] [--run N] [--drop-extract] [--timeout-s S]

Each repetition parses and runs the whole program text on a fresh EGraph; the time
covers parse + run (Python start-up and imports excluded). `--run N` replaces every
`(run K)` with `(run N)`; `--drop-extract` removes top-level `(extract …)` commands
(egglog's extraction on large residual graphs does not finish in memory). Prints
{"times_ms": [...], "cpu_ms": [...], "enodes": N} where enodes is the sum of print-size's per-constructor
counts after the last repetition (null when the program has no print-size), and
"cpu_ms", the process CPU time of each repetition (the machine may be shared).
"""
import argparse
import json
import re
import sys
import time

import egglog.bindings as bindings


def strip_top_level(text, command):
    """Removes top-level `(command …)` forms, respecting strings and comments."""
    out, i, n = [], 0, len(text)
    depth, start = 0, None
    while i < n:
        c = text[i]
        if c == ";":
            j = text.find("\n", i)
            j = n if j < 0 else j
            if start is None:
                out.append(text[i:j])
            i = j
            continue
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            if start is None:
                out.append(text[i:j + 1])
            i = j + 1
            continue
        if c == "(":
            if depth == 0 and re.match(r"\(\s*" + re.escape(command) + r"[\s)]", text[i:]):
                start = i
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0 and start is not None:
                start = None
                i += 1
                continue
        if start is None:
            out.append(c)
        i += 1
    return "".join(out)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("program")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--run", type=int)
    p.add_argument("--drop-extract", action="store_true")
    args = p.parse_args()
    text = open(args.program).read()
    if args.run is not None:
        text = re.sub(r"\(run\s+\d+\)", f"(run {args.run})", text)
    if args.drop_extract:
        text = strip_top_level(text, "extract")
    times, cpu, enodes = [], [], None
    for _ in range(args.reps):
        egraph = bindings.EGraph()
        start, cpu_start = time.perf_counter(), time.process_time()
        outputs = egraph.run_program(*egraph.parse_program(text))
        times.append((time.perf_counter() - start) * 1000.0)
        cpu.append((time.process_time() - cpu_start) * 1000.0)
        sizes = [o for o in outputs if type(o).__name__ == "PrintAllFunctionsSize"]
        if sizes:
            enodes = sum(count for _, count in sizes[-1].sizes)
        del egraph, outputs
    json.dump({"times_ms": times, "cpu_ms": cpu, "enodes": enodes}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
