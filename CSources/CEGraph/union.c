/* Union-find, unions, the deferred rebuild and the merge log.
 *
 * Union policy: the class with more parent-ring entries survives (ties: the smaller id),
 * because a rebuild re-canonicalises only the parents of the *absorbed* class (the
 * survivor's parents keep canonical children). The sizes are compared by walking both
 * rings in step until the shorter ends, so no per-class count is stored: the walk costs
 * no more than the rebuild will spend on the absorbed class anyway. Rings make joins O(1): each root keeps one
 * "tail" entry of a circular list, and two circular lists become one by swapping the
 * successors of one entry of each.
 *
 * Rebuild (after egg's deferred rebuilding, Willsey et al., "egg: Fast and Extensible
 * Equality Saturation", POPL 2021): take the pending survivors, canonicalise and
 * deduplicate them, and for each still-root class re-canonicalise its live parents: out of
 * the hashcons, children rewritten to their roots, back in -- or, if a congruent node is
 * already there, the node dies and the two classes are merged (queuing more work). */
#include "egraph_internal.h"

#include <string.h>

uint32_t eg_find(eg_egraph *g, uint32_t id) {
    if (!g || id >= g->n) return EG_NONE;
    return eg_find_root(g, id);
}

eg_status eg_find_checked(eg_egraph *g, uint32_t id, uint32_t *out_class) {
    if (!g || !out_class) return EG_ERR_BAD_ARGUMENT;
    if (id >= g->n) return EG_ERR_BAD_ID;
    *out_class = eg_find_root(g, id);
    return EG_OK;
}

eg_status eg_find_batch(eg_egraph *g, const uint32_t *ids, uint32_t count, uint32_t *out,
                        uint32_t *failed_index) {
    if (!g || (count > 0 && (!ids || !out))) return EG_ERR_BAD_ARGUMENT;
    for (uint32_t i = 0; i < count; i++)
        if (ids[i] >= g->n) {
            if (failed_index) *failed_index = i;
            return EG_ERR_BAD_ID;
        }
    /* Independent finds overlap their cache misses; prefetching the links a few queries
     * ahead lets them. */
    enum { AHEAD = 16 };
    const uint32_t *uf = g->uf;
    for (uint32_t i = 0; i < count; i++) {
        if (i + AHEAD < count) __builtin_prefetch(&uf[ids[i + AHEAD]], 1, 1);
        out[i] = eg_find_root(g, ids[i]);
    }
    return EG_OK;
}

/* How union joined the parent rings (recorded for rollback). */
enum { EG_RING_NONE = 0, EG_RING_MOVED = 1, EG_RING_SWAPPED = 2 };

static bool eg_undo_reserve(eg_egraph *g) {
    if (g->undo_len < g->undo_cap) return true;
    uint32_t cap = eg_grow_capacity(g->undo_cap, (uint64_t)g->undo_len + 1, 64);
    eg_undo_union *u = eg_mem_realloc(&g->mem, g->undo, g->undo_cap * sizeof(eg_undo_union),
                                      cap * sizeof(eg_undo_union));
    if (!u) return false;
    g->undo = u;
    g->undo_cap = cap;
    return true;
}

/* Compares the parent-ring sizes of roots a and b: >0 if a's is longer, <0 if b's. */
static int eg_compare_rings(const eg_egraph *g, uint32_t a, uint32_t b) {
    uint32_t ta = g->parent_tail[a], tb = g->parent_tail[b];
    if (ta == EG_NONE || tb == EG_NONE) return (ta != EG_NONE) - (tb != EG_NONE);
    uint32_t ea = g->edge_next[ta], eb = g->edge_next[tb];
    for (;;) {
        bool enda = ea == ta, endb = eb == tb;
        if (enda || endb) return (int)endb - (int)enda;
        ea = g->edge_next[ea];
        eb = g->edge_next[eb];
    }
}

/* Merges two distinct roots. Room in pending, merges (and undo) must be reserved. */
static uint32_t eg_merge_roots(eg_egraph *g, uint32_t ra, uint32_t rb) {
    uint32_t s, x; /* survivor, absorbed */
#if defined(EG_UNION_POLICY_SMALLER_ID) /* alternatives, compiled only to measure them */
    int cmp = 0;
#elif defined(EG_UNION_POLICY_LARGER_ID)
    int cmp = ra > rb ? 1 : -1;
#else
    int cmp = eg_compare_rings(g, ra, rb);
#endif
    if (cmp > 0 || (cmp == 0 && ra < rb)) {
        s = ra;
        x = rb;
    } else {
        s = rb;
        x = ra;
    }
    g->uf[x] = s;
    g->classes--;
    uint32_t t = g->member_next[x];
    g->member_next[x] = g->member_next[s];
    g->member_next[s] = t;
    uint32_t tx = g->parent_tail[x], ts = g->parent_tail[s];
    uint32_t ring_case = EG_RING_NONE;
    if (tx != EG_NONE) {
        if (ts == EG_NONE) {
            g->parent_tail[s] = tx;
            ring_case = EG_RING_MOVED;
        } else {
            uint32_t nx = g->edge_next[tx];
            g->edge_next[tx] = g->edge_next[ts];
            g->edge_next[ts] = nx;
            ring_case = EG_RING_SWAPPED;
        }
    }
    /* Queue the survivor once; an absorbed class's queue entry resolves to its root. */
    bool queue = !eg_bit(g->queued_bits, s);
    if (queue) {
        g->queued_bits[s >> 6] |= UINT64_C(1) << (s & 63);
        g->pending.data[g->pending.len++] = s;
    }
    g->merges.data[g->merges.len++] = x;
    g->merges.data[g->merges.len++] = s;
    if (g->cp_active) {
        eg_undo_union *u = &g->undo[g->undo_len++];
        u->absorbed = x;
        u->survivor = s;
        u->nodes_before = g->n;
        u->ring_case = ring_case;
        u->queued_survivor = queue;
    }
    return s;
}

static bool eg_reserve_union(eg_egraph *g) {
    return eg_vec_reserve(&g->mem, &g->pending, 1) &&
           eg_vec_reserve(&g->mem, &g->merges, 2) && (!g->cp_active || eg_undo_reserve(g));
}

eg_status eg_union(eg_egraph *g, uint32_t a, uint32_t b, uint32_t *root, bool *merged) {
    if (!g) return EG_ERR_BAD_ARGUMENT;
    if (a >= g->n || b >= g->n) return EG_ERR_BAD_ID;
    uint32_t ra = eg_find_root(g, a), rb = eg_find_root(g, b);
    if (ra == rb) {
        if (root) *root = ra;
        if (merged) *merged = false;
        return EG_OK;
    }
    if (!eg_reserve_union(g)) return EG_ERR_OUT_OF_MEMORY;
    uint32_t s = eg_merge_roots(g, ra, rb);
    if (root) *root = s;
    if (merged) *merged = true;
    return EG_OK;
}

eg_status eg_union_batch(eg_egraph *g, const uint32_t *pairs, uint32_t count,
                         uint32_t *merged_count, uint32_t *failed_index) {
    if (!g || (count > 0 && !pairs)) return EG_ERR_BAD_ARGUMENT;
    for (uint32_t i = 0; i < count; i++)
        if (pairs[2 * i] >= g->n || pairs[2 * i + 1] >= g->n) {
            if (failed_index) *failed_index = i;
            return EG_ERR_BAD_ID;
        }
    uint32_t merged = 0;
    eg_status s = EG_OK;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t ra = eg_find_root(g, pairs[2 * i]), rb = eg_find_root(g, pairs[2 * i + 1]);
        if (ra == rb) continue;
        if (!eg_reserve_union(g)) {
            if (failed_index) *failed_index = i;
            s = EG_ERR_OUT_OF_MEMORY;
            break;
        }
        eg_merge_roots(g, ra, rb);
        merged++;
    }
    if (merged_count) *merged_count = merged;
    return s;
}

uint32_t eg_pending_count(const eg_egraph *g) { return g ? g->pending.len : 0; }

/* ---- rebuild ---- */

/* Marks node p dead: it leaves the live count and, at the end of the rebuild, the
 * operator index. Its parent-ring entries are dropped lazily when a ring is walked. */
static void eg_kill(eg_egraph *g, uint32_t p) {
    g->dead_bits[p >> 6] |= UINT64_C(1) << (p & 63);
    g->live--;
    g->op_dead[g->ops[p]]++;
    g->op_index_dirty = true;
}

/* Gathers root r's parent ring into scratch_b as owner nodes (live only, sorted, unique),
 * relinking the ring without the entries of dead owners. */
static bool eg_gather_parents(eg_egraph *g, uint32_t r) {
    eg_vec *edges = &g->scratch_a, *owners = &g->scratch_b;
    edges->len = owners->len = 0;
    uint32_t t = g->parent_tail[r];
    if (t == EG_NONE) return true;
    uint32_t e = t;
    do {
        uint32_t p = eg_edge_owner(g, e);
        if (!eg_is_dead(g, p)) {
            if (!eg_vec_push(&g->mem, edges, e) || !eg_vec_push(&g->mem, owners, p))
                return false;
        }
        e = g->edge_next[e];
    } while (e != t);
    uint32_t k = edges->len;
    if (k == 0) {
        g->parent_tail[r] = EG_NONE;
    } else {
        for (uint32_t i = 0; i + 1 < k; i++) g->edge_next[edges->data[i]] = edges->data[i + 1];
        g->edge_next[edges->data[k - 1]] = edges->data[0];
        g->parent_tail[r] = edges->data[k - 1];
    }

    owners->len = eg_sort_unique(owners->data, owners->len);
    return true;
}

/* Re-canonicalises node p; returns false on OOM (p is back in the hashcons then).
 * A node whose stored children are all still canonical keeps its key: it is left alone
 * (a node whose key changes will find it). With the union policy, that is most parents
 * of a survivor. */
static bool eg_repair_parent(eg_egraph *g, uint32_t p, uint32_t *congruent) {
    uint32_t b = g->child_offsets[p], e = g->child_offsets[p + 1];
    uint32_t *ch = g->children + b;
    uint32_t k = 0;
    while (k < e - b && eg_is_root(g, ch[k])) k++;
    if (k == e - b) return true;
    eg_hc_remove(g, p);
    for (; k < e - b; k++) ch[k] = eg_find_root(g, ch[k]);
    uint64_t hash = eg_hash_node(g->ops[p], g->payloads[p], ch, e - b);
    uint32_t q = eg_hc_lookup(g, hash, g->ops[p], g->payloads[p], ch, e - b);
    if (q == EG_NONE) {
        /* Removing p left room for it: no growth needed. */
        eg_hc_insert(g, p, hash);
        return true;
    }
    uint32_t rp = eg_find_root(g, p), rq = eg_find_root(g, q);
    if (rp != rq && !eg_reserve_union(g)) {
        eg_hc_insert(g, p, hash);
        return false;
    }
    eg_kill(g, p);
    if (rp != rq) {
        eg_merge_roots(g, rp, rq);
        (*congruent)++;
    }
    return true;
}

static void eg_compact_op_index(eg_egraph *g) {
    for (uint32_t op = 0; op < g->op_bound; op++) {
        if (g->op_dead[op] == 0) continue;
        eg_vec *list = &g->op_lists[op];
        uint32_t w = 0;
        for (uint32_t i = 0; i < list->len; i++)
            if (!eg_is_dead(g, list->data[i])) list->data[w++] = list->data[i];
        list->len = w;
        g->op_dead[op] = 0;
    }
    g->op_index_dirty = false;
}

eg_status eg_rebuild(eg_egraph *g, uint32_t *congruent_merges) {
    if (!g) return EG_ERR_BAD_ARGUMENT;
    eg_discard_checkpoint(g);
    uint32_t congruent = 0;
    eg_status s = EG_OK;
    eg_vec todo = {0};
    while (g->pending.len > 0 && s == EG_OK) {
        /* Swap the pending list out: repairs queue into a fresh one. */
        eg_vec_free(&g->mem, &todo);
        todo = g->pending;
        memset(&g->pending, 0, sizeof(g->pending));
        for (uint32_t i = 0; i < todo.len; i++) {
            uint32_t c = todo.data[i];
            g->queued_bits[c >> 6] &= ~(UINT64_C(1) << (c & 63));
            todo.data[i] = eg_find_root(g, c);
        }
        todo.len = eg_sort_unique(todo.data, todo.len);
        for (uint32_t i = 0; i < todo.len && s == EG_OK; i++) {
            uint32_t r = todo.data[i];
            /* Absorbed since it was queued: its survivor is pending with its parents. */
            if (!eg_is_root(g, r)) continue;
            if (!eg_gather_parents(g, r)) {
                s = EG_ERR_OUT_OF_MEMORY;
                break;
            }
            /* Repairs never touch scratch_b, so the owner list stays valid. */
            eg_vec *owners = &g->scratch_b;
            for (uint32_t k = 0; k < owners->len; k++) {
                uint32_t p = owners->data[k];
                if (eg_is_dead(g, p)) continue;
                if (!eg_repair_parent(g, p, &congruent)) {
                    s = EG_ERR_OUT_OF_MEMORY;
                    break;
                }
            }
        }
        if (s != EG_OK) {
            /* Put the unfinished classes back so a later rebuild completes the work. */
            for (uint32_t i = 0; i < todo.len; i++) {
                uint32_t c = todo.data[i];
                if (eg_bit(g->queued_bits, c)) continue;
                if (!eg_vec_push(&g->mem, &g->pending, c)) break;
                g->queued_bits[c >> 6] |= UINT64_C(1) << (c & 63);
            }
        }
    }
    eg_vec_free(&g->mem, &todo);
    if (g->op_index_dirty) eg_compact_op_index(g);
    eg_vec_shrink_if_empty(&g->mem, &g->pending, 4096);
    g->scratch_a.len = g->scratch_b.len = 0;
    eg_vec_shrink_if_empty(&g->mem, &g->scratch_a, 4096);
    eg_vec_shrink_if_empty(&g->mem, &g->scratch_b, 4096);
    if (congruent_merges) *congruent_merges = congruent;
    return s;
}

/* ---- merge log ---- */

eg_status eg_merges(const eg_egraph *g, const uint32_t **pairs, uint32_t *count) {
    if (!g || !pairs || !count) return EG_ERR_BAD_ARGUMENT;
    *pairs = g->merges.data;
    *count = g->merges.len / 2;
    return EG_OK;
}

void eg_clear_merges(eg_egraph *g) {
    if (!g) return;
    g->merges.len = 0;
    if (g->cp_active) g->cp_merges = 0;
    eg_vec_shrink_if_empty(&g->mem, &g->merges, 1u << 16);
}

/* ---- checkpoint and rollback ---- */

eg_status eg_checkpoint(eg_egraph *g) {
    if (!g) return EG_ERR_BAD_ARGUMENT;
    g->cp_active = true;
    g->cp_nodes = g->n;
    g->cp_pending = g->pending.len;
    g->cp_merges = g->merges.len;
    g->undo_len = 0;
    return EG_OK;
}

static void eg_undo_one_union(eg_egraph *g, const eg_undo_union *u) {
    uint32_t x = u->absorbed, s = u->survivor;
    if (u->queued_survivor) g->queued_bits[s >> 6] &= ~(UINT64_C(1) << (s & 63));
    if (u->ring_case == EG_RING_MOVED) {
        g->parent_tail[s] = EG_NONE;
    } else if (u->ring_case == EG_RING_SWAPPED) {
        uint32_t tx = g->parent_tail[x], ts = g->parent_tail[s];
        uint32_t nx = g->edge_next[tx];
        g->edge_next[tx] = g->edge_next[ts];
        g->edge_next[ts] = nx;
    }
    uint32_t t = g->member_next[x];
    g->member_next[x] = g->member_next[s];
    g->member_next[s] = t;
    g->uf[x] = x;
    g->classes++;
}

eg_status eg_rollback(eg_egraph *g) {
    if (!g) return EG_ERR_BAD_ARGUMENT;
    if (!g->cp_active) return EG_ERR_STATE;
    for (uint32_t i = g->undo_len; i-- > 0;) {
        const eg_undo_union *u = &g->undo[i];
        while (g->n > u->nodes_before) eg_pop_node(g);
        eg_undo_one_union(g, u);
    }
    while (g->n > g->cp_nodes) eg_pop_node(g);
    g->undo_len = 0;
    g->pending.len = g->cp_pending;
    if (g->merges.len > g->cp_merges) g->merges.len = g->cp_merges;
    return EG_OK;
}

void eg_discard_checkpoint(eg_egraph *g) {
    if (!g) return;
    g->cp_active = false;
    g->undo_len = 0;
    if (g->undo_cap > 4096) {
        eg_mem_free(&g->mem, g->undo, g->undo_cap * sizeof(eg_undo_union));
        g->undo = NULL;
        g->undo_cap = 0;
    }
}

bool eg_has_checkpoint(const eg_egraph *g) { return g && g->cp_active; }
