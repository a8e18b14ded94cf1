#!/usr/bin/env python3
"""Differential test of the egglog front end against egglog (the PyPI package).

Generates random programs over a small datatype and rule set (the seed's fusion rules plus
algebraic rules with commutativity, associativity, payload variables and a birewrite),
runs each on both engines and compares, per program:
  - which let-bound terms share an e-class after the run (every pair, asked with
    `(check (= a b))`),
  - the minimal AST-size cost of `(extract n<i>)` for every let,
  - the `(print-size)` table (canonical e-nodes per constructor).

Usage: scripts/differential.py [--programs N] [--seed S] [--release] [--keep DIR]

egglog comes from $EGGLOG_VENV when set, else from a venv this script creates in
scripts/.venv (git-ignored). Our side runs each program twice, both built with
`swift build`: `fusion egglog FILE --json` (the extracts, compared with egglog's costs),
and `fusion-bench egglog-run FILE --json --keep-going` with every pairwise check
appended (a failing check is recorded, not fatal, so one run answers every pair).
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
EGGLOG_VERSION = "13.2.0"


def ensure_egglog():
    """Re-executes under a Python that has egglog, creating scripts/.venv if needed."""
    try:
        import egglog.bindings  # noqa: F401
        return
    except ImportError:
        pass
    venv = os.environ.get("EGGLOG_VENV") or os.path.join(HERE, ".venv")
    python = os.path.join(venv, "bin", "python")
    if not os.path.exists(python):
        print(f"creating {venv} with egglog=={EGGLOG_VERSION}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run([python, "-m", "pip", "install", "-q", f"egglog=={EGGLOG_VERSION}"], check=True)
    if os.path.realpath(sys.prefix) == os.path.realpath(venv):
        sys.exit("egglog is not importable from " + python)
    os.execv(python, [python] + sys.argv)


DATATYPE = """(datatype Op
  (Input String)
  (Const i64)
  (MatMul Op Op)
  (MatMulAT Op Op)
  (MatMulBT Op Op)
  (FusedMatMulAdd Op Op Op)
  (FusedMatMulATAdd Op Op Op)
  (FusedMatMulBTAdd Op Op Op)
  (Add Op Op)
  (Mul Op Op)
  (Relu Op)
  (Sigmoid Op)
  (Neg Op)
  (Transpose Op)
  (Silu Op)
  (SwiGLU Op Op)
  (RmsNorm Op Op)
  (FusedRmsNormMatMul Op Op Op)
  (ScatterAdd i64 Op Op))
"""

# (constructor, number of Op children, literal kind or None)
CONSTRUCTORS = [
    ("MatMul", 2, None), ("MatMulAT", 2, None), ("MatMulBT", 2, None),
    ("Add", 2, None), ("Add", 2, None), ("Mul", 2, None), ("Mul", 2, None),
    ("Relu", 1, None), ("Sigmoid", 1, None), ("Neg", 1, None), ("Transpose", 1, None),
    ("Silu", 1, None), ("SwiGLU", 2, None), ("RmsNorm", 2, None), ("ScatterAdd", 2, "i64"),
]

# The seed's rules, as graph_to_egglog writes them.
SEED_RULES = [
    "(rewrite (Neg (Neg ?x)) ?x)",
    "(rewrite (Transpose (Transpose ?x)) ?x)",
    "(rewrite (Relu (Relu ?x)) (Relu ?x))",
    "(rewrite (Add (MatMul ?a ?b) ?d) (FusedMatMulAdd ?a ?b ?d))",
    "(rewrite (Add ?d (MatMul ?a ?b)) (FusedMatMulAdd ?a ?b ?d))",
    "(rewrite (Add (MatMulAT ?a ?b) ?d) (FusedMatMulATAdd ?a ?b ?d))",
    "(rewrite (Add ?d (MatMulAT ?a ?b)) (FusedMatMulATAdd ?a ?b ?d))",
    "(rewrite (Add (MatMulBT ?a ?b) ?d) (FusedMatMulBTAdd ?a ?b ?d))",
    "(rewrite (Add ?d (MatMulBT ?a ?b)) (FusedMatMulBTAdd ?a ?b ?d))",
    "(rewrite (MatMul (RmsNorm ?x ?w_norm) ?w_proj) (FusedRmsNormMatMul ?x ?w_norm ?w_proj))",
    "(rewrite (Mul ?x (Sigmoid ?x)) (Silu ?x))",
    "(rewrite (Mul (Sigmoid ?x) ?x) (Silu ?x))",
    "(rewrite (Mul (Silu ?gate) ?up) (SwiGLU ?gate ?up))",
]

# Extra rules: commutativity and associativity (growth), identities with literals,
# payload variables, a birewrite, bare-identifier variables.
EXTRA_RULES = [
    "(rewrite (Add a b) (Add b a))",
    "(rewrite (Mul a b) (Mul b a))",
    "(rewrite (Add a (Add b c)) (Add (Add a b) c))",
    "(rewrite (Mul ?x (Const 1)) ?x)",
    "(rewrite (Add ?x (Const 0)) ?x)",
    "(rewrite (Mul ?x (Const 0)) (Const 0))",
    "(rewrite (ScatterAdd ?n ?a ?b) (ScatterAdd ?n ?b ?a))",
    "(rewrite (Neg (Const ?n)) (Relu (Const ?n)))",
    "(birewrite (Neg (Add ?a ?b)) (Add (Neg ?a) (Neg ?b)))",
    "(rewrite (Transpose (MatMul ?a ?b)) (MatMulAT ?b ?a))",
    "(rewrite (Relu (Neg ?x)) (Neg (Relu ?x)))",
]


def random_program(rng):
    rules = [r for r in SEED_RULES if rng.random() < 0.8]
    extra = [r for r in EXTRA_RULES if rng.random() < 0.35]
    rules += extra
    rng.shuffle(rules)
    lines = [DATATYPE] + rules
    count = rng.randint(4, 12)
    names = []
    for i in range(count):
        name = f"n{i}"
        if len(names) >= 3 and rng.random() < 0.35:
            # A motif: a term and the form some rule rewrites it to, as two lets.
            a, b, d = (rng.choice(names) for _ in range(3))
            first, second = rng.choice([
                (f"(Add (MatMul {a} {b}) {d})", f"(FusedMatMulAdd {a} {b} {d})"),
                (f"(Add {d} (MatMulBT {a} {b}))", f"(FusedMatMulBTAdd {a} {b} {d})"),
                (f"(Mul {a} (Sigmoid {a}))", f"(Silu {a})"),
                (f"(Neg (Neg {a}))", a),
                (f"(Add {a} {b})", f"(Add {b} {a})"),
                (f"(Mul (Silu {a}) {b})", f"(SwiGLU {a} {b})"),
                (f"(MatMul (RmsNorm {a} {b}) {d})", f"(FusedRmsNormMatMul {a} {b} {d})"),
                (f"(Relu (Relu {a}))", f"(Relu {a})"),
                (f"(Mul {a} (Const 1))", a),
                (f"(Transpose (MatMul {a} {b}))", f"(MatMulAT {b} {a})"),
            ])
            lines.append(f"(let {name} {first})")
            names.append(name)
            name = f"n{i}b"
            expr = second
        elif not names or rng.random() < 0.2:
            if rng.random() < 0.5:
                expr = f'(Input "x{rng.randint(0, 3)}")'
            else:
                expr = f"(Const {rng.choice([0, 1, 2, -1])})"
        else:
            op, arity, literal = rng.choice(CONSTRUCTORS)
            args = []
            if literal:
                args.append(str(rng.randint(0, 2)))
            for _ in range(arity):
                r = rng.random()
                if r < 0.12:
                    args.append(f'(Input "x{rng.randint(0, 3)}")')
                elif r < 0.2:
                    args.append(f"(Const {rng.choice([0, 1])})")
                elif r < 0.3:
                    inner = rng.choice(["Sigmoid", "Neg", "Relu", "Silu", "Transpose"])
                    args.append(f"({inner} {rng.choice(names)})")
                else:
                    args.append(rng.choice(names))
            expr = f"({op} {' '.join(args)})"
        lines.append(f"(let {name} {expr})")
        names.append(name)
    for _ in range(rng.choice([0, 0, 0, 1, 2])):
        a, b = rng.sample(names, 2)
        lines.append(f"(union {a} {b})")
    iterations = rng.randint(1, 6 if len(extra) < 3 else 3)
    lines.append(f"(run {iterations})")
    return "\n".join(lines) + "\n", names


def egglog_side(text, names):
    from egglog.bindings import EGraph, EggSmolError
    egraph = EGraph()
    egraph.run_program(*egraph.parse_program(text))
    pairs = {}
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            try:
                egraph.run_program(*egraph.parse_program(f"(check (= {a} {b}))"))
                pairs[(a, b)] = True
            except EggSmolError:
                pairs[(a, b)] = False
    costs = []
    terms = []
    for name in names:
        [out] = egraph.run_program(*egraph.parse_program(f"(extract {name})"))
        costs.append(out.cost)
        terms.append(str(out).strip())
    [size] = egraph.run_program(*egraph.parse_program("(print-size)"))
    return pairs, costs, terms, str(size)


def cli_side(fusion, text, names, directory):
    """`fusion egglog --json` on the program with its extracts: the extracted costs."""
    path = os.path.join(directory, "cli.egg")
    with open(path, "w") as f:
        f.write(text + "".join(f"(extract {n})\n" for n in names))
    done = subprocess.run([fusion, "egglog", path, "--json"], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"fusion egglog failed ({done.returncode}): {done.stderr.strip()}")
    return [e["cost"] for e in json.loads(done.stdout)["extracted"]]


def our_side(binary, text, names, directory):
    checks = []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            checks.append((a, b))
    program = text + "".join(f"(check (= {a} {b}))\n" for a, b in checks)
    program += "".join(f"(extract {n})\n" for n in names) + "(print-size)\n"
    path = os.path.join(directory, "program.egg")
    with open(path, "w") as f:
        f.write(program)
    done = subprocess.run([binary, "egglog-run", path, "--json", "--keep-going"],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"fusion-bench failed ({done.returncode}): {done.stderr.strip()}")
    result = json.loads(done.stdout)
    pairs = dict(zip(checks, result["check_results"]))
    costs = [e["cost"] for e in result["extracted"]]
    terms = [e["term"] for e in result["extracted"]]
    return pairs, costs, terms, result["print_size"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--programs", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--release", action="store_true", help="build and run a release build")
    parser.add_argument("--keep", help="write disagreeing programs to this directory")
    args = parser.parse_args()
    ensure_egglog()

    configuration = "release" if args.release else "debug"
    for product in ("fusion-bench", "fusion"):
        subprocess.run(["swift", "build", "-c", configuration, "--product", product],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    binary = os.path.join(ROOT, ".build", configuration, "fusion-bench")
    fusion = os.path.join(ROOT, ".build", configuration, "fusion")

    rng = random.Random(args.seed)
    totals = {"programs": 0, "pairs": 0, "pair_disagreements": 0, "same_class_pairs": 0,
              "extracts": 0, "cost_disagreements": 0, "term_matches": 0,
              "size_disagreements": 0, "cli_cost_disagreements": 0, "programs_disagreeing": 0,
              "errors": 0}
    started = time.time()
    with tempfile.TemporaryDirectory() as directory:
        for index in range(args.programs):
            text, names = random_program(rng)
            totals["programs"] += 1
            try:
                e_pairs, e_costs, e_terms, e_size = egglog_side(text, names)
                o_pairs, o_costs, o_terms, o_size = our_side(binary, text, names, directory)
                c_costs = cli_side(fusion, text, names, directory)
            except Exception as error:  # a crash on either side is a disagreement too
                totals["errors"] += 1
                totals["programs_disagreeing"] += 1
                print(f"program {index}: error: {error}", file=sys.stderr)
                keep(args.keep, index, text, str(error))
                continue
            bad = []
            for pair, same in e_pairs.items():
                totals["pairs"] += 1
                totals["same_class_pairs"] += same
                if o_pairs.get(pair) != same:
                    totals["pair_disagreements"] += 1
                    bad.append(f"{pair}: egglog {same}, ours {o_pairs.get(pair)}")
            for name, ec, oc, et, ot in zip(names, e_costs, o_costs, e_terms, o_terms):
                totals["extracts"] += 1
                totals["term_matches"] += et == ot
                if ec != oc:
                    totals["cost_disagreements"] += 1
                    bad.append(f"extract {name}: egglog cost {ec} {et}, ours {oc} {ot}")
            if c_costs != e_costs:
                totals["cli_cost_disagreements"] += 1
                bad.append(f"fusion egglog costs {c_costs}, egglog {e_costs}")
            if e_size.strip() != o_size.strip():
                totals["size_disagreements"] += 1
                bad.append(f"print-size: egglog {e_size!r}, ours {o_size!r}")
            if bad:
                totals["programs_disagreeing"] += 1
                print(f"program {index}: " + "; ".join(bad[:5]), file=sys.stderr)
                keep(args.keep, index, text, "\n".join(bad))
    totals["seconds"] = round(time.time() - started, 1)
    print(json.dumps(totals, indent=1))
    return 1 if totals["programs_disagreeing"] else 0


def keep(directory, index, text, why):
    if not directory:
        return
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, f"program-{index}.egg"), "w") as f:
        f.write(text + "\n; " + why.replace("\n", "\n; ") + "\n")


if __name__ == "__main__":
    sys.exit(main())
