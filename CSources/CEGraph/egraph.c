/* E-node storage: creation, adding nodes (single and batch), lookups, counts, read views,
 * iteration stamps and the operator index.
 *
 * Per node the core keeps: op (4 bytes), payload (8), child offset (4), union-find link (4),
 * member-ring link (4) and a dead bit; per child slot: the child (4); plus one hashcons
 * slot (5 bytes, load 0.6-0.8) and one operator-index entry (4) per live node. */
#include "egraph_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- creation ---- */

eg_status eg_create(eg_egraph **out) {
    if (!out) return EG_ERR_BAD_ARGUMENT;
    eg_mem mem = {0, 0};
    eg_egraph *g = eg_mem_alloc(&mem, sizeof(eg_egraph));
    if (!g) return EG_ERR_OUT_OF_MEMORY;
    memset(g, 0, sizeof(*g));
    g->mem = mem;
    g->child_offsets = eg_mem_alloc(&g->mem, 4);
    if (!g->child_offsets) {
        free(g);
        return EG_ERR_OUT_OF_MEMORY;
    }
    g->child_offsets[0] = 0;
    *out = g;
    return EG_OK;
}

void eg_destroy(eg_egraph *g) {
    if (!g) return;
    eg_mem *m = &g->mem;
    size_t cap = g->node_cap;
    eg_mem_free(m, g->ops, cap * 4);
    eg_mem_free(m, g->payloads, cap * 8);
    eg_mem_free(m, g->child_offsets, (cap + 1) * 4);
    eg_mem_free(m, g->dead_bits, ((cap + 63) / 64) * 8);
    eg_mem_free(m, g->child_bits, ((cap + 63) / 64) * 8);
    eg_mem_free(m, g->uf, cap * 4);
    eg_mem_free(m, g->member_next, cap * 4);
    eg_mem_free(m, g->children, (size_t)g->edge_cap * 4);
    eg_mem_free(m, g->hc_ctrl, g->hc_cap);
    eg_mem_free(m, g->hc_slots, (size_t)g->hc_cap * 4);
    for (uint32_t i = 0; i < g->op_cap; i++) eg_vec_free(m, &g->op_lists[i]);
    eg_mem_free(m, g->op_lists, (size_t)g->op_cap * sizeof(eg_vec));
    eg_mem_free(m, g->op_dead, (size_t)g->op_cap * 4);
    eg_vec_free(m, &g->merges);
    eg_vec_free(m, &g->boundaries);
    eg_mem_free(m, g->undo, (size_t)g->undo_cap * sizeof(eg_undo_union));
    eg_vec_free(m, &g->scratch_a);
    free(g);
}

/* One per-node array: its field, bytes per element, and whether it is a bitset. */
typedef struct eg_node_array {
    void **field;
    size_t elem;
    int kind; /* 0: one element per node, 1: per node plus one, 2: one bit per node */
} eg_node_array;

static size_t eg_node_array_bytes(const eg_node_array *a, size_t nodes) {
    switch (a->kind) {
    case 1: return (nodes + 1) * a->elem;
    case 2: return ((nodes + 63) / 64) * a->elem;
    default: return nodes * a->elem;
    }
}

/* Grows every per-node array to `cap` nodes, all or nothing: after a failed realloc the
 * arrays already grown are shrunk back, so every array always has node_cap capacity and
 * the byte accounting stays exact. */
static bool eg_grow_nodes_to(eg_egraph *g, uint32_t cap) {
    eg_node_array arrays[] = {
        {(void **)&g->ops, 4, 0},         {(void **)&g->payloads, 8, 0},
        {(void **)&g->child_offsets, 4, 1}, {(void **)&g->uf, 4, 0},
        {(void **)&g->member_next, 4, 0}, {(void **)&g->dead_bits, 8, 2},
        {(void **)&g->child_bits, 8, 2},
    };
    size_t count = sizeof(arrays) / sizeof(arrays[0]);
    size_t old = g->node_cap;
    for (size_t i = 0; i < count; i++) {
        size_t from = eg_node_array_bytes(&arrays[i], old);
        size_t to = eg_node_array_bytes(&arrays[i], cap);
        void *p = eg_mem_realloc(&g->mem, *arrays[i].field, from, to);
        if (!p) {
            while (i-- > 0) {
                void *back = eg_mem_realloc(&g->mem, *arrays[i].field,
                                            eg_node_array_bytes(&arrays[i], cap),
                                            eg_node_array_bytes(&arrays[i], old));
                if (back) *arrays[i].field = back;
            }
            return false;
        }
        if (arrays[i].kind == 2) memset((char *)p + from, 0, to - from);
        *arrays[i].field = p;
    }
    g->node_cap = cap;
    return true;
}

static bool eg_grow_edges_to(eg_egraph *g, uint32_t cap) {
    uint32_t *c = eg_mem_realloc(&g->mem, g->children, (size_t)g->edge_cap * 4,
                                 (size_t)cap * 4);
    if (!c) return false;
    g->children = c;
    g->edge_cap = cap;
    return true;
}

/* Makes room for `extra_nodes` more nodes with `extra_edges` more child slots. */
static bool eg_reserve_nodes(eg_egraph *g, uint64_t extra_nodes, uint64_t extra_edges) {
    uint64_t need_n = (uint64_t)g->n + extra_nodes;
    uint64_t need_e = (uint64_t)g->edges + extra_edges;
    if (need_n > EG_MAX_NODES || need_e > EG_MAX_EDGES) return false;
    if (need_n > g->node_cap) {
        uint32_t cap = eg_grow_capacity(g->node_cap, need_n, 256);
        if (cap > EG_MAX_NODES) cap = EG_MAX_NODES;
        if (!eg_grow_nodes_to(g, cap)) return false;
    }
    if (need_e > g->edge_cap) {
        uint32_t cap = eg_grow_capacity(g->edge_cap, need_e, 256);
        if (cap > EG_MAX_EDGES) cap = EG_MAX_EDGES;
        if (!eg_grow_edges_to(g, cap)) return false;
    }
    return true;
}

eg_status eg_reserve(eg_egraph *g, uint32_t nodes, uint64_t children) {
    if (!g) return EG_ERR_BAD_ARGUMENT;
    if (nodes > EG_MAX_NODES || children > EG_MAX_EDGES) return EG_ERR_CAPACITY;
    if (nodes > g->node_cap && !eg_grow_nodes_to(g, nodes)) return EG_ERR_OUT_OF_MEMORY;
    if (children > g->edge_cap && !eg_grow_edges_to(g, (uint32_t)children))
        return EG_ERR_OUT_OF_MEMORY;
    if (nodes > g->hc_full && !eg_hc_reserve(g, nodes - g->hc_full)) return EG_ERR_OUT_OF_MEMORY;
    return EG_OK;
}

/* ---- operator index ---- */

static bool eg_reserve_op(eg_egraph *g, uint32_t op) {
    if (op < g->op_cap) return true;
    uint32_t cap = eg_grow_capacity(g->op_cap, (uint64_t)op + 1, 16);
    eg_vec *lists = eg_mem_realloc(&g->mem, g->op_lists, (size_t)g->op_cap * sizeof(eg_vec),
                                   (size_t)cap * sizeof(eg_vec));
    if (!lists) return false;
    memset(lists + g->op_cap, 0, (size_t)(cap - g->op_cap) * sizeof(eg_vec));
    g->op_lists = lists;
    uint32_t *dead = eg_mem_realloc(&g->mem, g->op_dead, (size_t)g->op_cap * 4,
                                    (size_t)cap * 4);
    if (!dead) {
        /* op_lists is larger than op_cap says; record the size actually held. */
        eg_vec *back = eg_mem_realloc(&g->mem, g->op_lists, (size_t)cap * sizeof(eg_vec),
                                      (size_t)g->op_cap * sizeof(eg_vec));
        if (back) g->op_lists = back;
        return false;
    }
    memset(dead + g->op_cap, 0, (size_t)(cap - g->op_cap) * 4);
    g->op_dead = dead;
    g->op_cap = cap;
    return true;
}

eg_status eg_op_nodes(const eg_egraph *g, uint32_t op, const uint32_t **nodes,
                      uint32_t *count) {
    if (!g || !nodes || !count) return EG_ERR_BAD_ARGUMENT;
    if (op >= g->op_bound) {
        *nodes = NULL;
        *count = 0;
        return EG_OK;
    }
    *nodes = g->op_lists[op].data;
    *count = g->op_lists[op].len;
    return EG_OK;
}

uint32_t eg_op_bound(const eg_egraph *g) { return g ? g->op_bound : 0; }

/* ---- adding ---- */

/* Whether the operator index has room for one more node of `op`. */
static inline bool eg_op_has_room(const eg_egraph *g, uint32_t op) {
    return op < g->op_cap && g->op_lists[op].len < g->op_lists[op].cap;
}

/* Whether one more node of `op` with `arity` children fits without growing anything (node
 * and child arrays, hashcons at load 0.8, operator index, boundaries). The capacities stay
 * within EG_MAX_NODES and EG_MAX_EDGES, so room also means the ids and sizes fit. */
static inline bool eg_has_room(const eg_egraph *g, uint32_t op, uint32_t arity) {
    return g->n < g->node_cap && (uint64_t)g->edges + arity <= g->edge_cap &&
           ((uint64_t)g->hc_full + g->hc_tombs + 1) * 5 <= (uint64_t)g->hc_cap * 4 &&
           eg_op_has_room(g, op) && g->boundaries.len + 2 <= g->boundaries.cap;
}

/* Grows whatever one more node of `op` with `arity` children needs. May rehash the
 * hashcons (slots from an earlier probe are then stale) and move the child array. */
static eg_status eg_make_room(eg_egraph *g, uint32_t op, uint32_t arity) {
    if (g->n >= EG_MAX_NODES || (uint64_t)g->edges + arity > EG_MAX_EDGES)
        return EG_ERR_CAPACITY;
    if (!eg_reserve_nodes(g, 1, arity) || !eg_hc_reserve_one(g) || !eg_reserve_op(g, op) ||
        !eg_vec_reserve(&g->mem, &g->op_lists[op], 1) ||
        !eg_vec_reserve(&g->mem, &g->boundaries, 2))
        return EG_ERR_OUT_OF_MEMORY;
    return EG_OK;
}

/* Records `child` as written as some node's child (see child_bits). */
static inline void eg_mark_child(eg_egraph *g, uint32_t child) {
    g->child_bits[child >> 6] |= UINT64_C(1) << (child & 63);
}

/* Appends a new node whose canonical children are already written at the end of the child
 * array (g->children + g->edges) and marked (eg_mark_child), into hashcons slot `slot`
 * (eg_hc_probe's for its key); room must be reserved. Returns its id. */
static inline __attribute__((always_inline)) uint32_t
eg_append_placed(eg_egraph *g, uint32_t op, uint64_t payload, uint32_t arity, uint64_t hash,
                 uint32_t slot) {
    uint32_t id = g->n;
    g->ops[id] = op;
    g->payloads[id] = payload;
    g->uf[id] = id;
    g->member_next[id] = id;
    g->edges += arity;
    g->child_offsets[id + 1] = g->edges;
    g->n = id + 1;
    g->live++;
    g->classes++;
    eg_hc_insert_at(g, slot, id, hash);
    eg_vec *list = &g->op_lists[op];
    list->data[list->len++] = id;
    if (op >= g->op_bound) g->op_bound = op + 1;
    uint32_t nb = g->boundaries.len;
    if (nb == 0 || g->boundaries.data[nb - 2] != g->iteration) {
        g->boundaries.data[nb] = g->iteration;
        g->boundaries.data[nb + 1] = id;
        g->boundaries.len = nb + 2;
    }
    return id;
}

/* Appends a node whose children are canonical and whose key is known to be absent; `slot`
 * is eg_hc_probe's for the key, or EG_NONE when not probed. */
static eg_status eg_append_absent(eg_egraph *g, uint32_t op, uint64_t payload,
                                  const uint32_t *canon, uint32_t arity, uint64_t hash,
                                  uint32_t slot, uint32_t *out) {
    if (!eg_has_room(g, op, arity)) {
        eg_status s = eg_make_room(g, op, arity);
        if (s != EG_OK) return s;
        slot = EG_NONE; /* the hashcons may have been rehashed */
    }
    if (arity > 0) memcpy(g->children + g->edges, canon, (size_t)arity * 4);
    for (uint32_t k = 0; k < arity; k++) eg_mark_child(g, canon[k]);
    if (slot == EG_NONE) slot = eg_hc_free_slot(g, hash);
    *out = eg_append_placed(g, op, payload, arity, hash, slot);
    return EG_OK;
}

/* Adds one node whose children are canonical. */
static eg_status eg_add_canonical(eg_egraph *g, uint32_t op, uint64_t payload,
                                  const uint32_t *canon, uint32_t arity, uint32_t *out) {
    uint64_t hash = eg_hash_node(op, payload, canon, arity);
    uint32_t slot;
    uint32_t hit = eg_hc_probe(g, hash, op, payload, canon, arity, &slot);
    if (hit != EG_NONE) {
        *out = eg_find_root(g, hit);
        return EG_OK;
    }
    return eg_append_absent(g, op, payload, canon, arity, hash, slot, out);
}

eg_status eg_add(eg_egraph *g, uint32_t op, uint64_t payload, const uint32_t *children,
                 uint32_t arity, uint32_t *out_class) {
    if (!g || !out_class || (arity > 0 && !children) || op >= EG_MAX_OP)
        return EG_ERR_BAD_ARGUMENT;
    for (uint32_t k = 0; k < arity; k++)
        if (children[k] >= g->n) return EG_ERR_BAD_ID;
    uint32_t small[EG_SMALL_ARITY];
    uint32_t *canon = small;
    if (arity > EG_SMALL_ARITY) {
        canon = eg_mem_alloc(&g->mem, (size_t)arity * 4);
        if (!canon) return EG_ERR_OUT_OF_MEMORY;
    }
    for (uint32_t k = 0; k < arity; k++) canon[k] = eg_find_root(g, children[k]);
    eg_status s = eg_add_canonical(g, op, payload, canon, arity, out_class);
    if (canon != small) eg_mem_free(&g->mem, canon, (size_t)arity * 4);
    return s;
}

eg_status eg_add_after_newest(eg_egraph *g, uint32_t op, uint64_t payload,
                              const uint32_t *children, uint32_t arity, uint32_t *out_class) {
    uint32_t canon[EG_SMALL_ARITY];
    for (uint32_t k = 0; k < arity; k++) canon[k] = eg_find_root(g, children[k]);
    return eg_append_absent(g, op, payload, canon, arity,
                            eg_hash_node(op, payload, canon, arity), EG_NONE, out_class);
}

/* Grows each operator's index list once for a batch's entries of that operator (an upper
 * bound: entries already present add nothing), instead of step by step as they come. */
static bool eg_reserve_batch_ops(eg_egraph *g, uint32_t count, const uint32_t *ops,
                                 uint32_t max_op) {
    if (!eg_reserve_op(g, max_op)) return false;
    uint32_t small[256];
    uint32_t *per_op = small;
    size_t bytes = ((size_t)max_op + 1) * 4;
    if (max_op >= 256 && !(per_op = eg_mem_alloc(&g->mem, bytes))) return false;
    memset(per_op, 0, bytes);
    for (uint32_t i = 0; i < count; i++) per_op[ops[i]]++;
    bool ok = true;
    for (uint32_t op = 0; op <= max_op && ok; op++)
        if (per_op[op] > 0) ok = eg_vec_reserve(&g->mem, &g->op_lists[op], per_op[op]);
    if (per_op != small) eg_mem_free(&g->mem, per_op, bytes);
    return ok;
}

eg_status eg_add_batch(eg_egraph *g, uint32_t count, const uint32_t *ops,
                       const uint64_t *payloads, const uint32_t *child_offsets,
                       const uint32_t *children, uint32_t *out_classes,
                       uint32_t *failed_index) {
    if (!g || (count > 0 && (!ops || !payloads || !child_offsets || !out_classes)))
        return EG_ERR_BAD_ARGUMENT;
    if (count == 0) return EG_OK;
    uint32_t max_op = 0;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t b = child_offsets[i], e = child_offsets[i + 1];
        if (ops[i] > max_op) max_op = ops[i];
        if (ops[i] >= EG_MAX_OP || e < b || (e > b && !children)) {
            if (failed_index) *failed_index = i;
            return EG_ERR_BAD_ARGUMENT;
        }
        for (uint32_t k = b; k < e; k++) {
            uint32_t c = children[k];
            bool ok = EG_IS_BATCH_REF(c) ? (c & ~UINT32_C(0x80000000)) < i : c < g->n;
            if (!ok) {
                if (failed_index) *failed_index = i;
                return EG_ERR_BAD_ID;
            }
        }
    }
    /* Reserve for the whole batch up front, so that each entry only checks its operator's
     * list; if that fails short of the id space, each entry grows what it needs. */
    bool reserved = eg_reserve_nodes(g, count, child_offsets[count] - child_offsets[0]);
    if (!reserved && (uint64_t)g->n + count > EG_MAX_NODES) {
        if (failed_index) *failed_index = 0;
        return EG_ERR_CAPACITY;
    }
    reserved = reserved && eg_hc_reserve(g, count) &&
               ((uint64_t)g->hc_full + g->hc_tombs + count) * 5 <= (uint64_t)g->hc_cap * 4 &&
               eg_vec_reserve(&g->mem, &g->boundaries, 2) && /* one iteration: one pair */
               eg_reserve_batch_ops(g, count, ops, max_op);
    for (uint32_t i = 0; i < count; i++) {
        uint32_t op = ops[i], b = child_offsets[i], arity = child_offsets[i + 1] - b;
        if (!(reserved ? eg_op_has_room(g, op) : eg_has_room(g, op, arity))) {
            eg_status s = eg_make_room(g, op, arity);
            if (s != EG_OK) {
                if (failed_index) *failed_index = i;
                return s;
            }
        }
        /* The canonical children go straight to the end of the child array, where a new
         * node keeps them (a hit leaves them unused), hashed and marked as they go (a hit's
         * children are the found node's, marked already). An earlier entry's class is a
         * root already: a batch only adds, never unions. */
        uint64_t payload = payloads[i];
        uint32_t *placed = g->children + g->edges;
        uint64_t h = eg_hash_start(op, payload, arity);
        for (uint32_t k = 0; k < arity; k++) {
            uint32_t c = children[b + k];
            c = EG_IS_BATCH_REF(c) ? out_classes[c & ~UINT32_C(0x80000000)] : eg_find_root(g, c);
            placed[k] = c;
            h = eg_hash_child(h, c);
            eg_mark_child(g, c);
        }
        uint64_t hash = eg_hash_finish(h);
        uint32_t slot;
        uint32_t hit = eg_hc_probe(g, hash, op, payload, placed, arity, &slot);
        out_classes[i] = hit != EG_NONE ? eg_find_root(g, hit)
                                        : eg_append_placed(g, op, payload, arity, hash, slot);
    }
    return EG_OK;
}

eg_status eg_lookup(const eg_egraph *g, uint32_t op, uint64_t payload,
                    const uint32_t *children, uint32_t arity, uint32_t *out_class) {
    if (!g || !out_class || (arity > 0 && !children)) return EG_ERR_BAD_ARGUMENT;
    for (uint32_t k = 0; k < arity; k++)
        if (children[k] >= g->n) return EG_ERR_BAD_ID;
    uint32_t small[EG_SMALL_ARITY];
    uint32_t *canon = small;
    eg_mem scratch_mem = {0, 0};
    if (arity > EG_SMALL_ARITY) {
        canon = eg_mem_alloc(&scratch_mem, (size_t)arity * 4);
        if (!canon) return EG_ERR_OUT_OF_MEMORY;
    }
    for (uint32_t k = 0; k < arity; k++) canon[k] = eg_find_nocompress(g, children[k]);
    uint64_t hash = eg_hash_node(op, payload, canon, arity);
    uint32_t hit = eg_hc_lookup(g, hash, op, payload, canon, arity);
    if (canon != small) eg_mem_free(&scratch_mem, canon, (size_t)arity * 4);
    if (hit == EG_NONE) return EG_ERR_NOT_FOUND;
    *out_class = eg_find_nocompress(g, hit);
    return EG_OK;
}

/* ---- removal of the newest node (rollback) ---- */

void eg_pop_node(eg_egraph *g) {
    uint32_t id = g->n - 1;
    eg_hc_remove(g, id);
    eg_vec *list = &g->op_lists[g->ops[id]];
    list->len--; /* the newest node is the last of its operator's list */
    uint32_t b = g->child_offsets[id];
    g->edges = b;
    g->n = id;
    g->live--;
    g->classes--;
    while (g->boundaries.len > 0 && g->boundaries.data[g->boundaries.len - 1] >= g->n)
        g->boundaries.len -= 2;
}

/* ---- counts and reads ---- */

uint32_t eg_node_count(const eg_egraph *g) { return g ? g->live : 0; }
uint32_t eg_total_node_count(const eg_egraph *g) { return g ? g->n : 0; }
uint32_t eg_class_count(const eg_egraph *g) { return g ? g->classes : 0; }

eg_status eg_node_is_live(const eg_egraph *g, uint32_t id, bool *live) {
    if (!g || !live) return EG_ERR_BAD_ARGUMENT;
    if (id >= g->n) return EG_ERR_BAD_ID;
    *live = !eg_is_dead(g, id);
    return EG_OK;
}

eg_status eg_node(const eg_egraph *g, uint32_t id, uint32_t *op, uint64_t *payload,
                  const uint32_t **children, uint32_t *arity) {
    if (!g) return EG_ERR_BAD_ARGUMENT;
    if (id >= g->n) return EG_ERR_BAD_ID;
    if (op) *op = g->ops[id];
    if (payload) *payload = g->payloads[id];
    uint32_t b = g->child_offsets[id];
    if (children) *children = g->children + b;
    if (arity) *arity = g->child_offsets[id + 1] - b;
    return EG_OK;
}

eg_status eg_nodes(const eg_egraph *g, eg_nodes_view *view) {
    if (!g || !view) return EG_ERR_BAD_ARGUMENT;
    view->count = g->n;
    view->ops = g->ops;
    view->payloads = g->payloads;
    view->child_offsets = g->child_offsets;
    view->children = g->children;
    view->dead_bits = g->dead_bits;
    view->uf_links = g->uf;
    return EG_OK;
}

static int eg_cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

uint32_t eg_sort_unique(uint32_t *a, uint32_t len) {
    if (len < 2) return len;
    /* Small lists (the common case for classes) by insertion sort. */
    if (len <= 32) {
        for (uint32_t i = 1; i < len; i++) {
            uint32_t x = a[i], j = i;
            while (j > 0 && a[j - 1] > x) {
                a[j] = a[j - 1];
                j--;
            }
            a[j] = x;
        }
    } else {
        qsort(a, len, 4, eg_cmp_u32);
    }
    uint32_t w = 1;
    for (uint32_t i = 1; i < len; i++)
        if (a[i] != a[w - 1]) a[w++] = a[i];
    return w;
}

eg_status eg_class_ids(const eg_egraph *g, uint32_t *out, uint32_t cap, uint32_t *count) {
    if (!g || !count || (cap > 0 && !out)) return EG_ERR_BAD_ARGUMENT;
    *count = g->classes;
    if (cap < g->classes) return EG_ERR_BUFFER_TOO_SMALL;
    uint32_t w = 0;
    for (uint32_t i = 0; i < g->n; i++)
        if (eg_is_root(g, i)) out[w++] = i;
    return EG_OK;
}

uint32_t eg_next_class(const eg_egraph *g, uint32_t start) {
    if (!g) return EG_NONE;
    for (uint32_t i = start; i < g->n; i++)
        if (eg_is_root(g, i)) return i;
    return EG_NONE;
}

/* Collects into scratch_a the live members of root `r` (sorted). */
static bool eg_collect_members(eg_egraph *g, uint32_t r) {
    eg_vec *v = &g->scratch_a;
    v->len = 0;
    uint32_t x = r;
    do {
        if (!eg_is_dead(g, x) && !eg_vec_push(&g->mem, v, x)) return false;
        x = g->member_next[x];
    } while (x != r);
    v->len = eg_sort_unique(v->data, v->len);
    return true;
}

static eg_status eg_copy_out(eg_egraph *g, uint32_t *out, uint32_t cap, uint32_t *count) {
    eg_vec *v = &g->scratch_a;
    *count = v->len;
    eg_status s = EG_OK;
    if (v->len > cap) s = EG_ERR_BUFFER_TOO_SMALL;
    else if (v->len > 0) memcpy(out, v->data, (size_t)v->len * 4);
    v->len = 0;
    eg_vec_shrink_if_empty(&g->mem, v, 4096);
    return s;
}

eg_status eg_class_members(eg_egraph *g, uint32_t id, uint32_t *out, uint32_t cap,
                           uint32_t *count) {
    if (!g || !count || (cap > 0 && !out)) return EG_ERR_BAD_ARGUMENT;
    if (id >= g->n) return EG_ERR_BAD_ID;
    if (!eg_collect_members(g, eg_find_root(g, id))) return EG_ERR_OUT_OF_MEMORY;
    return eg_copy_out(g, out, cap, count);
}

eg_status eg_class_parents(eg_egraph *g, uint32_t id, uint32_t *out, uint32_t cap,
                           uint32_t *count) {
    if (!g || !count || (cap > 0 && !out)) return EG_ERR_BAD_ARGUMENT;
    if (id >= g->n) return EG_ERR_BAD_ID;
    /* No parent lists are kept (see union.c): scan the live nodes, in id order. */
    uint32_t r = eg_find_root(g, id);
    eg_vec *v = &g->scratch_a;
    v->len = 0;
    const uint32_t *off = g->child_offsets;
    for (uint32_t p = 0; p < g->n; p++) {
        if (eg_is_dead(g, p)) continue;
        for (uint32_t e = off[p]; e < off[p + 1]; e++)
            if (eg_find_root(g, g->children[e]) == r) {
                if (!eg_vec_push(&g->mem, v, p)) return EG_ERR_OUT_OF_MEMORY;
                break;
            }
    }
    v->len = eg_sort_unique(v->data, v->len);
    return eg_copy_out(g, out, cap, count);
}

eg_status eg_class_index(eg_egraph *g, uint32_t *class_ids, uint32_t class_cap,
                         uint32_t *offsets, uint32_t offsets_cap, uint32_t *nodes,
                         uint32_t nodes_cap) {
    if (!g) return EG_ERR_BAD_ARGUMENT;
    if (class_cap < g->classes || offsets_cap < g->classes + 1 || nodes_cap < g->live)
        return EG_ERR_BUFFER_TOO_SMALL;
    if ((g->classes > 0 && !class_ids) || !offsets || (g->live > 0 && !nodes))
        return EG_ERR_BAD_ARGUMENT;
    /* rank[root] = the root's position among the classes, in a temporary array. */
    size_t bytes = (size_t)(g->n ? g->n : 1) * 4;
    uint32_t *rank = eg_mem_alloc(&g->mem, bytes);
    if (!rank) return EG_ERR_OUT_OF_MEMORY;
    uint32_t k = 0;
    for (uint32_t i = 0; i < g->n; i++)
        if (eg_is_root(g, i)) {
            rank[i] = k;
            class_ids[k++] = i;
        }
    memset(offsets, 0, (size_t)(g->classes + 1) * 4);
    for (uint32_t i = 0; i < g->n; i++)
        if (!eg_is_dead(g, i)) offsets[rank[eg_find_root(g, i)] + 1]++;
    for (uint32_t c = 0; c < g->classes; c++) offsets[c + 1] += offsets[c];
    /* Place nodes in ascending id order; use rank[] as each class's fill cursor. */
    for (uint32_t c = 0; c < g->classes; c++) rank[class_ids[c]] = offsets[c];
    for (uint32_t i = 0; i < g->n; i++)
        if (!eg_is_dead(g, i)) nodes[rank[eg_find_root(g, i)]++] = i;
    eg_mem_free(&g->mem, rank, bytes);
    return EG_OK;
}

/* ---- iteration stamps ---- */

eg_status eg_set_iteration(eg_egraph *g, uint32_t iteration) {
    if (!g || iteration < g->iteration) return EG_ERR_BAD_ARGUMENT;
    g->iteration = iteration;
    return EG_OK;
}

uint32_t eg_iteration(const eg_egraph *g) { return g ? g->iteration : 0; }

eg_status eg_node_iteration(const eg_egraph *g, uint32_t id, uint32_t *iteration) {
    if (!g || !iteration) return EG_ERR_BAD_ARGUMENT;
    if (id >= g->n) return EG_ERR_BAD_ID;
    const uint32_t *b = g->boundaries.data;
    uint32_t lo = 0, hi = g->boundaries.len / 2; /* pairs; b[2*lo+1] <= id */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (b[2 * mid + 1] <= id) lo = mid;
        else hi = mid;
    }
    *iteration = b[2 * lo];
    return EG_OK;
}

uint32_t eg_iteration_first_node(const eg_egraph *g, uint32_t iteration) {
    if (!g) return 0;
    const uint32_t *b = g->boundaries.data;
    uint32_t lo = 0, hi = g->boundaries.len / 2; /* first pair with iteration >= k */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (b[2 * mid] < iteration) lo = mid + 1;
        else hi = mid;
    }
    return lo < g->boundaries.len / 2 ? b[2 * lo + 1] : g->n;
}

/* ---- memory ---- */

eg_status eg_memory(const eg_egraph *g, eg_memory_stats *stats) {
    if (!g || !stats) return EG_ERR_BAD_ARGUMENT;
    stats->current_bytes = g->mem.current;
    stats->peak_bytes = g->mem.peak;
    return EG_OK;
}

void eg_reset_peak_memory(eg_egraph *g) {
    if (g) g->mem.peak = g->mem.current;
}
