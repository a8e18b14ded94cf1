/* The one place the core gets memory from, with per-graph byte accounting.
 * With EG_USE_JEMALLOC (the package's Jemalloc trait) the process links jemalloc, whose
 * unprefixed build replaces malloc/realloc/free for the whole process; the core then asks
 * jemalloc at run time whether it is really the allocator in use. */
#include "egraph_internal.h"

#include <stdlib.h>

#ifdef EG_USE_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

static void eg_mem_charge(eg_mem *m, size_t added, size_t removed) {
    m->current = m->current + added - removed;
    if (m->current > m->peak) m->peak = m->current;
}

void *eg_mem_alloc(eg_mem *m, size_t bytes) {
    if (bytes == 0) bytes = 1;
    void *p = malloc(bytes);
    if (p) eg_mem_charge(m, bytes, 0);
    return p;
}

void *eg_mem_realloc(eg_mem *m, void *p, size_t old_bytes, size_t new_bytes) {
    if (new_bytes == 0) new_bytes = 1;
    void *q = realloc(p, new_bytes);
    if (q) eg_mem_charge(m, new_bytes, p ? old_bytes : 0);
    return q;
}

void eg_mem_free(eg_mem *m, void *p, size_t bytes) {
    if (!p) return;
    free(p);
    eg_mem_charge(m, 0, bytes);
}

uint32_t eg_grow_capacity(uint32_t current, uint64_t needed, uint32_t minimum) {
    /* 1.5x while small; 1.25x from 64Ki elements on, where slack costs real memory and
     * large reallocations are mostly done by remapping pages, not copying. */
    uint64_t c = (uint64_t)current + (current < (1u << 16) ? current / 2 : current / 4);
    if (c < needed) c = needed;
    if (c < minimum) c = minimum;
    if (c > UINT32_MAX) c = UINT32_MAX;
    return (uint32_t)c;
}

bool eg_vec_reserve(eg_mem *m, eg_vec *v, uint64_t extra) {
    uint64_t need = (uint64_t)v->len + extra;
    if (need <= v->cap) return true;
    if (need > UINT32_MAX) return false;
    uint32_t cap = eg_grow_capacity(v->cap, need, 16);
    uint32_t *d = eg_mem_realloc(m, v->data, (size_t)v->cap * 4, (size_t)cap * 4);
    if (!d) return false;
    v->data = d;
    v->cap = cap;
    return true;
}

bool eg_vec_push(eg_mem *m, eg_vec *v, uint32_t x) {
    if (v->len == v->cap && !eg_vec_reserve(m, v, 1)) return false;
    v->data[v->len++] = x;
    return true;
}

void eg_vec_free(eg_mem *m, eg_vec *v) {
    eg_mem_free(m, v->data, (size_t)v->cap * 4);
    v->data = NULL;
    v->len = v->cap = 0;
}

void eg_vec_shrink_if_empty(eg_mem *m, eg_vec *v, uint32_t keep) {
    if (v->len == 0 && v->cap > keep) eg_vec_free(m, v);
}

static int eg_jemalloc_active(void) {
#ifdef EG_USE_JEMALLOC
    const char *version = NULL;
    size_t size = sizeof(version);
    return mallctl("version", &version, &size, NULL, 0) == 0 && version != NULL;
#else
    return 0;
#endif
}

const char *eg_allocator_name(void) {
    return eg_jemalloc_active() ? "jemalloc" : "system";
}

const char *eg_status_name(eg_status status) {
    switch (status) {
    case EG_OK: return "ok";
    case EG_ERR_OUT_OF_MEMORY: return "out of memory";
    case EG_ERR_BAD_ID: return "bad id";
    case EG_ERR_BAD_ARGUMENT: return "bad argument";
    case EG_ERR_CAPACITY: return "capacity exhausted";
    case EG_ERR_BUFFER_TOO_SMALL: return "buffer too small";
    case EG_ERR_NOT_FOUND: return "not found";
    case EG_ERR_STATE: return "invalid state";
    case EG_ERR_INVARIANT: return "invariant violated";
    }
    return "unknown status";
}
