/// The math micro-benchmark of egg and egglog: symbolic differentiation and integration
/// over a small language, used as a regression and speed benchmark for the engine.
///
/// The same program is in `bench/math.egg`. With the rules below and the seven seed terms,
/// after 10 iterations the e-graph holds 136,446 canonical e-nodes; after 11, 1,047,896
/// e-nodes in 443,832 e-classes (the figures egg and egglog reach).
public enum MathBenchmark {
    /// A table with the language's operators: `Diff`, `Integral`, `Add`, `Sub`, `Mul`,
    /// `Div`, `Pow` (two children), `Ln`, `Sqrt`, `Sin`, `Cos` (one child), `Const` (an
    /// `i64`) and `Var` (a `String`).
    public static func makeTable() -> OperatorTable {
        let table = OperatorTable()
        for name in ["Diff", "Integral", "Add", "Sub", "Mul", "Div", "Pow"] {
            _ = try? table.declare(name, arity: 2)
        }
        for name in ["Ln", "Sqrt", "Sin", "Cos"] { _ = try? table.declare(name, arity: 1) }
        _ = try? table.declare("Const", literals: [.int])
        _ = try? table.declare("Var", literals: [.string])
        return table
    }

    /// The rules as (name, left-hand side, right-hand side) text, in `bench/math.egg` order.
    public static let ruleTexts: [(String, String, String)] = [
        ("comm-add", "(Add a b)", "(Add b a)"),
        ("comm-mul", "(Mul a b)", "(Mul b a)"),
        ("assoc-add", "(Add a (Add b c))", "(Add (Add a b) c)"),
        ("assoc-mul", "(Mul a (Mul b c))", "(Mul (Mul a b) c)"),
        ("sub-canon", "(Sub a b)", "(Add a (Mul (Const -1) b))"),
        ("zero-add", "(Add a (Const 0))", "a"),
        ("zero-mul", "(Mul a (Const 0))", "(Const 0)"),
        ("one-mul", "(Mul a (Const 1))", "a"),
        ("cancel-sub", "(Sub a a)", "(Const 0)"),
        ("distribute", "(Mul a (Add b c))", "(Add (Mul a b) (Mul a c))"),
        ("factor", "(Add (Mul a b) (Mul a c))", "(Mul a (Add b c))"),
        ("pow-mul", "(Mul (Pow a b) (Pow a c))", "(Pow a (Add b c))"),
        ("pow1", "(Pow x (Const 1))", "x"),
        ("pow2", "(Pow x (Const 2))", "(Mul x x)"),
        ("d-add", "(Diff x (Add a b))", "(Add (Diff x a) (Diff x b))"),
        ("d-mul", "(Diff x (Mul a b))", "(Add (Mul a (Diff x b)) (Mul b (Diff x a)))"),
        ("d-sin", "(Diff x (Sin x))", "(Cos x)"),
        ("d-cos", "(Diff x (Cos x))", "(Mul (Const -1) (Sin x))"),
        ("i-one", "(Integral (Const 1) x)", "x"),
        ("i-cos", "(Integral (Cos x) x)", "(Sin x)"),
        ("i-sin", "(Integral (Sin x) x)", "(Mul (Const -1) (Cos x))"),
        ("i-sum", "(Integral (Add f g) x)", "(Add (Integral f x) (Integral g x))"),
        ("i-dif", "(Integral (Sub f g) x)", "(Sub (Integral f x) (Integral g x))"),
        ("i-parts", "(Integral (Mul a b) x)",
         "(Sub (Mul a (Integral b x)) (Integral (Mul (Diff x a) (Integral b x)) x))"),
    ]

    /// The rules.
    public static func rules() -> [Rewrite] {
        ruleTexts.map { name, lhs, rhs in
            // The texts are fixed and parse; a failure here is a programming error.
            try! Rewrite(name, lhs, rhs)
        }
    }

    /// The seven seed terms: ∫ln(x)dx, ∫(x + cos x)dx, ∫(cos x · x)dx, d/dx(1 + 2x),
    /// d/dx(x³ − 7x²), y(x+y) + ((x+2) − (x+x)), 1 / ((1+√five)/2 − (1−√five)/2).
    public static let seedTexts: [String] = [
        "(Integral (Ln (Var \"x\")) (Var \"x\"))",
        "(Integral (Add (Var \"x\") (Cos (Var \"x\"))) (Var \"x\"))",
        "(Integral (Mul (Cos (Var \"x\")) (Var \"x\")) (Var \"x\"))",
        "(Diff (Var \"x\") (Add (Const 1) (Mul (Const 2) (Var \"x\"))))",
        "(Diff (Var \"x\") (Sub (Pow (Var \"x\") (Const 3)) (Mul (Const 7) (Pow (Var \"x\") (Const 2)))))",
        "(Add (Mul (Var \"y\") (Add (Var \"x\") (Var \"y\"))) (Sub (Add (Var \"x\") (Const 2)) (Add (Var \"x\") (Var \"x\"))))",
        "(Div (Const 1) (Sub (Div (Add (Const 1) (Sqrt (Var \"five\"))) (Const 2)) (Div (Sub (Const 1) (Sqrt (Var \"five\"))) (Const 2))))",
    ]

    /// Adds the seed terms to `graph` and returns their e-classes.
    ///
    /// - Throws: ``EGraphError`` from the core.
    public static func addSeeds(to graph: EGraph, table: OperatorTable) throws -> [EClassID] {
        try seedTexts.map { text in
            try graph.add(try Pattern(parsing: text), table: table)
        }
    }
}
