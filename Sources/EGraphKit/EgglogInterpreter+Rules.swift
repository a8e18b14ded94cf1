extension EgglogInterpreter {
    /// The engine's rewrite for a checked egglog rule: variables become pattern variables
    /// `v0`, `v1`, … (so `x` and `?x` can never collide), literals stay literals.
    static func rewrite(_ rule: EgglogRule, signature: EgglogSignature) -> Rewrite {
        Rewrite(rule.name, pattern(rule.lhs, signature), pattern(rule.rhs, signature))
    }

    static func pattern(_ term: EgglogTerm, _ signature: EgglogSignature) -> Pattern {
        switch term {
        case .apply(let constructor, let arguments):
            return .apply(signature.constructors[constructor].name, arguments.map { pattern($0, signature) })
        case .integer(let v): return .literal(.int(v))
        case .float(let v): return .literal(.float(v))
        case .string(let v): return .literal(.string(v))
        case .variable(let index): return .variable("v\(index)")
        case .global:
            preconditionFailure("a checked rule refers to no global")
        }
    }
}
