/* E-matching over a snapshot of the graph: the pattern VM, semi-naive filtering by
 * iteration stamps, and batch application of right-hand sides. See CEGraphMatch.h. */
#include "egraph_internal.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum { STAMP_MAX = 0xFFFF };

struct eg_matcher {
    eg_mem mem;                /* byte accounting of everything below */
    /* Snapshot: live nodes per operator as (node, class) pairs, and each class's members
     * sorted by (operator, id) in one pool. */
    uint32_t op_bound;
    uint32_t *op_offsets;      /* op_bound + 1 */
    uint32_t *op_entries;      /* 2 per live node */
    uint32_t id_bound;         /* ids covered by class_offsets */
    uint32_t *class_offsets;   /* id_bound + 1 */
    uint32_t *class_nodes;     /* (operator, node) pairs of the live nodes */
    size_t op_offsets_bytes, op_entries_bytes, class_offsets_bytes, class_nodes_bytes;
    /* A graph that never merged two classes (every class is its node, nothing is dead,
     * as after encoding) needs no index: `trivial` is set, op_offsets[op] holds how many
     * nodes the graph's own list of `op` had (later additions are appended after them),
     * and the only member of class c is node c. */
    bool trivial;

    /* Last iteration in which each class (by canonical id at that time) took part in a
     * merge; 0 when never. Saturates at STAMP_MAX: from there on a stamped class counts
     * as new for every later search (an over-approximation, so never a missed match). */
    uint16_t *class_stamps;
    uint32_t stamps_cap;

    /* Search output. */
    uint32_t *out;
    size_t out_len, out_cap;

    /* Right-hand side scratch. */
    uint32_t *scratch;
    uint32_t scratch_cap;
};

/* ---- small helpers ---------------------------------------------------------------- */

static void *grow(eg_mem *mem, void *p, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap) return p;
    size_t n = *cap ? *cap : 64;
    while (n < need) n *= 2;
    void *q = eg_mem_realloc(mem, p, *cap * elem, n * elem);
    if (!q) return NULL;
    *cap = n;
    return q;
}

eg_status eg_matcher_create(eg_matcher **out) {
    if (!out) return EG_ERR_BAD_ARGUMENT;
    eg_matcher *m = calloc(1, sizeof *m);
    if (!m) return EG_ERR_OUT_OF_MEMORY;
    *out = m;
    return EG_OK;
}

/* Ends the snapshot but keeps its buffers for the next one (an iteration's snapshot is
 * about the size of the previous one). */
void eg_matcher_release_snapshot(eg_matcher *m) {
    if (!m) return;
    m->op_bound = m->id_bound = 0;
    m->out_len = 0;
    m->trivial = false;
}

/* Frees the snapshot's buffers and the search output. */
static void free_snapshot(eg_matcher *m) {
    eg_mem_free(&m->mem, m->op_offsets, m->op_offsets_bytes);
    eg_mem_free(&m->mem, m->op_entries, m->op_entries_bytes);
    eg_mem_free(&m->mem, m->class_offsets, m->class_offsets_bytes);
    eg_mem_free(&m->mem, m->class_nodes, m->class_nodes_bytes);
    m->op_offsets = m->op_entries = m->class_offsets = m->class_nodes = NULL;
    m->op_bound = m->id_bound = 0;
    m->op_offsets_bytes = m->op_entries_bytes = m->class_offsets_bytes = m->class_nodes_bytes = 0;
    eg_mem_free(&m->mem, m->out, m->out_cap * sizeof(uint32_t));
    m->out = NULL;
    m->out_len = m->out_cap = 0;
}

void eg_matcher_destroy(eg_matcher *m) {
    if (!m) return;
    free_snapshot(m);
    eg_mem_free(&m->mem, m->class_stamps, (size_t)m->stamps_cap * sizeof(uint16_t));
    eg_mem_free(&m->mem, m->scratch, (size_t)m->scratch_cap * sizeof(uint32_t));
    free(m);
}

uint64_t eg_matcher_memory(const eg_matcher *m) {
    return m ? m->mem.current : 0;
}

uint64_t eg_matcher_peak_memory(const eg_matcher *m) {
    return m ? m->mem.peak : 0;
}

void eg_matcher_reset_peak_memory(eg_matcher *m) {
    if (m) m->mem.peak = m->mem.current;
}

/* ---- snapshot ----------------------------------------------------------------------- */

eg_status eg_matcher_snapshot(eg_matcher *m, eg_egraph *g) {
    return eg_matcher_snapshot_ops(m, g, NULL, 0);
}

eg_status eg_matcher_snapshot_ops(eg_matcher *m, eg_egraph *g, const uint8_t *wanted,
                                  uint32_t wanted_count) {
    if (!m || !g || (wanted_count > 0 && !wanted)) return EG_ERR_BAD_ARGUMENT;
    if (eg_pending_count(g) != 0) return EG_ERR_STATE;
    eg_matcher_release_snapshot(m);

    eg_nodes_view v;
    eg_status st = eg_nodes(g, &v);
    if (st != EG_OK) return st;
    uint32_t ops = eg_op_bound(g);
    uint32_t live = eg_node_count(g);
    uint32_t ids = v.count;

    if (eg_class_count(g) == ids && live == ids) {
        size_t need = ((size_t)ops + 1) * sizeof(uint32_t);
        if (need > m->op_offsets_bytes) {
            eg_mem_free(&m->mem, m->op_offsets, m->op_offsets_bytes);
            m->op_offsets_bytes = 0;
            m->op_offsets = eg_mem_alloc(&m->mem, need);
            if (!m->op_offsets) return EG_ERR_OUT_OF_MEMORY;
            m->op_offsets_bytes = need;
        }
        for (uint32_t op = 0; op < ops; op++) {
            const uint32_t *nodes = NULL;
            uint32_t count = 0;
            m->op_offsets[op] = eg_op_nodes(g, op, &nodes, &count) == EG_OK ? count : 0;
        }
        m->op_bound = ops;
        m->id_bound = ids;
        m->trivial = true;
        return EG_OK;
    }

    /* The buffers of the previous snapshot are reused when large enough; a larger one
     * gets some room to grow into. */
    size_t need_op_offsets = ((size_t)ops + 1) * sizeof(uint32_t);
    size_t need_entries = ((size_t)live * 2 + 1) * sizeof(uint32_t);
    size_t need_class_offsets = ((size_t)ids + 2) * sizeof(uint32_t);
    if (need_op_offsets > m->op_offsets_bytes || need_entries > m->op_entries_bytes
        || need_entries > m->class_nodes_bytes || need_class_offsets > m->class_offsets_bytes) {
        free_snapshot(m);
        m->op_offsets_bytes = need_op_offsets;
        m->op_entries_bytes = need_entries + need_entries / 8;
        m->class_offsets_bytes = need_class_offsets + need_class_offsets / 8;
        m->class_nodes_bytes = m->op_entries_bytes;
        m->op_offsets = eg_mem_alloc(&m->mem, m->op_offsets_bytes);
        m->op_entries = eg_mem_alloc(&m->mem, m->op_entries_bytes);
        m->class_offsets = eg_mem_alloc(&m->mem, m->class_offsets_bytes);
        m->class_nodes = eg_mem_alloc(&m->mem, m->class_nodes_bytes);
        if (!m->op_offsets || !m->op_entries || !m->class_offsets || !m->class_nodes) {
            free_snapshot(m);
            return EG_ERR_OUT_OF_MEMORY;
        }
    }
    memset(m->class_offsets, 0, need_class_offsets);
    m->op_bound = ops;
    m->id_bound = ids;

    /* Pass 1: per-op entries with each node's class (the graph is clean, so a node's
     * class is its union-find root), and member counts per class. */
    uint32_t n_entries = 0;
    for (uint32_t op = 0; op < ops; op++) {
        m->op_offsets[op] = n_entries;
        if (wanted && (op >= wanted_count || !wanted[op])) continue;
        const uint32_t *nodes = NULL;
        uint32_t count = 0;
        if (eg_op_nodes(g, op, &nodes, &count) != EG_OK) continue;
        for (uint32_t k = 0; k < count; k++) {
            uint32_t n = nodes[k];
            uint32_t c = n;
            while (v.uf_links[c] != c) c = v.uf_links[c];
            m->op_entries[2 * n_entries] = n;
            m->op_entries[2 * n_entries + 1] = c;
            n_entries++;
            m->class_offsets[c + 1]++;
        }
    }
    m->op_offsets[ops] = n_entries;
    for (uint32_t c = 0; c < ids; c++) m->class_offsets[c + 1] += m->class_offsets[c];

    /* Pass 2: fill members in (op, id) order using a moving write position per class
     * (class_offsets[c] advances; shifted back afterwards). */
    for (uint32_t op = 0; op < ops; op++) {
        for (uint32_t e = m->op_offsets[op]; e < m->op_offsets[op + 1]; e++) {
            uint32_t c = m->op_entries[2 * e + 1];
            uint32_t at = m->class_offsets[c]++;
            m->class_nodes[2 * at] = op;
            m->class_nodes[2 * at + 1] = m->op_entries[2 * e];
        }
    }
    for (uint32_t c = ids; c > 0; c--) m->class_offsets[c] = m->class_offsets[c - 1];
    m->class_offsets[0] = 0;
    return EG_OK;
}

eg_status eg_matcher_stamp_merges(eg_matcher *m, eg_egraph *g, uint32_t iteration) {
    if (!m || !g) return EG_ERR_BAD_ARGUMENT;
    const uint32_t *pairs = NULL;
    uint32_t count = 0;
    eg_status st = eg_merges(g, &pairs, &count);
    if (st != EG_OK) return st;
    if (count == 0) return EG_OK;
    uint32_t ids = eg_total_node_count(g);
    if (ids > m->stamps_cap) {
        /* Grown once per iteration at most, so a small margin instead of doubling. */
        size_t cap = (size_t)ids + ids / 8;
        uint16_t *p = eg_mem_realloc(&m->mem, m->class_stamps, (size_t)m->stamps_cap * sizeof(uint16_t),
                                     cap * sizeof(uint16_t));
        if (!p) return EG_ERR_OUT_OF_MEMORY;
        memset(p + m->stamps_cap, 0, (cap - m->stamps_cap) * sizeof(uint16_t));
        m->class_stamps = p;
        m->stamps_cap = (uint32_t)cap;
    }
    for (uint32_t i = 0; i < count; i++) {
        uint32_t s = eg_find(g, pairs[2 * i + 1]);
        if (s < m->stamps_cap) m->class_stamps[s] = (uint16_t)(iteration < STAMP_MAX ? iteration : STAMP_MAX);
    }
    return EG_OK;
}

/* ---- the VM ------------------------------------------------------------------------- */

enum { MAX_REGS = 256 };

typedef struct vm {
    const eg_matcher *m;
    eg_nodes_view v;
    const uint32_t *code;
    uint32_t len;
    uint32_t regs[MAX_REGS];
    uint64_t pregs[MAX_REGS];
    uint32_t since;         /* 0: no filter */
    uint32_t node_bound;    /* nodes with id >= this are new */
    uint32_t n_class_regs;
    const uint32_t *out_class; uint32_t n_out_class;
    const uint32_t *out_pay; uint32_t n_out_pay;
    uint32_t stride;
    eg_matcher *mm;
    bool oom;
} vm;

static inline bool class_is_new(const vm *s, uint32_t c) {
    uint32_t since = s->since < STAMP_MAX ? s->since : STAMP_MAX;
    return c < s->m->stamps_cap && s->m->class_stamps[c] >= since;
}

static void emit(vm *s) {
    eg_matcher *m = s->mm;
    if (m->out_len + s->stride > m->out_cap) {
        size_t cap = m->out_cap;
        uint32_t *p = grow(&m->mem, m->out, &cap, m->out_len + s->stride, sizeof(uint32_t));
        if (!p) { s->oom = true; return; }
        m->out = p;
        m->out_cap = cap;
    }
    uint32_t *row = m->out + m->out_len;
    for (uint32_t i = 0; i < s->n_out_class; i++) *row++ = s->regs[s->out_class[i]];
    for (uint32_t i = 0; i < s->n_out_pay; i++) {
        uint64_t p64 = s->pregs[s->out_pay[i]];
        *row++ = (uint32_t)p64;
        *row++ = (uint32_t)(p64 >> 32);
    }
    m->out_len += s->stride;
}

static inline bool payload_ok(vm *s, uint32_t pmode, uint32_t p0, uint32_t p1, uint64_t payload) {
    switch (pmode) {
    case EG_PAYLOAD_ANY: return true;
    case EG_PAYLOAD_EQUAL: return payload == ((uint64_t)p1 << 32 | p0);
    case EG_PAYLOAD_BIND: s->pregs[p0] = payload; return true;
    case EG_PAYLOAD_SAME: return s->pregs[p0] == payload;
    default: return false;
    }
}

static void run(vm *s, uint32_t pc, uint32_t fresh);

/* The members of class `cls` (below the snapshot's id bound, in a non-trivial snapshot)
 * from the first of operator `op` on, as (operator, node) pairs sorted by operator: a
 * binary search in a large class, a scan in a small one. `*left` is how many pairs follow
 * (of `op` while the pair's operator is `op`). */
static inline const uint32_t *class_members_from(const eg_matcher *m, uint32_t cls, uint32_t op,
                                                 uint32_t *left) {
    const uint32_t *mem = m->class_nodes + 2 * (size_t)m->class_offsets[cls];
    uint32_t k = m->class_offsets[cls + 1] - m->class_offsets[cls];
    uint32_t lo = 0;
    if (k > 16) {
        uint32_t hi = k;
        while (lo < hi) {
            uint32_t mid = (lo + hi) / 2;
            if (mem[2 * mid] < op) lo = mid + 1; else hi = mid;
        }
    } else {
        while (lo < k && mem[2 * lo] < op) lo++;
    }
    *left = k - lo;
    return mem + 2 * (size_t)lo;
}

/* Whether class `cls` of the snapshot has a node of operator `op`: what a BIND of `op`
 * from `cls` needs to find anything. */
static inline bool class_has_op(const vm *s, uint32_t cls, uint32_t op) {
    const eg_matcher *m = s->m;
    if (cls >= m->id_bound) return false;
    if (m->trivial) return s->v.ops[cls] == op;
    uint32_t k;
    const uint32_t *mem = class_members_from(m, cls, op, &k);
    return k > 0 && mem[0] == op;
}


/* Tries node n (of the right operator) at a BIND instruction and continues. */
static inline void try_node(vm *s, uint32_t pc, uint32_t n, uint32_t arity, uint32_t pmode,
                            uint32_t p0, uint32_t p1, uint32_t out_base, uint32_t fresh) {
    uint32_t lo = s->v.child_offsets[n], hi = s->v.child_offsets[n + 1];
    if (hi - lo != arity) return;
    if (pmode != EG_PAYLOAD_ANY && !payload_ok(s, pmode, p0, p1, s->v.payloads[n])) return;
    const uint32_t *ch = s->v.children + lo;
    for (uint32_t i = 0; i < arity; i++) s->regs[out_base + i] = ch[i];
    run(s, pc + 8, fresh + (n >= s->node_bound));
}

static void run(vm *s, uint32_t pc, uint32_t fresh) {
    if (s->oom) return;
    const uint32_t *c = s->code;
    switch (c[pc]) {
    case EG_OP_BIND: {
        uint32_t in = c[pc + 1], op = c[pc + 2], arity = c[pc + 3], pmode = c[pc + 4];
        uint32_t p0 = c[pc + 5], p1 = c[pc + 6], out_base = c[pc + 7];
        uint32_t cls = s->regs[in];
        const eg_matcher *m = s->m;
        if (cls >= m->id_bound) return;
        if (m->trivial) {
            if (s->v.ops[cls] == op) try_node(s, pc, cls, arity, pmode, p0, p1, out_base, fresh);
            return;
        }
        uint32_t k;
        const uint32_t *mem = class_members_from(m, cls, op, &k);
        for (uint32_t i = 0; i < k && mem[2 * i] == op; i++)
            try_node(s, pc, mem[2 * i + 1], arity, pmode, p0, p1, out_base, fresh);
        return;
    }
    case EG_OP_COMPARE:
        if (s->regs[c[pc + 1]] != s->regs[c[pc + 2]]) return;
        run(s, pc + 3, fresh);
        return;
    case EG_OP_YIELD:
        if (s->since > 0 && fresh == 0) {
            bool any = false;
            for (uint32_t r = 0; r < s->n_class_regs && !any; r++) any = class_is_new(s, s->regs[r]);
            if (!any) return;
        }
        emit(s);
        return;
    default:
        return;
    }
}

/* Validates a pattern program; returns the pc of the first instruction or 0 if bad. */
static uint32_t check_program(const uint32_t *p, uint32_t len, uint32_t *n_cls, uint32_t *n_pay,
                              uint32_t *stride, const uint32_t **oc, uint32_t *noc,
                              const uint32_t **op, uint32_t *nop) {
    if (len < 6) return 0;
    *n_cls = p[0]; *n_pay = p[1]; *stride = p[2];
    if (*n_cls == 0 || *n_cls > MAX_REGS || *n_pay > MAX_REGS) return 0;
    uint32_t i = 3;
    *noc = p[i++];
    if (i + *noc >= len) return 0;
    *oc = p + i; i += *noc;
    *nop = p[i++];
    if (i + *nop > len) return 0;
    *op = p + i; i += *nop;
    if (*stride != *noc + 2 * *nop) return 0;
    for (uint32_t k = 0; k < *noc; k++) if ((*oc)[k] >= *n_cls) return 0;
    for (uint32_t k = 0; k < *nop; k++) if ((*op)[k] >= *n_pay) return 0;
    uint32_t start = i;
    bool first = true, yielded = false;
    while (i < len) {
        switch (p[i]) {
        case EG_OP_BIND: {
            if (i + 8 > len) return 0;
            uint32_t in = p[i + 1], arity = p[i + 3], pmode = p[i + 4], out = p[i + 7];
            if (first != (in == EG_NONE)) return 0;
            if (!first && in >= *n_cls) return 0;
            if ((uint64_t)out + arity > *n_cls) return 0;
            if (pmode > EG_PAYLOAD_SAME) return 0;
            if ((pmode == EG_PAYLOAD_BIND || pmode == EG_PAYLOAD_SAME) && p[i + 5] >= *n_pay) return 0;
            i += 8;
            break;
        }
        case EG_OP_COMPARE:
            if (first || i + 3 > len || p[i + 1] >= *n_cls || p[i + 2] >= *n_cls) return 0;
            i += 3;
            break;
        case EG_OP_YIELD:
            if (first || i + 1 != len) return 0;
            yielded = true;
            i += 1;
            break;
        default:
            return 0;
        }
        first = false;
    }
    return yielded ? start : 0;
}

eg_status eg_search(eg_matcher *m, const eg_egraph *g, const uint32_t *program,
                    uint32_t program_len, uint32_t since, uint32_t *cursor,
                    uint32_t batch_target, const uint32_t **matches, uint32_t *count,
                    bool *done) {
    if (!m || !g || !program || !cursor || !matches || !count || !done) return EG_ERR_BAD_ARGUMENT;
    vm s;
    /* The registers are written before they are read (a BIND sets its children's class
     * registers and binds payload registers before a later SAME reads them), so only the
     * other fields are cleared; zeroing the 3 KB of registers per search showed. */
    memset(&s, 0, offsetof(vm, regs));
    s.since = 0; s.node_bound = 0; s.n_class_regs = 0;
    s.out_class = NULL; s.n_out_class = 0; s.out_pay = NULL; s.n_out_pay = 0;
    s.stride = 0; s.mm = NULL; s.oom = false;
    uint32_t n_pay, pc0;
    pc0 = check_program(program, program_len, &s.n_class_regs, &n_pay, &s.stride,
                        &s.out_class, &s.n_out_class, &s.out_pay, &s.n_out_pay);
    if (pc0 == 0) return EG_ERR_BAD_ARGUMENT;
    eg_status st = eg_nodes(g, &s.v);
    if (st != EG_OK) return st;
    s.m = m;
    s.mm = m;
    s.code = program;
    s.len = program_len;
    s.since = since;
    s.node_bound = since > 0 ? eg_iteration_first_node(g, since) : 0;
    m->out_len = 0;

    uint32_t op = program[pc0 + 2], arity = program[pc0 + 3], pmode = program[pc0 + 4];
    uint32_t p0 = program[pc0 + 5], p1 = program[pc0 + 6], out_base = program[pc0 + 7];
    uint32_t begin = 0, end = 0;
    const uint32_t *trivial_nodes = NULL;
    if (op < m->op_bound) {
        if (m->trivial) {
            uint32_t listed = 0;
            if (eg_op_nodes(g, op, &trivial_nodes, &listed) != EG_OK) trivial_nodes = NULL;
            end = trivial_nodes ? m->op_offsets[op] : 0;
        } else {
            begin = m->op_offsets[op];
            end = m->op_offsets[op + 1];
        }
    }
    uint32_t total = end - begin;
    uint32_t i = *cursor;
    size_t target_words = (size_t)batch_target * s.stride;
    /* The first BIND after the root's reads one of the root's children: a root whose child
     * class has no node of that BIND's operator cannot match, and is passed over without
     * entering the VM (the same matches, found with less work). COMPAREs may come between. */
    uint32_t pre_slot = EG_NONE, pre_op = 0;
    for (uint32_t pc = pc0 + 8; pc < program_len;) {
        if (program[pc] == EG_OP_COMPARE) { pc += 3; continue; }
        if (program[pc] == EG_OP_BIND && program[pc + 1] >= out_base && program[pc + 1] - out_base < arity) {
            pre_slot = program[pc + 1] - out_base;
            pre_op = program[pc + 2];
        }
        break;
    }
    while (i < total) {
        uint32_t n;
        if (trivial_nodes) {
            n = trivial_nodes[i];
            s.regs[0] = n;
        } else {
            n = m->op_entries[2 * (begin + i)];
            s.regs[0] = m->op_entries[2 * (begin + i) + 1];
        }
        i++;
        if (pre_slot != EG_NONE) {
            uint32_t lo = s.v.child_offsets[n];
            if (s.v.child_offsets[n + 1] - lo != arity
                || !class_has_op(&s, s.v.children[lo + pre_slot], pre_op)) continue;
        }
        try_node(&s, pc0, n, arity, pmode, p0, p1, out_base, 0);
        if (s.oom) return EG_ERR_OUT_OF_MEMORY;
        if (m->out_len >= target_words) break;
    }
    *cursor = i;
    *done = i >= total;
    *matches = m->out;
    *count = s.stride ? (uint32_t)(m->out_len / s.stride) : 0;
    return EG_OK;
}

/* ---- applying right-hand sides ------------------------------------------------------ */

enum { PREFETCH_AHEAD = 8, PREFETCH_NODES = 8, PREFETCH_ARITY = 4 };

/* The payload of a right-hand-side node record (operator, arity, payload mode, two payload
 * words, children): its literal, or the one the match row holds at the recorded column. */
static inline uint64_t rhs_payload(const uint32_t *node, const uint32_t *row) {
    return node[2] == EG_PAYLOAD_EQUAL ? ((uint64_t)node[4] << 32 | node[3])
                                       : ((uint64_t)row[node[3] + 1] << 32 | row[node[3]]);
}

/* A right-hand-side reference: with the high bit set, the class of the row's k-th new
 * node (temps[k]); otherwise a match column. */
static inline uint32_t rhs_ref(uint32_t src, const uint32_t *temps, const uint32_t *row) {
    return (src & 0x80000000u) ? temps[src & 0x7FFFFFFFu] : row[src];
}

/* Prefetches the hashcons home slots of a row's leaf-level right-hand-side nodes. Only a
 * hint: it computes the hashcons's slot choice (eg_hc_home in egraph_internal.h) from the
 * same hash, and a mismatch would cost speed, never correctness. */
static void prefetch_rhs(eg_egraph *g, const uint32_t *rhs, const uint32_t *leaf_at,
                         uint32_t n_leaf, const uint32_t *row) {
    uint32_t cap = g->hc_cap;
    if (cap == 0) return;
    for (uint32_t k = 0; k < n_leaf; k++) {
        const uint32_t *node = rhs + leaf_at[k];
        uint32_t op = node[0], arity = node[1];
        uint64_t payload = rhs_payload(node, row);
        uint32_t canon[PREFETCH_ARITY];
        for (uint32_t a = 0; a < arity; a++) canon[a] = eg_find_root(g, row[node[5 + a]]);
        uint64_t hash = eg_hash_node(op, payload, canon, arity);
        uint32_t home = eg_hc_home(hash, cap);
        __builtin_prefetch(g->hc_ctrl + home);
        __builtin_prefetch(g->hc_slots + home);
    }
}

/* Validates a right-hand-side node list starting at word `i` (n_nodes nodes, children from
 * match words below `stride` or, when `nested`, earlier nodes). Returns the word after the
 * last node, or 0 when malformed. */
static uint32_t check_rhs_nodes(const uint32_t *rhs, uint32_t len, uint32_t i, uint32_t n_nodes,
                                uint32_t stride, bool nested, uint32_t *max_arity) {
    for (uint32_t k = 0; k < n_nodes; k++) {
        if (i + 5 > len) return 0;
        uint32_t arity = rhs[i + 1], pmode = rhs[i + 2];
        if (pmode != EG_PAYLOAD_EQUAL && pmode != EG_PAYLOAD_BIND) return 0;
        if (pmode == EG_PAYLOAD_BIND && rhs[i + 3] + 1 >= stride) return 0;
        if ((uint64_t)i + 5 + arity > len) return 0;
        for (uint32_t a = 0; a < arity; a++) {
            uint32_t src = rhs[i + 5 + a];
            if (src & 0x80000000u) { if (!nested || (src & 0x7FFFFFFFu) >= k) return 0; }
            else if (src >= stride) return 0;
        }
        if (arity > *max_arity) *max_arity = arity;
        i += 5 + arity;
    }
    return i;
}

/* Validates a whole right-hand side: its node list (from word 2) and its root reference. */
static bool check_rhs(const uint32_t *rhs, uint32_t rhs_len, uint32_t stride, uint32_t *max_arity) {
    uint32_t n_nodes = rhs[0], root = rhs[1];
    if (check_rhs_nodes(rhs, rhs_len, 2, n_nodes, stride, true, max_arity) != rhs_len) return false;
    return (root & 0x80000000u) ? (root & 0x7FFFFFFFu) < n_nodes : root < stride;
}

eg_status eg_apply(eg_matcher *m, eg_egraph *g, const uint32_t *rhs, uint32_t rhs_len,
                   const uint32_t *matches, uint32_t count, uint32_t stride,
                   const uint8_t *mask, uint32_t node_limit, uint32_t *processed,
                   uint32_t *merged, bool *limit_hit) {
    if (!m || !g || !rhs || rhs_len < 2 || (count > 0 && !matches) || !processed || !merged || !limit_hit)
        return EG_ERR_BAD_ARGUMENT;
    uint32_t n_nodes = rhs[0];
    /* Validate once, and size the scratch: one class per rhs node plus the widest child list. */
    uint32_t max_arity = 0;
    if (!check_rhs(rhs, rhs_len, stride, &max_arity)) return EG_ERR_BAD_ARGUMENT;
    size_t need = (size_t)n_nodes + max_arity + 1;
    size_t cap = m->scratch_cap;
    uint32_t *scratch = grow(&m->mem, m->scratch, &cap, need, sizeof(uint32_t));
    if (!scratch) return EG_ERR_OUT_OF_MEMORY;
    m->scratch = scratch;
    m->scratch_cap = (uint32_t)cap;
    uint32_t *temps = scratch, *kids = scratch + n_nodes;

    /* The right-hand-side nodes whose children all come from the match ("leaf-level"):
     * their hashcons slots are prefetched a few rows ahead, since the lookups are cache
     * misses on a large graph. */
    uint32_t leaf_at[PREFETCH_NODES];
    uint32_t n_leaf = 0;
    {
        uint32_t i = 2;
        for (uint32_t k = 0; k < n_nodes; k++) {
            uint32_t arity = rhs[i + 1];
            bool leaf = arity <= PREFETCH_ARITY && n_leaf < PREFETCH_NODES;
            for (uint32_t a = 0; a < arity && leaf; a++)
                if (rhs[i + 5 + a] & 0x80000000u) leaf = false;
            if (leaf) leaf_at[n_leaf++] = i;
            i += 5 + arity;
        }
    }

    uint32_t done = 0, merges = 0;
    bool hit = false;
    eg_status st = EG_OK;
    for (uint32_t r = 0; r < count; r++) {
        if (n_leaf > 0 && r + PREFETCH_AHEAD < count && (!mask || mask[r + PREFETCH_AHEAD]))
            prefetch_rhs(g, rhs, leaf_at, n_leaf, matches + (size_t)(r + PREFETCH_AHEAD) * stride);
        if (mask && !mask[r]) { done++; continue; }
        const uint32_t *row = matches + (size_t)r * stride;
        uint32_t row_first = g->n; /* nodes from here on were added by this row */
        uint32_t i = 2;
        for (uint32_t k = 0; k < n_nodes; k++) {
            uint32_t op = rhs[i], arity = rhs[i + 1];
            uint64_t payload = rhs_payload(rhs + i, row);
            /* A child that is the newest node, added by this row, has no parents yet, so
             * the node cannot exist: it is appended without a hashcons lookup. */
            bool absent = false;
            uint32_t newest = g->n - 1;
            for (uint32_t a = 0; a < arity; a++) {
                uint32_t src = rhs[i + 5 + a];
                uint32_t kid = rhs_ref(src, temps, row);
                kids[a] = kid;
                if ((src & 0x80000000u) && kid == newest && kid >= row_first) absent = true;
            }
            if (absent && (op >= EG_MAX_OP || arity > EG_SMALL_ARITY)) absent = false;
            for (uint32_t a = 0; a < arity && absent; a++)
                if (kids[a] >= g->n) absent = false; /* eg_add reports the bad id */
            st = absent ? eg_add_after_newest(g, op, payload, kids, arity, &temps[k])
                        : eg_add(g, op, payload, kids, arity, &temps[k]);
            if (st != EG_OK) goto out;
            i += 5 + arity;
        }
        uint32_t root = rhs[1];
        uint32_t result = rhs_ref(root, temps, row);
        bool did = false;
        st = eg_union(g, row[0], result, NULL, &did);
        if (st != EG_OK) goto out;
        merges += did;
        done++;
        if (node_limit && eg_node_count(g) > node_limit) { hit = true; break; }
    }
out:
    *processed = done;
    *merged = merges;
    *limit_hit = hit;
    return st;
}

eg_status eg_apply_probed(eg_matcher *m, eg_egraph *g, const uint32_t *rhs, uint32_t rhs_len,
                          const uint32_t *probes, uint32_t probes_len,
                          const uint32_t *matches, uint32_t count, uint32_t stride,
                          const uint8_t *mask, uint32_t *created, uint32_t *probe_classes,
                          uint32_t *merged) {
    if (!m || !g || !rhs || rhs_len < 2 || !probes || probes_len < 1 || (count > 0 && (!matches || !created))
        || !merged || stride == 0)
        return EG_ERR_BAD_ARGUMENT;
    uint32_t n_nodes = rhs[0], n_probes = probes[0], max_arity = 0;
    if (!check_rhs(rhs, rhs_len, stride, &max_arity)) return EG_ERR_BAD_ARGUMENT;
    if (check_rhs_nodes(probes, probes_len, 1, n_probes, stride, false, &max_arity) != probes_len)
        return EG_ERR_BAD_ARGUMENT;
    if (n_probes > 0 && count > 0 && !probe_classes) return EG_ERR_BAD_ARGUMENT;
    uint32_t root = rhs[1];
    /* Scratch: one class per rhs node, the widest child list, and the row results. */
    size_t need = (size_t)n_nodes + max_arity + 1 + count;
    size_t cap = m->scratch_cap;
    uint32_t *scratch = grow(&m->mem, m->scratch, &cap, need, sizeof(uint32_t));
    if (!scratch) return EG_ERR_OUT_OF_MEMORY;
    m->scratch = scratch;
    m->scratch_cap = (uint32_t)cap;
    uint32_t *temps = scratch, *kids = scratch + n_nodes, *results = kids + max_arity + 1;

    eg_status st = EG_OK;
    uint32_t merges = 0;
    for (uint32_t r = 0; r < count; r++) {
        created[r] = EG_NONE;
        results[r] = EG_NONE;
        if (mask && !mask[r]) continue;
        const uint32_t *row = matches + (size_t)r * stride;
        uint32_t row_first = g->n;
        uint32_t i = 2;
        for (uint32_t k = 0; k < n_nodes; k++) {
            uint32_t op = rhs[i], arity = rhs[i + 1];
            uint64_t payload = rhs_payload(rhs + i, row);
            for (uint32_t a = 0; a < arity; a++) {
                uint32_t src = rhs[i + 5 + a];
                kids[a] = rhs_ref(src, temps, row);
            }
            st = eg_add(g, op, payload, kids, arity, &temps[k]);
            if (st != EG_OK) return st;
            i += 5 + arity;
        }
        uint32_t result = rhs_ref(root, temps, row);
        results[r] = result;
        /* With unions deferred, a node this row created is its own class. */
        bool fresh = (root & 0x80000000u) && result >= row_first;
        if (!fresh) continue;
        created[r] = result;
        uint32_t *out = probe_classes + (size_t)r * n_probes;
        uint32_t j = 1;
        for (uint32_t k = 0; k < n_probes; k++) {
            uint32_t op = probes[j], arity = probes[j + 1];
            uint64_t payload = rhs_payload(probes + j, row);
            for (uint32_t a = 0; a < arity; a++) kids[a] = row[probes[j + 5 + a]];
            uint32_t c = EG_NONE;
            st = eg_lookup(g, op, payload, kids, arity, &c);
            if (st == EG_ERR_NOT_FOUND) { c = EG_NONE; st = EG_OK; }
            if (st != EG_OK) return st;
            out[k] = c;
            j += 5 + arity;
        }
    }
    for (uint32_t r = 0; r < count; r++) {
        if (results[r] == EG_NONE) continue;
        bool did = false;
        st = eg_union(g, matches[(size_t)r * stride], results[r], NULL, &did);
        if (st != EG_OK) return st;
        merges += did;
    }
    *merged = merges;
    return EG_OK;
}

uint32_t eg_matcher_root_count(const eg_matcher *m, uint32_t op) {
    if (!m || op >= m->op_bound) return 0;
    return m->trivial ? m->op_offsets[op] : m->op_offsets[op + 1] - m->op_offsets[op];
}
