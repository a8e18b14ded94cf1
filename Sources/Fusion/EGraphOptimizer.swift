import EGraphKit
import Logging
import TensorGraph

/// The ``OptimizationStrategy/egraph`` strategy: encode, saturate, extract, rebuild.
struct EGraphOptimizer {
    let input: Graph
    /// The live nodes of `input` in a topological order (from the structure check).
    let order: [Int]
    let options: OptimizeOptions
    /// Filled in by ``run()``.
    private(set) var report: OptimizeReport

    init(graph: Graph, order: [Int], options: OptimizeOptions) {
        input = graph
        self.order = order
        self.options = options
        report = OptimizeReport(
            strategy: .egraph, input: graph, eclassCount: 0, enodeCount: 0, iterations: 0,
            stopReason: .notRun, nodesBefore: graph.count, nodesAfter: 0, fusions: [],
            ruleMatches: [], costBefore: 0, costAfter: 0, encodeTime: 0, saturationTime: 0,
            extractTime: 0, rebuildTime: 0, totalTime: 0)
    }

    /// Runs the four phases and returns the optimized graph.
    mutating func run() throws(FusionError) -> Graph {
        do {
            return try runPhases()
        } catch let error as FusionError {
            throw error
        } catch {
            throw FusionError(.engine, node: nil, message: "the e-graph engine failed: \(error)")
        }
    }

    private mutating func runPhases() throws -> Graph {
        let logger = options.logger
        // Encode.
        var clock = ContinuousClock.now
        let language = FusionLanguage()
        let egraph = EGraph()
        let encoding = try GraphEncoding(input, order: order, into: egraph, language: language)
        report.encodeTime = Fusion.seconds(since: clock)
        logger.debug("encoded \(input.count) nodes as \(egraph.nodeCount) e-nodes")

        // Saturate.
        clock = ContinuousClock.now
        let facts = ClassFactsTable(graph: egraph, language: language)
        let context = FusionRuleContext(graph: egraph, language: language, facts: facts,
                                        parameters: encoding.parameterClasses,
                                        mayCreateParameters: input.paramGradOutputs == 0)
        let rules = try FusionRules.make(context, mode: options.mode, optIns: options.optIns)
        let limits = options.limits
        let runner = try Runner(graph: egraph, table: language.table, rules: rules,
                                iterationLimit: limits.maxIterations, nodeLimit: limits.maxNodes,
                                timeLimit: limits.timeLimit, scheduler: .simple, logger: logger)
        let run = try runner.run()
        report.saturationTime = Fusion.seconds(since: clock)
        report.iterations = run.iterations.count
        report.eclassCount = run.eclasses
        report.enodeCount = run.enodes
        report.stopReason = SaturationStop(rawValue: run.stopReason.rawValue) ?? .saturated
        report.ruleMatches = run.rules.map { ($0.name, $0.matches) }
        logger.debug("saturation: \(run.iterations.count) iterations, \(run.enodes) e-nodes, stop: \(run.stopReason)")

        // Extract.
        clock = ContinuousClock.now
        let costModel = options.costModel
        let (extraction, homes): (FusionExtractor, [Int32]) = egraph.withNodeStorage { storage in
            let canonical = FusionExtractor.canonicalClasses(storage)
            let classType = Self.classTypes(storage, canonical: canonical, language: language)
            var ownCost = [Double](repeating: .infinity, count: storage.count)
            // The language's tables are read through local copies (no access check or
            // retain of the class's arrays per e-node).
            let payloads = language.payloads, types = language.types
            payloads.withUnsafeBufferPointer { payloads in
                types.withUnsafeBufferPointer { types in
                    for n in 0..<storage.count where storage.isLive(n) {
                        let p = Int(storage.payloads[n])
                        let kids = storage.children(of: n)
                        ownCost[n] = costModel.kernelCost(payloads[p].op, output: payloads[p].type,
                                                          inputCount: kids.count) {
                            types[Int(classType[Int(kids[$0])])]
                        }
                    }
                }
            }
            var absorbed: [UInt32: [UInt32]] = [:]
            for (node, classes) in context.absorbed { absorbed[node] = classes.map(\.rawValue) }
            let homes = encoding.homes(canonical: canonical)
            return (FusionExtractor(storage: storage, canonical: canonical, originalCount: encoding.originalCount,
                                    ownCost: ownCost, roots: encoding.roots(storage, homes: homes, canonical: canonical),
                                    absorbed: absorbed), homes)
        }
        report.extractTime = Fusion.seconds(since: clock)

        // Rebuild.
        clock = ContinuousClock.now
        var rebuild = GraphRebuild(input: input, encoding: encoding, extraction: extraction, homes: homes,
                                   language: language, egraph: egraph,
                                   derivedRecords: context.derivedRecords)
        let optimized = rebuild.run()
        report.rebuildTime = Fusion.seconds(since: clock)
        report.fusions = rebuild.fusions
        report.nodesAfter = optimized.activeCount
        report.costBefore = costModel.cost(of: input)
        report.costAfter = costModel.cost(of: optimized)
        return optimized
    }

    /// The type id of every canonical class, read from its members' payloads.
    static func classTypes(_ storage: ENodeStorage, canonical: [UInt32], language: FusionLanguage) -> [UInt32] {
        var types = [UInt32](repeating: 0, count: storage.count)
        language.payloads.withUnsafeBufferPointer { payloads in
            for n in 0..<storage.count where storage.isLive(n) {
                types[Int(canonical[n])] = payloads[Int(storage.payloads[n])].typeID
            }
        }
        return types
    }
}
