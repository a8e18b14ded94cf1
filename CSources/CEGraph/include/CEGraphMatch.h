/* CEGraph e-matching: a small pattern-matching VM over a snapshot of the graph, and the
 * batch application of right-hand sides. Included by CEGraph.h; every symbol is eg_.
 *
 * Use per iteration of equality saturation:
 *   1. `eg_matcher_snapshot` on a clean graph (no pending unions) indexes the live nodes
 *      by operator and each class's members by (operator, id);
 *   2. `eg_search` runs a compiled pattern against that snapshot in batches; adds and
 *      unions made meanwhile do not change what it sees, so every rule of an iteration
 *      searches the same e-graph even though matches are applied as they are found;
 *   3. `eg_apply` instantiates a compiled right-hand side for a batch of matches and
 *      unions each result with its match's root class;
 *   4. after `eg_rebuild`, `eg_matcher_stamp_merges` records which classes changed, so
 *      that a later semi-naive search keeps only matches that touch something new.
 *
 * Pattern program (u32 words), produced by EGraphKit's pattern compiler:
 *   [0] class registers  [1] payload registers  [2] output words per match (stride)
 *   [3] k, then k class registers to output, then j, then j payload registers to output
 *       (each payload output takes two words, low then high)
 *   then instructions:
 *     EG_OP_BIND in_reg op arity pmode p0 p1 out_base   (8 words)
 *        in_reg == EG_NONE for the root: iterate the live nodes of `op`, root class in
 *        register 0; otherwise iterate the members of class `in_reg` with operator `op`.
 *        pmode: EG_PAYLOAD_ANY, EG_PAYLOAD_EQUAL (p0 low, p1 high), EG_PAYLOAD_BIND
 *        (payload register p0), EG_PAYLOAD_SAME (payload register p0). Children go to
 *        class registers out_base ..< out_base + arity.
 *     EG_OP_COMPARE a b                                  (3 words) class regs equal
 *     EG_OP_YIELD                                        (1 word)
 *
 * Right-hand-side program (u32 words):
 *   [0] n nodes  [1] root source  then per node: op arity pmode p0 p1 then arity sources.
 *   pmode EG_PAYLOAD_EQUAL: the constant (p0 low, p1 high); EG_PAYLOAD_BIND: the payload
 *   is match word p0 (low) and p0 + 1 (high). A source is a match word index, or
 *   EG_RHS_NODE(i) for the class of the right-hand side's node i (i earlier).
 */
#ifndef CEGRAPH_MATCH_H
#define CEGRAPH_MATCH_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Matching state for one graph: the snapshot index and per-class change stamps. */
typedef struct eg_matcher eg_matcher;

enum {
    EG_OP_BIND = 1,
    EG_OP_COMPARE = 2,
    EG_OP_YIELD = 3,
};

enum {
    EG_PAYLOAD_ANY = 0,
    EG_PAYLOAD_EQUAL = 1,
    EG_PAYLOAD_BIND = 2,
    EG_PAYLOAD_SAME = 3,
};

/** A right-hand-side source naming the class of its node `i`. */
#define EG_RHS_NODE(i) (UINT32_C(0x80000000) | (uint32_t)(i))

/** Creates an empty matcher. */
eg_status eg_matcher_create(eg_matcher **out);

/** Frees a matcher (NULL accepted). */
void eg_matcher_destroy(eg_matcher *m);

/** Indexes the live nodes of `g` (which must have no pending unions: EG_ERR_STATE) by
 *  operator and each class's members by (operator, id). Replaces any earlier snapshot.
 *  O(nodes + ids). */
eg_status eg_matcher_snapshot(eg_matcher *m, eg_egraph *g);

/** `eg_matcher_snapshot` indexing only the nodes of the operators with `wanted[op] != 0`
 *  (`op < wanted_count`; NULL: every operator). A search whose pattern binds only wanted
 *  operators finds the same matches as with the full snapshot; the others find none.
 *  O(wanted nodes + ids). */
eg_status eg_matcher_snapshot_ops(eg_matcher *m, eg_egraph *g, const uint8_t *wanted,
                                  uint32_t wanted_count);

/** Frees the snapshot's memory (the class stamps stay). */
void eg_matcher_release_snapshot(eg_matcher *m);

/** Reads `g`'s merge log and stamps the final class of every merge with `iteration`.
 *  Call after `eg_rebuild` and before the log is cleared. O(merges). */
eg_status eg_matcher_stamp_merges(eg_matcher *m, eg_egraph *g, uint32_t iteration);

/** Bytes the matcher holds now (snapshot, stamps, buffers). */
uint64_t eg_matcher_memory(const eg_matcher *m);

/** The most bytes the matcher held at once since it was created or its peak was reset. */
uint64_t eg_matcher_peak_memory(const eg_matcher *m);

/** Sets the matcher's peak to its current bytes (to measure one run). */
void eg_matcher_reset_peak_memory(eg_matcher *m);

/** Runs `program` against the snapshot from root position `*cursor` on, until at least
 *  `batch_target` matches are found or the roots run out, and advances `*cursor`
 *  (`*done` tells whether every root was visited). The matches, `stride` words each, are
 *  in `*matches` (owned by the matcher, valid until its next search or destroy).
 *  Semi-naive when `since` > 0: only matches with a node created in iteration >= `since`
 *  or a class stamped >= `since` are returned. EG_ERR_BAD_ARGUMENT on a malformed
 *  program. O(work of the backtracking search over the visited roots). */
eg_status eg_search(eg_matcher *m, const eg_egraph *g, const uint32_t *program,
                    uint32_t program_len, uint32_t since, uint32_t *cursor,
                    uint32_t batch_target, const uint32_t **matches, uint32_t *count,
                    bool *done);

/** Instantiates `rhs` for each of `count` matches (rows of `stride` words; a row is
 *  skipped where `mask` (nullable) is 0) and unions the result with the row's word 0 (the
 *  match's root class). Stops early, after the row that made the graph exceed
 *  `node_limit` live nodes (0: no limit), setting `*limit_hit`. `*processed` receives the
 *  rows handled, `*merged` how many unions merged two classes. O(rows · rhs size). */
eg_status eg_apply(eg_matcher *m, eg_egraph *g, const uint32_t *rhs, uint32_t rhs_len,
                   const uint32_t *matches, uint32_t count, uint32_t stride,
                   const uint8_t *mask, uint32_t node_limit, uint32_t *processed,
                   uint32_t *merged, bool *limit_hit);

/** How many nodes of operator `op` the current snapshot holds (the roots a pattern with
 *  that root operator would try); 0 without a snapshot. O(1). */
uint32_t eg_matcher_root_count(const eg_matcher *m, uint32_t op);

/** Like `eg_apply`, with every union deferred to the end of the batch (each row's nodes are
 *  added against the graph as the previous batches left it, as a custom applier that
 *  returns its unions would), and with probes: for each row whose right-hand side root
 *  node was created by that row, `created[r]` receives that node and `probe_classes[r *
 *  n_probes + k]` the class of probe k (or EG_NONE), else `created[r]` is EG_NONE (masked
 *  rows too). Probes use the right-hand-side node format (`[0]` n probes, then per probe:
 *  op arity pmode p0 p1 and arity match words) and are looked up as `eg_lookup` does,
 *  never added. `*merged` receives how many unions merged two classes. No node limit:
 *  the caller checks the node count afterwards. O(rows · (rhs + probes) size). */
eg_status eg_apply_probed(eg_matcher *m, eg_egraph *g, const uint32_t *rhs, uint32_t rhs_len,
                          const uint32_t *probes, uint32_t probes_len,
                          const uint32_t *matches, uint32_t count, uint32_t stride,
                          const uint8_t *mask, uint32_t *created, uint32_t *probe_classes,
                          uint32_t *merged);

#ifdef __cplusplus
}
#endif
#endif /* CEGRAPH_MATCH_H */
