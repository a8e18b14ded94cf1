/* eg_check: a full invariant check of a graph, for tests. It never trusts a link: every
 * walk is bounded, so a corrupted graph gives a message, not a hang. */
#include "egraph_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static eg_status eg_fail(char *message, size_t capacity, const char *fmt, ...) {
    if (message && capacity > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(message, capacity, fmt, ap);
        va_end(ap);
    }
    return EG_ERR_INVARIANT;
}

/* Root of x by following links, at most n steps; EG_NONE on a cycle. */
static uint32_t eg_checked_root(const eg_egraph *g, uint32_t x) {
    for (uint32_t steps = 0; steps <= g->n; steps++) {
        uint32_t p = g->uf[x];
        if (p == x) return x;
        if (p >= g->n) return EG_NONE;
        x = p;
    }
    return EG_NONE;
}

static eg_status eg_check_nodes(const eg_egraph *g, char *msg, size_t cap) {
    if (g->n > g->node_cap && g->n > 0) return eg_fail(msg, cap, "node count above capacity");
    if (g->child_offsets[0] != 0) return eg_fail(msg, cap, "first child offset is not 0");
    uint32_t live = 0, roots = 0;
    for (uint32_t i = 0; i < g->n; i++) {
        if (g->child_offsets[i + 1] < g->child_offsets[i])
            return eg_fail(msg, cap, "node %u: child offsets decrease", i);
        if (g->uf[i] >= g->n)
            return eg_fail(msg, cap, "node %u: union-find link out of range", i);
        if (eg_is_root(g, i)) roots++;
        if (eg_checked_root(g, i) == EG_NONE)
            return eg_fail(msg, cap, "node %u: union-find cycle", i);
        if (!eg_is_dead(g, i)) live++;
        for (uint32_t e = g->child_offsets[i]; e < g->child_offsets[i + 1]; e++)
            if (g->children[e] >= g->n)
                return eg_fail(msg, cap, "node %u: child %u out of range", i, g->children[e]);
    }
    if (g->child_offsets[g->n] != g->edges) return eg_fail(msg, cap, "edge count mismatch");
    if (live != g->live)
        return eg_fail(msg, cap, "live count %u but %u live nodes", g->live, live);
    if (roots != g->classes)
        return eg_fail(msg, cap, "class count %u but %u roots", g->classes, roots);
    return EG_OK;
}

static eg_status eg_check_hashcons(const eg_egraph *g, char *msg, size_t cap) {
    uint32_t full = 0, tombs = 0;
    for (uint32_t i = 0; i < g->hc_cap; i++) {
        uint8_t c = g->hc_ctrl[i];
        if (c >= 0x80) {
            full++;
            uint32_t id = g->hc_slots[i];
            if (id >= g->n) return eg_fail(msg, cap, "hashcons slot %u holds bad id %u", i, id);
            if (eg_is_dead(g, id))
                return eg_fail(msg, cap, "hashcons holds dead node %u", id);
            if ((uint8_t)(0x80u | (eg_hash_stored(g, id) >> 57)) != c)
                return eg_fail(msg, cap, "hashcons slot %u: tag does not match node %u", i, id);
        } else if (c == 1) {
            tombs++;
        } else if (c != 0) {
            return eg_fail(msg, cap, "hashcons slot %u: bad control byte", i);
        }
    }
    if (full != g->hc_full || tombs != g->hc_tombs)
        return eg_fail(msg, cap, "hashcons counts %u/%u but %u/%u found", g->hc_full,
                       g->hc_tombs, full, tombs);
    if (full != g->live)
        return eg_fail(msg, cap, "hashcons holds %u entries for %u live nodes", full, g->live);
    /* Lookups stop at an empty slot: the table must never fill up with entries and
     * tombstones (adds keep entries at or below 0.8 of the slots, rebuilds entries plus
     * tombstones at or below 0.9). */
    if ((uint64_t)full * 5 > (uint64_t)g->hc_cap * 4 ||
        ((uint64_t)full + tombs) * 10 > (uint64_t)g->hc_cap * 9)
        return eg_fail(msg, cap, "hashcons too full (%u entries, %u tombstones, %u slots)",
                       full, tombs, g->hc_cap);
    for (uint32_t i = 0; i < g->n; i++) {
        if (eg_is_dead(g, i)) continue;
        uint32_t b = g->child_offsets[i], a = g->child_offsets[i + 1] - b;
        uint32_t hit = eg_hc_lookup(g, eg_hash_stored(g, i), g->ops[i], g->payloads[i],
                                    g->children + b, a);
        if (hit != i)
            return eg_fail(msg, cap, "live node %u: hashcons lookup gives %u", i, hit);
    }
    return EG_OK;
}

static eg_status eg_check_members(const eg_egraph *g, char *msg, size_t cap) {
    uint64_t visited = 0;
    for (uint32_t r = 0; r < g->n; r++) {
        if (!eg_is_root(g, r)) continue;
        uint32_t x = r;
        do {
            if (eg_checked_root(g, x) != r)
                return eg_fail(msg, cap, "member ring of %u holds node %u of another class", r, x);
            if (++visited > g->n) return eg_fail(msg, cap, "member rings overlap or loop");
            x = g->member_next[x];
            if (x >= g->n) return eg_fail(msg, cap, "member ring of %u leaves the graph", r);
        } while (x != r);
    }
    if (visited != g->n)
        return eg_fail(msg, cap, "member rings hold %llu of %u nodes",
                       (unsigned long long)visited, g->n);
    return EG_OK;
}

static eg_status eg_check_op_index(const eg_egraph *g, char *msg, size_t cap) {
    uint64_t listed = 0;
    for (uint32_t op = 0; op < g->op_bound; op++) {
        const eg_vec *l = &g->op_lists[op];
        for (uint32_t i = 0; i < l->len; i++) {
            uint32_t id = l->data[i];
            if (id >= g->n || g->ops[id] != op)
                return eg_fail(msg, cap, "operator %u index holds node %u of another op", op, id);
            if (i > 0 && l->data[i - 1] >= id)
                return eg_fail(msg, cap, "operator %u index not ascending", op);
            if (eg_is_dead(g, id)) {
                if (g->op_dead[op] == 0)
                    return eg_fail(msg, cap, "operator %u index holds dead node %u", op, id);
            } else {
                listed++;
            }
        }
    }
    if (listed != g->live)
        return eg_fail(msg, cap, "operator index lists %llu of %u live nodes",
                       (unsigned long long)listed, g->live);
    return EG_OK;
}

static eg_status eg_check_congruence(const eg_egraph *g, char *msg, size_t cap) {
    for (uint32_t i = 0; i < g->n; i++) {
        if (eg_is_dead(g, i)) continue;
        for (uint32_t e = g->child_offsets[i]; e < g->child_offsets[i + 1]; e++)
            if (!eg_is_root(g, g->children[e]))
                return eg_fail(msg, cap, "live node %u: stored child %u not canonical after rebuild",
                               i, g->children[e]);
    }
    return EG_OK;
}

static eg_status eg_check_boundaries(const eg_egraph *g, char *msg, size_t cap) {
    const uint32_t *b = g->boundaries.data;
    uint32_t pairs = g->boundaries.len / 2;
    if (g->n > 0 && (pairs == 0 || b[1] != 0))
        return eg_fail(msg, cap, "iteration boundaries do not start at node 0");
    for (uint32_t k = 0; k < pairs; k++) {
        if (b[2 * k + 1] >= g->n) return eg_fail(msg, cap, "iteration boundary past the nodes");
        if (k > 0 && (b[2 * k] <= b[2 * k - 2] || b[2 * k + 1] <= b[2 * k - 1]))
            return eg_fail(msg, cap, "iteration boundaries not increasing");
    }
    return EG_OK;
}

eg_status eg_check(eg_egraph *g, char *message, size_t capacity) {
    if (!g) return EG_ERR_BAD_ARGUMENT;
    if (message && capacity > 0) message[0] = '\0';
    eg_status s = eg_check_nodes(g, message, capacity);
    if (s == EG_OK) s = eg_check_hashcons(g, message, capacity);
    if (s == EG_OK) s = eg_check_members(g, message, capacity);
    if (s == EG_OK) s = eg_check_op_index(g, message, capacity);
    if (s == EG_OK) s = eg_check_boundaries(g, message, capacity);
    if (s == EG_OK && g->pending == 0) s = eg_check_congruence(g, message, capacity);
    return s;
}
