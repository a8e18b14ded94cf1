/* Union-find, unions, the deferred rebuild and the merge log.
 *
 * Union policy: the smaller id survives. A rebuild re-canonicalises exactly the nodes with
 * a child in an absorbed class, so the survivor should be the class with more parents;
 * ids are issued in creation order and a node's children are older than the node, so the
 * older class is the one more nodes point at (scripts/bench-union-policy.sh measures it
 * against the opposite choice). The policy needs no per-class data.
 *
 * Rebuild (deferred, as in egg: Willsey et al., "egg: Fast and Extensible Equality
 * Saturation", POPL 2021, but without parent lists): scan the nodes in id order; a live
 * node with a child that is no longer a root leaves the hashcons, has its children
 * rewritten to their roots, and goes back in -- or, when a congruent node is already
 * there, dies and its class merges with that node's. Repeat while a scan merged classes.
 * One scan reads the node arrays sequentially (O(nodes + children)) and only the nodes
 * touched by a merge pay hashcons work; children are older than their parents, so one or
 * two scans usually reach the fixpoint. Keeping no parent lists saves 4 bytes per child
 * slot and 4 per node, the largest structure after the nodes themselves. */
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

/* Merges two distinct roots. Room in the merge log (and undo log) must be reserved. */
static uint32_t eg_merge_roots(eg_egraph *g, uint32_t ra, uint32_t rb) {
#if defined(EG_UNION_POLICY_LARGER_ID) /* the opposite policy, compiled only to measure it */
    uint32_t s = ra > rb ? ra : rb, x = ra > rb ? rb : ra;
#else
    uint32_t s = ra < rb ? ra : rb, x = ra < rb ? rb : ra; /* survivor, absorbed */
#endif
    g->uf[x] = s;
    g->classes--;
    uint32_t t = g->member_next[x];
    g->member_next[x] = g->member_next[s];
    g->member_next[s] = t;
    g->pending++;
    g->merges.data[g->merges.len++] = x;
    g->merges.data[g->merges.len++] = s;
    if (g->cp_active) {
        eg_undo_union *u = &g->undo[g->undo_len++];
        u->absorbed = x;
        u->survivor = s;
        u->nodes_before = g->n;
    }
    return s;
}

static bool eg_reserve_union(eg_egraph *g) {
    return eg_vec_reserve(&g->mem, &g->merges, 2) && (!g->cp_active || eg_undo_reserve(g));
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

uint32_t eg_pending_count(const eg_egraph *g) { return g ? g->pending : 0; }

/* ---- rebuild ---- */

/* Marks node p dead: it leaves the live count and, at the end of the rebuild, the
 * operator index. */
static void eg_kill(eg_egraph *g, uint32_t p) {
    g->dead_bits[p >> 6] |= UINT64_C(1) << (p & 63);
    g->live--;
    g->op_dead[g->ops[p]]++;
    g->op_index_dirty = true;
}

/* Re-canonicalises node p if a stored child is no longer a root. Returns false on OOM
 * (p is then unchanged, or back in the hashcons). */
static bool eg_repair(eg_egraph *g, uint32_t p, uint32_t *merges) {
    uint32_t b = g->child_offsets[p], e = g->child_offsets[p + 1];
    uint32_t *ch = g->children + b;
    uint32_t k = 0;
    while (k < e - b && g->uf[ch[k]] == ch[k]) k++;
    if (k == e - b) return true;
    /* Removal leaves a tombstone and the re-insertion may take an empty slot: keep the
     * table's load in bounds (this may clear tombstones by rehashing in place, which is
     * safe here because every live node, p included, is still in the table). */
    eg_hc_make_room_for_repair(g);
    eg_hc_remove(g, p);
    for (; k < e - b; k++) {
        ch[k] = eg_find_root(g, ch[k]);
        g->child_bits[ch[k] >> 6] |= UINT64_C(1) << (ch[k] & 63);
    }
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
        (*merges)++;
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
    while (g->pending > 0 && s == EG_OK) {
        /* Only a node with a child that is no longer a root needs repair, and a child
         * stops being a root only by being absorbed in a merge. When the merge log holds
         * every pending merge and no absorbed root was ever written as a child, no node
         * needs repair and the scan is skipped. */
        if (!g->scan_unfinished && g->merges.len / 2 >= g->pending) {
            bool any = false;
            for (uint32_t i = g->merges.len / 2 - g->pending; i < g->merges.len / 2 && !any; i++) {
                uint32_t x = g->merges.data[2 * i];
                any = (g->child_bits[x >> 6] >> (x & 63)) & 1u;
            }
            if (!any) {
                g->pending = 0;
                break;
            }
        }
        g->pending = 0; /* merges made by this scan count toward the next one */
        uint32_t merges = 0;
        g->scan_unfinished = false;
        for (uint32_t p = 0; p < g->n; p++) {
            if (eg_is_dead(g, p)) continue;
            if (!eg_repair(g, p, &merges)) {
                s = EG_ERR_OUT_OF_MEMORY;
                g->pending++; /* unfinished: a later rebuild must scan again */
                g->scan_unfinished = true;
                break;
            }
        }
        congruent += merges;
    }
    if (g->op_index_dirty) eg_compact_op_index(g);
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
    g->cp_pending = g->pending;
    g->cp_merges = g->merges.len;
    g->undo_len = 0;
    return EG_OK;
}

static void eg_undo_one_union(eg_egraph *g, const eg_undo_union *u) {
    uint32_t x = u->absorbed, s = u->survivor;
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
    g->pending = g->cp_pending;
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
