/* Internal layout of the e-graph core, shared by the core's C files (not part of the public
 * header). Every function declared here is hidden and still carries the eg_ prefix. */
#ifndef CEGRAPH_EGRAPH_INTERNAL_H
#define CEGRAPH_EGRAPH_INTERNAL_H

#include "CEGraph.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EG_HIDDEN __attribute__((visibility("hidden")))

/* ---- allocation: the one place the core gets memory from (alloc.c) ---- */

/** Byte accounting of one graph: every allocation is charged at its requested size. */
typedef struct eg_mem {
    uint64_t current;
    uint64_t peak;
} eg_mem;

EG_HIDDEN void *eg_mem_alloc(eg_mem *m, size_t bytes);
/* Resizes `p` from `old_bytes` to `new_bytes` (p may be NULL with old_bytes 0). On failure
 * returns NULL and leaves `p` valid. */
EG_HIDDEN void *eg_mem_realloc(eg_mem *m, void *p, size_t old_bytes, size_t new_bytes);
EG_HIDDEN void eg_mem_free(eg_mem *m, void *p, size_t bytes);

/* Capacity growth: 1.5x, 1.25x for large arrays (at least `needed`, at least `minimum`).
 * Saturates at UINT32_MAX. */
EG_HIDDEN uint32_t eg_grow_capacity(uint32_t current, uint64_t needed, uint32_t minimum);

/** A growable u32 array owned by a graph. */
typedef struct eg_vec {
    uint32_t *data;
    uint32_t len;
    uint32_t cap;
} eg_vec;

/* Ensures room for `extra` more elements; false on OOM/overflow (vector unchanged). */
EG_HIDDEN bool eg_vec_reserve(eg_mem *m, eg_vec *v, uint64_t extra);
EG_HIDDEN bool eg_vec_push(eg_mem *m, eg_vec *v, uint32_t x);
EG_HIDDEN void eg_vec_free(eg_mem *m, eg_vec *v);
/* Frees the buffer when it holds more than `keep` elements of capacity and is empty. */
EG_HIDDEN void eg_vec_shrink_if_empty(eg_mem *m, eg_vec *v, uint32_t keep);

/* ---- the graph ---- */

/* One record per union made while a checkpoint is active (see union.c). */
typedef struct eg_undo_union {
    uint32_t absorbed;
    uint32_t survivor;
    uint32_t nodes_before; /* total node count when the union was made */
} eg_undo_union;

struct eg_egraph {
    eg_mem mem;

    /* nodes: struct of arrays, capacity node_cap (child_offsets has node_cap + 1) */
    uint32_t n;        /* nodes ever appended */
    uint32_t node_cap;
    uint32_t *ops;
    uint64_t *payloads;
    uint32_t *child_offsets;
    uint64_t *dead_bits;     /* (node_cap + 63) / 64 words */
    uint64_t *child_bits;    /* bit x: node x was written as some node's child (never
                                cleared; a set bit only makes a rebuild scan) */
    uint32_t *uf;            /* union-find links; a root links to itself */
    uint32_t *member_next;   /* member ring: next node of the same class */

    /* child slots ("edges"): capacity edge_cap */
    uint32_t edges;          /* child slots used (== child_offsets[n]) */
    uint32_t edge_cap;
    uint32_t *children;

    uint32_t live;           /* live nodes */
    uint32_t classes;        /* union-find roots */

    /* hashcons: linear probing; ctrl byte 0 empty, 1 tombstone, 0x80|tag full */
    uint8_t *hc_ctrl;
    uint32_t *hc_slots;
    uint32_t hc_cap;
    uint32_t hc_full;
    uint32_t hc_tombs;

    /* operator index */
    eg_vec *op_lists;        /* op_cap lists; ops below op_bound used */
    uint32_t *op_dead;       /* dead nodes still listed, per op */
    uint32_t op_bound;
    uint32_t op_cap;
    bool op_index_dirty;

    uint32_t pending;        /* merges since the last completed rebuild scan */
    bool scan_unfinished;    /* a rebuild scan stopped early: the next one scans all */
    eg_vec merges;           /* merge log: (absorbed, survivor) pairs */

    uint32_t iteration;
    eg_vec boundaries;       /* (iteration, first node) pairs, iteration increasing */

    /* checkpoint */
    bool cp_active;
    uint32_t cp_nodes;
    uint32_t cp_pending;
    uint32_t cp_merges;
    eg_undo_union *undo;
    uint32_t undo_len;
    uint32_t undo_cap;

    /* scratch for queries */
    eg_vec scratch_a;
};

static inline bool eg_is_dead(const eg_egraph *g, uint32_t id) {
    return (g->dead_bits[id >> 6] >> (id & 63)) & 1u;
}

#define EG_MAX_EDGES UINT32_C(0xFFFFFFFE)

static inline bool eg_is_root(const eg_egraph *g, uint32_t x) { return g->uf[x] == x; }

static inline bool eg_bit(const uint64_t *bits, uint32_t i) {
    return (bits[i >> 6] >> (i & 63)) & 1u;
}

static inline uint32_t eg_find_nocompress(const eg_egraph *g, uint32_t x) {
    const uint32_t *uf = g->uf;
    while (uf[x] != x) x = uf[x];
    return x;
}

/* Find with path halving unless a checkpoint is active. `x` must be a valid id. */
static inline uint32_t eg_find_root(eg_egraph *g, uint32_t x) {
    uint32_t *uf = g->uf;
    if (g->cp_active) return eg_find_nocompress(g, x);
    while (uf[x] != x) {
        uint32_t gp = uf[uf[x]];
        uf[x] = gp;
        x = gp;
    }
    return x;
}

/* ---- hashcons (hashcons.c; the hash and the probe are here, inline for the add paths) ---- */

/* Control bytes: empty, tombstone, or 0x80 | 7 hash bits for a full slot. */
enum { EG_CTRL_EMPTY = 0, EG_CTRL_TOMB = 1 };

static inline uint64_t eg_rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

/* The node hash, in three steps so that a loop that produces the children can hash them as
 * it goes: eg_hash_start, eg_hash_child for each child in order, eg_hash_finish. */
static inline uint64_t eg_hash_start(uint32_t op, uint64_t payload, uint32_t arity) {
    const uint64_t k = UINT64_C(0x9E3779B97F4A7C15);
    uint64_t h = ((uint64_t)op + (uint64_t)arity * 0x100000000ull) * k;
    return (eg_rotl(h, 23) ^ payload) * k;
}

static inline uint64_t eg_hash_child(uint64_t h, uint32_t child) {
    return (eg_rotl(h, 23) ^ child) * UINT64_C(0x9E3779B97F4A7C15);
}

static inline uint64_t eg_hash_finish(uint64_t h) {
    h ^= h >> 29;
    h *= UINT64_C(0xBF58476D1CE4E5B9);
    h ^= h >> 32;
    return h;
}

static inline uint64_t eg_hash_node(uint32_t op, uint64_t payload, const uint32_t *children,
                                    uint32_t arity) {
    uint64_t h = eg_hash_start(op, payload, arity);
    for (uint32_t i = 0; i < arity; i++) h = eg_hash_child(h, children[i]);
    return eg_hash_finish(h);
}

/* A key's first slot in a table of `cap` slots (multiply-shift of the hash's low 32 bits). */
static inline uint32_t eg_hc_home(uint64_t hash, uint32_t cap) {
    return (uint32_t)(((uint64_t)(uint32_t)hash * cap) >> 32);
}

/* The control byte of a full slot holding a key with this hash. */
static inline uint8_t eg_hc_tag(uint64_t hash) { return (uint8_t)(0x80u | (hash >> 57)); }

static inline bool eg_key_equal(const eg_egraph *g, uint32_t id, uint32_t op,
                                uint64_t payload, const uint32_t *children, uint32_t arity) {
    if (g->ops[id] != op || g->payloads[id] != payload) return false;
    uint32_t b = g->child_offsets[id];
    if (g->child_offsets[id + 1] - b != arity) return false;
    const uint32_t *stored = g->children + b;
    for (uint32_t k = 0; k < arity; k++)
        if (stored[k] != children[k]) return false; /* arities are small: no memcmp call */
    return true;
}

/* The live node with this key, or EG_NONE. When `slot` is not NULL and the key is absent,
 * `*slot` is where it goes (what eg_hc_insert would pick: the first tombstone or empty
 * slot of its probe path; EG_NONE for a table without slots), valid until the table
 * changes. One probe serves both the lookup and the insertion. */
static inline uint32_t eg_hc_probe(const eg_egraph *g, uint64_t hash, uint32_t op,
                                   uint64_t payload, const uint32_t *children, uint32_t arity,
                                   uint32_t *slot) {
    uint32_t cap = g->hc_cap;
    uint32_t free_slot = EG_NONE;
    if (cap > 0) {
        uint8_t tag = eg_hc_tag(hash);
        uint32_t i = eg_hc_home(hash, cap);
        for (;;) {
            uint8_t c = g->hc_ctrl[i];
            if (c == EG_CTRL_EMPTY) {
                if (free_slot == EG_NONE) free_slot = i;
                break;
            }
            if (c == tag) {
                uint32_t id = g->hc_slots[i];
                if (eg_key_equal(g, id, op, payload, children, arity)) return id;
            } else if (c == EG_CTRL_TOMB && free_slot == EG_NONE) {
                free_slot = i;
            }
            if (++i == cap) i = 0;
        }
    }
    if (slot) *slot = free_slot;
    return EG_NONE;
}

/* The live node with this key, or EG_NONE. */
EG_HIDDEN uint32_t eg_hc_lookup(const eg_egraph *g, uint64_t hash, uint32_t op,
                                uint64_t payload, const uint32_t *children, uint32_t arity);
/* Makes room for one more entry (may grow and rehash). */
EG_HIDDEN bool eg_hc_reserve_one(eg_egraph *g);
/* Grows the hashcons once so `extra` more entries fit at load 0.6 (false: no memory). */
EG_HIDDEN bool eg_hc_reserve(eg_egraph *g, uint64_t extra);
/* Before a rebuild re-inserts a node it removed: keeps entries plus tombstones at or
 * below 0.9 of the slots by clearing tombstones in place (never allocates). */
EG_HIDDEN void eg_hc_make_room_for_repair(eg_egraph *g);
/* The slot where a key with this hash goes: the first tombstone or empty slot from its home
 * (the table must have slots). */
EG_HIDDEN uint32_t eg_hc_free_slot(const eg_egraph *g, uint64_t hash);
/* Inserts node `id` (its key must be absent; room must have been reserved). */
EG_HIDDEN void eg_hc_insert(eg_egraph *g, uint32_t id, uint64_t hash);
/* Inserts node `id` into `slot`, which eg_hc_probe returned for its absent key with no
 * change to the table since (room must have been reserved). */
static inline void eg_hc_insert_at(eg_egraph *g, uint32_t slot, uint32_t id, uint64_t hash) {
    if (g->hc_ctrl[slot] == EG_CTRL_TOMB) g->hc_tombs--;
    g->hc_ctrl[slot] = eg_hc_tag(hash);
    g->hc_slots[slot] = id;
    g->hc_full++;
}
/* Removes node `id`, hashed under its stored children. */
EG_HIDDEN void eg_hc_remove(eg_egraph *g, uint32_t id);
/* Whether node `id` is present (under its stored children). */
EG_HIDDEN bool eg_hc_contains(const eg_egraph *g, uint32_t id);
EG_HIDDEN uint64_t eg_hash_stored(const eg_egraph *g, uint32_t id);

/* ---- shared internals (egraph.c, union.c) ---- */

/* Adds a node that cannot be in the hashcons yet, skipping the lookup: one of its
 * children is the newest node, added since the last rebuild and not merged since, so no
 * node refers to it. The caller guarantees that, valid ids, op below EG_MAX_OP and arity
 * at most EG_SMALL_ARITY. */
enum { EG_SMALL_ARITY = 16 };
EG_HIDDEN eg_status eg_add_after_newest(eg_egraph *g, uint32_t op, uint64_t payload,
                                        const uint32_t *children, uint32_t arity,
                                        uint32_t *out_class);

/* Removes the most recently appended node (used by rollback). */
EG_HIDDEN void eg_pop_node(eg_egraph *g);
/* Sorts and deduplicates a u32 range in place; returns the new length. */
EG_HIDDEN uint32_t eg_sort_unique(uint32_t *a, uint32_t len);

#endif /* CEGRAPH_EGRAPH_INTERNAL_H */
