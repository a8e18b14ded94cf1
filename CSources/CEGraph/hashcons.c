/* The hashcons: open addressing with linear probing from (op, payload, children) to the
 * live node with that key.
 *
 * Layout: one control byte and one u32 node id per slot (5 bytes a slot). A control byte
 * is 0 (empty), 1 (tombstone) or 0x80 | 7 hash bits, so a probe compares a full key only
 * on a 1-in-128 false tag match. The capacity is any number (positions come from a
 * multiply-shift "fast range"), so the table grows by 1.5x (1.25x when large), not 2x. Growth
 * reallocates both arrays in place and re-inserts the live nodes, so there is never an
 * old and a new table alive at once. Keys are never stored: an entry is hashed from the
 * node's stored children, which change only while the node is out of the table. */
#include "egraph_internal.h"

#include <string.h>

uint64_t eg_hash_stored(const eg_egraph *g, uint32_t id) {
    uint32_t b = g->child_offsets[id];
    return eg_hash_node(g->ops[id], g->payloads[id], g->children + b,
                        g->child_offsets[id + 1] - b);
}

uint32_t eg_hc_lookup(const eg_egraph *g, uint64_t hash, uint32_t op, uint64_t payload,
                      const uint32_t *children, uint32_t arity) {
    return eg_hc_probe(g, hash, op, payload, children, arity, NULL);
}

static uint32_t eg_hc_find_slot_of(const eg_egraph *g, uint32_t id) {
    uint32_t cap = g->hc_cap;
    if (cap == 0) return EG_NONE;
    uint64_t hash = eg_hash_stored(g, id);
    uint8_t tag = eg_hc_tag(hash);
    uint32_t i = eg_hc_home(hash, cap);
    for (;;) {
        uint8_t c = g->hc_ctrl[i];
        if (c == EG_CTRL_EMPTY) return EG_NONE;
        if (c == tag && g->hc_slots[i] == id) return i;
        if (++i == cap) i = 0;
    }
}

bool eg_hc_contains(const eg_egraph *g, uint32_t id) {
    return eg_hc_find_slot_of(g, id) != EG_NONE;
}

/* Rebuilds the table with `new_cap` slots from the node storage: the live nodes are
 * exactly the entries, so they are re-inserted in id order, which reads the node arrays
 * sequentially instead of chasing each old slot's node. The arrays are resized in place
 * (realloc), so an old and a new table are never alive at once. */
static bool eg_hc_rehash(eg_egraph *g, uint32_t new_cap) {
    uint32_t old_cap = g->hc_cap;
    if (new_cap != old_cap) {
        uint8_t *ctrl = eg_mem_realloc(&g->mem, g->hc_ctrl, old_cap, new_cap);
        if (!ctrl) return false;
        g->hc_ctrl = ctrl;
        uint32_t *slots = eg_mem_realloc(&g->mem, g->hc_slots, (size_t)old_cap * 4,
                                         (size_t)new_cap * 4);
        if (!slots) {
            /* Give the control array its old size back: capacity stays old_cap. */
            uint8_t *back = eg_mem_realloc(&g->mem, g->hc_ctrl, new_cap, old_cap);
            if (back) g->hc_ctrl = back;
            return false;
        }
        g->hc_slots = slots;
    }
    uint8_t *ctrl = g->hc_ctrl;
    uint32_t *slots = g->hc_slots;
    memset(ctrl, EG_CTRL_EMPTY, new_cap);
    const uint32_t *off = g->child_offsets;
    /* In chunks: hash the chunk's nodes (sequential reads) and prefetch their home slots,
     * then place them, so the random writes overlap instead of missing one by one. */
    enum { CHUNK = 32 };
    uint32_t homes[CHUNK], ids[CHUNK];
    uint8_t tags[CHUNK];
    uint32_t id = 0;
    while (id < g->n) {
        uint32_t k = 0;
        for (; id < g->n && k < CHUNK; id++) {
            if (eg_is_dead(g, id)) continue;
            uint64_t hash = eg_hash_node(g->ops[id], g->payloads[id], g->children + off[id],
                                         off[id + 1] - off[id]);
            uint32_t home = eg_hc_home(hash, new_cap);
            __builtin_prefetch(ctrl + home, 1);
            __builtin_prefetch(slots + home, 1);
            homes[k] = home;
            tags[k] = eg_hc_tag(hash);
            ids[k] = id;
            k++;
        }
        for (uint32_t j = 0; j < k; j++) {
            uint32_t i = homes[j];
            while (ctrl[i] != EG_CTRL_EMPTY) {
                if (++i == new_cap) i = 0;
            }
            ctrl[i] = tags[j];
            slots[i] = ids[j];
        }
    }
    g->hc_cap = new_cap;
    g->hc_tombs = 0;
    return true;
}

bool eg_hc_reserve_one(eg_egraph *g) {
    uint64_t cap = g->hc_cap;
    uint64_t used = (uint64_t)g->hc_full + g->hc_tombs + 1;
    if (used * 5 <= cap * 4) return true; /* load stays at or below 0.8 */
    uint64_t live = (uint64_t)g->hc_full + 1;
    uint64_t new_cap = cap;
    if (live * 10 > cap * 6) { /* grow when live entries would pass 0.6 */
        new_cap = eg_grow_capacity((uint32_t)cap, 0, 64);
        if (new_cap < live * 10 / 6 + 1) new_cap = live * 10 / 6 + 1;
        if (new_cap < 64) new_cap = 64;
        if (new_cap > UINT32_MAX) new_cap = UINT32_MAX;
        if (live * 5 > new_cap * 4) return false;
    }
    return eg_hc_rehash(g, (uint32_t)new_cap);
}

bool eg_hc_reserve(eg_egraph *g, uint64_t extra) {
    /* Size the table once for `extra` more live entries (load at most 0.6), so a batch
     * of adds does not rehash on its way up. Never shrinks. */
    uint64_t live = (uint64_t)g->hc_full + extra;
    if (live * 10 <= (uint64_t)g->hc_cap * 6) return true;
    uint64_t new_cap = live * 10 / 6 + 1;
    if (new_cap < 64) new_cap = 64;
    if (new_cap > UINT32_MAX) return false;
    return eg_hc_rehash(g, (uint32_t)new_cap);
}

void eg_hc_make_room_for_repair(eg_egraph *g) {
    /* Adds keep live entries at or below 0.8 of the slots and repairs never add live
     * entries, so clearing the tombstones in place always leaves room: no growth (and no
     * allocation) during a rebuild. */
    uint64_t used = (uint64_t)g->hc_full + g->hc_tombs + 1;
    if (used * 10 > (uint64_t)g->hc_cap * 9) eg_hc_rehash(g, g->hc_cap);
}

uint32_t eg_hc_free_slot(const eg_egraph *g, uint64_t hash) {
    uint32_t cap = g->hc_cap;
    uint32_t i = eg_hc_home(hash, cap);
    while (g->hc_ctrl[i] >= 0x80) {
        if (++i == cap) i = 0;
    }
    return i;
}

void eg_hc_insert(eg_egraph *g, uint32_t id, uint64_t hash) {
    eg_hc_insert_at(g, eg_hc_free_slot(g, hash), id, hash);
}

void eg_hc_remove(eg_egraph *g, uint32_t id) {
    uint32_t i = eg_hc_find_slot_of(g, id);
    if (i == EG_NONE) return;
    uint32_t next = i + 1 == g->hc_cap ? 0 : i + 1;
    /* A slot followed by an empty one ends every probe that reaches it: it can be empty. */
    if (g->hc_ctrl[next] == EG_CTRL_EMPTY) {
        g->hc_ctrl[i] = EG_CTRL_EMPTY;
    } else {
        g->hc_ctrl[i] = EG_CTRL_TOMB;
        g->hc_tombs++;
    }
    g->hc_full--;
}
