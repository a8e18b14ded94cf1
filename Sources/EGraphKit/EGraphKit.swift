// EGraphKit: a general e-graph library over the native core in CEGraph.
//
// `EGraph` owns a core handle; `EClassID`, `ENode` and `ENodeBatch` are plain values.
// Hot loops stay in C: batches cross the boundary once, and scans read the core's arrays
// through `EGraph.withNodeStorage(_:)`.
