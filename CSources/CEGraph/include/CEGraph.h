/* CEGraph: the native e-graph core of swift-egraph-fusion.
 *
 * One opaque handle (`eg_egraph`) owns every hot structure of an e-graph:
 *   - e-nodes in append-only struct-of-arrays storage: operator (u32), payload (u64, part of
 *     the node's identity), children (u32 class ids in one flat pool);
 *   - a hashcons (open addressing) from (op, payload, children) to the node;
 *   - a union-find over 32-bit ids with path halving;
 *   - per-class member rings, a per-operator index of live e-nodes;
 *   - a deferred rebuild that restores congruence closure by sequential scans (no parent
 *     lists are stored: parents are found by scanning, see eg_class_parents).
 *
 * Ids. A node's id is its class id at birth; its class is `eg_find(id)`. Ids are dense,
 * issued from 0 in order of creation, and never reused (except after `eg_rollback`).
 *
 * Live and dead nodes. When a rebuild finds two congruent nodes, one of them (the later
 * one to be re-canonicalised) becomes *dead*: it stays in storage (its id remains a valid
 * class id) but is no longer in the hashcons, the operator index or member enumeration,
 * nor in `eg_node_count`. Every live node is in the hashcons under its *stored* children;
 * there are never stale hashcons entries.
 *
 * Stored children. A node's stored children are canonical as of its insertion or of the
 * last rebuild that re-canonicalised it. After `eg_rebuild` returns, every live node's
 * stored children are canonical class ids.
 *
 * Errors. No function aborts on bad input: each returns an `eg_status` and writes its
 * results through out-parameters (which are left untouched unless stated). Ids the graph
 * never issued give `EG_ERR_BAD_ID`.
 *
 * Pointers returned by view functions stay valid until the next mutating call (add, union,
 * rebuild, rollback, reserve, set_iteration, destroy). `eg_find` is not a mutation in this
 * sense: its path halving rewrites union-find links in place but never moves memory.
 *
 * Not thread-safe: one graph is used by one thread at a time (distinct graphs are
 * independent). Every exported symbol starts with `eg_`. */
#ifndef CEGRAPH_H
#define CEGRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------
 * Basics
 * ------------------------------------------------------------------------------------- */

/** An e-graph. Opaque; create with `eg_create`, free with `eg_destroy`. */
typedef struct eg_egraph eg_egraph;

/** "No id": never a valid node or class id. */
#define EG_NONE UINT32_C(0xFFFFFFFF)
/** Largest number of nodes a graph can hold (ids are below this). */
#define EG_MAX_NODES UINT32_C(0x7FFFFFFF)
/** Operators are small dense integers below this bound (the operator index is an array). */
#define EG_MAX_OP UINT32_C(0x01000000)
/** In `eg_add_batch` children: refers to the id produced by entry `i` of the same batch
 *  (`i` must be smaller than the referring entry's index). */
#define EG_BATCH_REF(i) (UINT32_C(0x80000000) | (uint32_t)(i))
/** True when a batch child value is an `EG_BATCH_REF`. */
#define EG_IS_BATCH_REF(v) (((v) & UINT32_C(0x80000000)) != 0 && (v) != EG_NONE)

/** Closed set of results. */
typedef enum eg_status {
    EG_OK = 0,
    /** An allocation failed; the graph is unchanged (batch functions: see their notes). */
    EG_ERR_OUT_OF_MEMORY = 1,
    /** An id the graph never issued (or a batch reference to a later entry). */
    EG_ERR_BAD_ID = 2,
    /** A NULL pointer where one is required, an operator >= EG_MAX_OP, a decreasing
     *  iteration, or another malformed argument. */
    EG_ERR_BAD_ARGUMENT = 3,
    /** The id space (EG_MAX_NODES) or a 32-bit size is exhausted. */
    EG_ERR_CAPACITY = 4,
    /** A caller buffer is too small; the needed element count was written to `*count`. */
    EG_ERR_BUFFER_TOO_SMALL = 5,
    /** `eg_lookup` found no such e-node. */
    EG_ERR_NOT_FOUND = 6,
    /** The call is not valid in the graph's current state (e.g. rollback without an
     *  active checkpoint). */
    EG_ERR_STATE = 7,
    /** `eg_check` found a broken invariant (the message buffer says which). */
    EG_ERR_INVARIANT = 8,
} eg_status;

/** A static, human-readable name for a status ("ok", "out of memory", ...). */
const char *eg_status_name(eg_status status);

/** The allocator the core's memory comes from: "jemalloc" when built with the Jemalloc
 *  trait and jemalloc answers `mallctl("version")` at run time, otherwise "system". */
const char *eg_allocator_name(void);

/** Creates an empty graph in `*out`. O(1). */
eg_status eg_create(eg_egraph **out);

/** Frees a graph and everything it owns. NULL is accepted. */
void eg_destroy(eg_egraph *g);

/** Pre-sizes storage for `nodes` nodes holding `children` child slots in total, so that
 *  adding up to that many does not reallocate. Never shrinks. */
eg_status eg_reserve(eg_egraph *g, uint32_t nodes, uint64_t children);

/* ---------------------------------------------------------------------------------------
 * Adding e-nodes
 * ------------------------------------------------------------------------------------- */

/** Adds the e-node (op, payload, children) or finds an existing congruent one.
 *  Children are canonicalised with `eg_find` first. Writes the node's canonical class to
 *  `*out_class`; when the node is new, that is its own new id. Stamps a new node with the
 *  current iteration. Amortised O(arity). */
eg_status eg_add(eg_egraph *g, uint32_t op, uint64_t payload, const uint32_t *children,
                 uint32_t arity, uint32_t *out_class);

/** Adds `count` e-nodes in one call. Entry i is (ops[i], payloads[i],
 *  children[child_offsets[i] .. child_offsets[i+1]]); `child_offsets` has count+1 entries
 *  (non-decreasing). A child value may be `EG_BATCH_REF(j)` with j < i: the class produced
 *  by entry j. `out_classes[i]` receives entry i's canonical class.
 *  All ids, references and operators are validated before anything is added: on
 *  EG_ERR_BAD_ID / EG_ERR_BAD_ARGUMENT nothing changed and `*failed_index` (nullable) names
 *  the first bad entry. On EG_ERR_OUT_OF_MEMORY the entries before `*failed_index` were
 *  added. O(total arity). */
eg_status eg_add_batch(eg_egraph *g, uint32_t count, const uint32_t *ops,
                       const uint64_t *payloads, const uint32_t *child_offsets,
                       const uint32_t *children, uint32_t *out_classes,
                       uint32_t *failed_index);

/** Looks up the e-node (op, payload, children canonicalised) without adding it.
 *  EG_OK and its canonical class in `*out_class`, or EG_ERR_NOT_FOUND. Before a rebuild,
 *  a node congruent only through pending unions may be missed. */
eg_status eg_lookup(const eg_egraph *g, uint32_t op, uint64_t payload,
                    const uint32_t *children, uint32_t arity, uint32_t *out_class);

/* ---------------------------------------------------------------------------------------
 * Union-find
 * ------------------------------------------------------------------------------------- */

/** The canonical class of `id`, or EG_NONE if the graph never issued `id`.
 *  Path halving (disabled while a checkpoint is active). Amortised near O(1). */
uint32_t eg_find(eg_egraph *g, uint32_t id);

/** Like `eg_find`, but reports ids the graph never issued as EG_ERR_BAD_ID. */
eg_status eg_find_checked(eg_egraph *g, uint32_t id, uint32_t *out_class);

/** `out[i] = eg_find(ids[i])` for `count` ids; validated first (EG_ERR_BAD_ID with
 *  `*failed_index`, nothing written). */
eg_status eg_find_batch(eg_egraph *g, const uint32_t *ids, uint32_t count, uint32_t *out,
                        uint32_t *failed_index);

/** Merges the classes of `a` and `b` in the union-find at once (so `eg_find` sees it) and
 *  leaves congruence to `eg_rebuild`. The class with the smaller id (the older one,
 *  which more nodes point at) survives. Writes the surviving root to `*root`
 *  and whether two distinct classes were merged to `*merged` (both nullable). Each merge is
 *  appended to the merge log as (absorbed, survivor). O(1) plus a find. */
eg_status eg_union(eg_egraph *g, uint32_t a, uint32_t b, uint32_t *root, bool *merged);

/** `count` unions of (pairs[2i], pairs[2i+1]) in order; ids validated first (nothing done
 *  on EG_ERR_BAD_ID, `*failed_index` names the pair). `*merged_count` (nullable) receives
 *  how many merged two distinct classes. */
eg_status eg_union_batch(eg_egraph *g, const uint32_t *pairs, uint32_t count,
                         uint32_t *merged_count, uint32_t *failed_index);

/* ---------------------------------------------------------------------------------------
 * Rebuild and the merge log
 * ------------------------------------------------------------------------------------- */

/** Restores congruence closure after unions: scans the nodes in id order and
 *  re-canonicalises each live node with a child in a merged class (out of the hashcons,
 *  children rewritten to their roots, back in; when a congruent node is already there the
 *  scanned node dies and the two classes merge), repeating while a scan merged classes;
 *  then compacts the operator index. Writes the number of congruent merges it made to
 *  `*congruent_merges` (nullable). Discards an active checkpoint. Does nothing without
 *  unions since the last rebuild. Afterwards every live node's stored children are
 *  canonical and no two live nodes are congruent.
 *  O(scans x (nodes + children)) reading arrays sequentially, plus hashcons work for the
 *  re-canonicalised nodes; children being older than their parents, one or two scans
 *  usually suffice. */
eg_status eg_rebuild(eg_egraph *g, uint32_t *congruent_merges);

/** Number of merges since the last rebuild (0 means the graph is congruence-closed). */
uint32_t eg_pending_count(const eg_egraph *g);

/** The merge log: every merge since the last `eg_clear_merges` (explicit unions and the
 *  congruent merges of rebuilds), in the order performed, as `*count` pairs
 *  (`pairs[2i]` absorbed root, `pairs[2i+1]` surviving root at that moment). Replaying it
 *  in order tells analyses how to combine per-class data. */
eg_status eg_merges(const eg_egraph *g, const uint32_t **pairs, uint32_t *count);

/** Empties the merge log (keeps its memory for reuse, shrinking it if large). */
void eg_clear_merges(eg_egraph *g);

/* ---------------------------------------------------------------------------------------
 * Counts, classes, members, parents
 * ------------------------------------------------------------------------------------- */

/** Live e-nodes: nodes added minus nodes found congruent (dead). After a rebuild this is
 *  the exact number of canonical e-nodes. O(1). */
uint32_t eg_node_count(const eg_egraph *g);
/** All nodes ever appended, live or dead (the next new id). O(1). */
uint32_t eg_total_node_count(const eg_egraph *g);
/** Canonical classes (union-find roots), exact at any time. O(1). */
uint32_t eg_class_count(const eg_egraph *g);

/** Whether node `id` is live (EG_ERR_BAD_ID for ids never issued). */
eg_status eg_node_is_live(const eg_egraph *g, uint32_t id, bool *live);

/** Reads one node: its operator, payload and stored children (pointer valid until the next
 *  mutation). Any of the out-parameters may be NULL. */
eg_status eg_node(const eg_egraph *g, uint32_t id, uint32_t *op, uint64_t *payload,
                  const uint32_t **children, uint32_t *arity);

/** Canonical class ids in ascending order. `cap` is the capacity of `out`; `*count`
 *  receives the class count (EG_ERR_BUFFER_TOO_SMALL when it exceeds `cap`). O(nodes). */
eg_status eg_class_ids(const eg_egraph *g, uint32_t *out, uint32_t cap, uint32_t *count);

/** The first canonical class id >= `start`, or EG_NONE: iterates classes in ascending
 *  order without a buffer (`for (c = eg_next_class(g, 0); c != EG_NONE;
 *  c = eg_next_class(g, c + 1))`). O(distance scanned). */
uint32_t eg_next_class(const eg_egraph *g, uint32_t start);

/** The live member nodes of the class of `id`, ascending. Buffer protocol as
 *  `eg_class_ids`. O(class size log class size). */
eg_status eg_class_members(eg_egraph *g, uint32_t id, uint32_t *out, uint32_t cap,
                           uint32_t *count);

/** The distinct live nodes that have a child in the class of `id`, ascending. Buffer
 *  protocol as `eg_class_ids`. The core keeps no parent lists (they would cost 4 bytes per
 *  child slot); this scans every node: O(nodes + children). */
eg_status eg_class_parents(eg_egraph *g, uint32_t id, uint32_t *out, uint32_t cap,
                           uint32_t *count);

/** The whole partition at once, in caller buffers (sizes from `eg_class_count` and
 *  `eg_node_count`): `class_ids[k]` the k-th canonical class (ascending), its live nodes
 *  `nodes[offsets[k] .. offsets[k+1])` ascending; `offsets` has class_count+1 entries.
 *  Any `cap` too small gives EG_ERR_BUFFER_TOO_SMALL (nothing written). O(nodes). */
eg_status eg_class_index(eg_egraph *g, uint32_t *class_ids, uint32_t class_cap,
                         uint32_t *offsets, uint32_t offsets_cap, uint32_t *nodes,
                         uint32_t nodes_cap);

/* ---------------------------------------------------------------------------------------
 * Raw read access for scans (no per-node calls)
 * ------------------------------------------------------------------------------------- */

/** Pointers into the core's arrays, valid until the next mutation (see the top note).
 *  Node i: `ops[i]`, `payloads[i]`, stored children
 *  `children[child_offsets[i] .. child_offsets[i+1])`. Node i is dead iff bit (i % 64) of
 *  `dead_bits[i / 64]` is set. `uf_links` are union-find links (a root links to itself;
 *  follow links to find a root without mutating). */
typedef struct eg_nodes_view {
    uint32_t count;               /* nodes ever appended (== eg_total_node_count) */
    const uint32_t *ops;          /* count */
    const uint64_t *payloads;     /* count */
    const uint32_t *child_offsets; /* count + 1 */
    const uint32_t *children;     /* child_offsets[count] */
    const uint64_t *dead_bits;    /* (count + 63) / 64 */
    const uint32_t *uf_links;     /* count */
} eg_nodes_view;

/** Fills `*view`. O(1). */
eg_status eg_nodes(const eg_egraph *g, eg_nodes_view *view);

/** The live nodes with operator `op`, ascending, as a pointer into the operator index
 *  (valid until the next mutation); an operator never used gives count 0. O(1). */
eg_status eg_op_nodes(const eg_egraph *g, uint32_t op, const uint32_t **nodes,
                      uint32_t *count);

/** One more than the largest operator ever added (0 for an empty graph). */
uint32_t eg_op_bound(const eg_egraph *g);

/* ---------------------------------------------------------------------------------------
 * Iteration stamps
 *
 * Every node is stamped with the graph's current iteration when it is created. Because
 * storage is append-only and the iteration never decreases, a stamp is a range of ids:
 * the nodes of iteration >= k are exactly the ids >= eg_iteration_first_node(g, k). The
 * core stores one boundary per iteration, not one stamp per node.
 * ------------------------------------------------------------------------------------- */

/** Sets the current iteration (new nodes get this stamp). It must not decrease
 *  (EG_ERR_BAD_ARGUMENT). The initial iteration is 0. */
eg_status eg_set_iteration(eg_egraph *g, uint32_t iteration);
/** The current iteration. */
uint32_t eg_iteration(const eg_egraph *g);
/** The iteration that created node `id`. O(log iterations). */
eg_status eg_node_iteration(const eg_egraph *g, uint32_t id, uint32_t *iteration);
/** The smallest id stamped with an iteration >= `iteration` (the total node count when
 *  there is none): nodes newer than a search done in iteration k-1 are the ids >= this
 *  for k. O(log iterations). */
uint32_t eg_iteration_first_node(const eg_egraph *g, uint32_t iteration);

/* ---------------------------------------------------------------------------------------
 * Checkpoint and rollback
 *
 * `eg_checkpoint` remembers the graph's state; `eg_rollback` returns to it exactly:
 * every node appended since is removed (hashcons entries, operator index, member
 * entries, iteration boundaries; their ids will be issued again), and every union
 * since is undone (union-find links, member rings, class count, the pending-merge count;
 * the merge log is truncated to its length at the checkpoint, or stays empty if cleared
 * since). The current iteration is not changed. Lookups, finds and reads are unaffected.
 * While a checkpoint is active, `eg_find` does not halve paths (so unions can be
 * undone). `eg_rebuild` and `eg_destroy` discard an active checkpoint; rollback is only
 * possible between a checkpoint and the next rebuild. One checkpoint at a time: a new
 * `eg_checkpoint` replaces the old one. Memory: O(unions since the checkpoint).
 * ------------------------------------------------------------------------------------- */

/** Takes a checkpoint (replacing any active one). O(1). */
eg_status eg_checkpoint(eg_egraph *g);
/** Returns to the active checkpoint (EG_ERR_STATE if there is none). The checkpoint stays
 *  active. O(work undone). */
eg_status eg_rollback(eg_egraph *g);
/** Discards the active checkpoint, keeping everything done since. */
void eg_discard_checkpoint(eg_egraph *g);
/** Whether a checkpoint is active. */
bool eg_has_checkpoint(const eg_egraph *g);

/* ---------------------------------------------------------------------------------------
 * Checking and memory
 * ------------------------------------------------------------------------------------- */

/** Full invariant check (for tests): union-find links in range; each live node in the
 *  hashcons under its stored children, dead nodes not; member rings consistent with the
 *  union-find; counts exact; the operator index holds exactly the live nodes. When no
 *  unions are pending, also: stored children canonical and no two live nodes congruent.
 *  EG_OK or EG_ERR_INVARIANT with a message in `message` (nullable, `capacity` bytes,
 *  NUL-terminated). O(nodes + children). */
eg_status eg_check(eg_egraph *g, char *message, size_t capacity);

/** Bytes the core holds for this graph now and at peak (every array and table it
 *  allocated, at its allocated capacity). */
typedef struct eg_memory_stats {
    uint64_t current_bytes;
    uint64_t peak_bytes;
} eg_memory_stats;

/** Fills `*stats`. O(1). */
eg_status eg_memory(const eg_egraph *g, eg_memory_stats *stats);
/** Sets the peak to the current value (to measure a phase). */
void eg_reset_peak_memory(eg_egraph *g);

#ifdef __cplusplus
}
#endif
/* E-matching: the pattern VM over snapshots and batch right-hand-side application. */
#include "CEGraphMatch.h"

#endif /* CEGRAPH_H */
