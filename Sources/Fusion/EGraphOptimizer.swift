import EGraphKit
import Logging
import TensorGraph

/// The ``OptimizationStrategy/egraph`` strategy: encode, saturate, extract, rebuild.
struct EGraphOptimizer {
    let input: Graph
    /// The live nodes of `input` in a topological order, and their input count (from the
    /// structure check).
    let structure: GraphStructure
    let options: OptimizeOptions
    /// Filled in by ``run()``.
    private(set) var report: OptimizeReport

    init(graph: Graph, structure: GraphStructure, options: OptimizeOptions) {
        input = graph
        self.structure = structure
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
        let encoding = try GraphEncoding(input, structure: structure, into: egraph, language: language)
        report.encodeTime = Fusion.seconds(since: clock)
        logger.debug("encoded \(input.count) nodes as \(egraph.nodeCount) e-nodes")

        // Saturate.
        clock = ContinuousClock.now
        let facts = ClassFactsTable(graph: egraph, language: language)
        let context = FusionRuleContext(graph: egraph, language: language, facts: facts,
                                        parameters: encoding.derivedLookingParameters,
                                        mayCreateParameters: input.paramGradOutputs == 0)
        let rules = try FusionRules.make(context, mode: options.mode, optIns: options.optIns)
        let limits = options.limits
        let runner = try Runner(graph: egraph, table: language.table, rules: rules,
                                iterationLimit: limits.maxIterations, nodeLimit: limits.maxNodes,
                                timeLimit: limits.timeLimit, scheduler: .simple, logger: logger)
        let run = try runner.run()
        context.finishSaturation()
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
        let extraction = egraph.withNodeStorage { storage in
            FusionExtractor(storage: storage, encoding: encoding,
                            ownCost: Self.enodeCosts(storage, language: language, model: costModel),
                            absorbed: context.absorbed)
        }
        report.extractTime = Fusion.seconds(since: clock)

        // Rebuild.
        clock = ContinuousClock.now
        var rebuild = GraphRebuild(input: input, encoding: encoding, extraction: extraction, language: language,
                                   egraph: egraph, derivedRecords: context.derivedRecords)
        let optimized = rebuild.run()
        report.rebuildTime = Fusion.seconds(since: clock)
        report.fusions = rebuild.fusions
        report.nodesAfter = rebuild.activeCount
        report.costBefore = rebuild.costBefore
        report.costAfter = rebuild.costAfter
        return optimized
    }

    /// The cost of every e-node (live or not) as a kernel: its payload's op and type, its
    /// children's types. Each payload's kernel class and output facts are computed once.
    ///
    /// The members of a class share their type (rewrites equate tensors of one type), so a
    /// child's own type is its class's. An e-node of the input graph therefore costs what
    /// its node costs in ``CostModel/cost(of:)-(Graph)``, which gives the report's costs
    /// without another pass over the graphs.
    ///
    /// - Complexity: O(N + E + P + T) for N e-nodes, E child edges, P payloads and T types.
    static func enodeCosts(_ storage: ENodeStorage, language: FusionLanguage, model: CostModel) -> [Double] {
        let types = language.types.map(TypeFacts.init)
        let parameter = language.parameter, input = FusionLanguage.IDs.input,
            constant = FusionLanguage.IDs.constant
        // Per payload: its kernel class (`nil`: free under `model`) and its output's facts
        // (read in place, no copy of a payload; leaves without reading their op).
        let payloads = language.payloads
        var kernels = [KernelClass?](repeating: nil, count: payloads.count)
        let facts = [TypeFacts](unsafeUninitializedCapacity: payloads.count) { facts, initialized in
            language.withOps { opOf in
            payloads.withUnsafeBufferPointer { payloads in
            types.withUnsafeBufferPointer { types in
            kernels.withUnsafeMutableBufferPointer { kernels in
                for p in 0..<payloads.count {
                    let entry = payloads.baseAddress! + p
                    facts[p] = types[Int(entry.pointee.typeID)]
                    let op = entry.pointee.operatorID
                    guard op != parameter, op != input, op != constant else { continue }
                    let kernel = KernelClass.of(opOf(p))
                    if !kernel.isFree(model) { kernels[p] = kernel }
                }
            }
            }
            }
            }
            initialized = payloads.count
        }
        let childStart = storage.childOffsets, children = storage.children, nodePayload = storage.payloads
        return [Double](unsafeUninitializedCapacity: storage.count) { cost, initialized in
            kernels.withUnsafeBufferPointer { kernels in
                facts.withUnsafeBufferPointer { facts in
                    for n in 0..<storage.count {
                        let p = Int(truncatingIfNeeded: nodePayload[n])
                        guard let kernel = kernels[p] else {
                            cost[n] = 0
                            continue
                        }
                        let first = Int(childStart[n])
                        // A child's type: its own payload's (members of a class share it).
                        cost[n] = model.kernelCost(kernel, output: facts[p], inputCount: Int(childStart[n + 1]) - first) {
                            facts[Int(truncatingIfNeeded: nodePayload[Int(children[first &+ $0])])]
                        }
                    }
                }
            }
            initialized = storage.count
        }
    }
}
