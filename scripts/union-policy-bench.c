/* Measures how the union policy affects rebuild time: a random DAG (1/8 leaves, 1/4
 * unary, 5/8 binary nodes, children uniform over earlier nodes), random unions, one
 * rebuild. Built by scripts/bench-union-policy.sh once per policy. */
#define _GNU_SOURCE
#include "CEGraph.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static uint64_t state = 1;
static uint64_t next(void) {
    state += 0x9E3779B97F4A7C15ull;
    uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static uint32_t below(uint32_t b) { return (uint32_t)(((uint64_t)(uint32_t)next() * b) >> 32); }
static double cpu_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    uint32_t n = argc > 1 ? (uint32_t)atoi(argv[1]) : 1000000;
    uint32_t unions = argc > 2 ? (uint32_t)atoi(argv[2]) : 100000;
    eg_egraph *g;
    if (eg_create(&g) != EG_OK) return 1;
    uint32_t *ids = malloc((size_t)n * 4);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t kind = i < 16 ? 0 : below(8), ch[2];
        if (kind == 0) {
            eg_add(g, 0, next() >> 24, NULL, 0, &ids[i]);
        } else if (kind < 3) {
            ch[0] = ids[below(i)];
            eg_add(g, kind, 0, ch, 1, &ids[i]);
        } else {
            ch[0] = ids[below(i)];
            ch[1] = ids[below(i)];
            eg_add(g, kind, 0, ch, 2, &ids[i]);
        }
    }
    double best = 1e9, best_total = 1e9;
    uint32_t congruent = 0;
    /* Three rounds of unions + rebuild; report the fastest rebuild and round. */
    for (int round = 0; round < 3; round++) {
        double t0 = cpu_seconds();
        for (uint32_t k = 0; k < unions; k++) eg_union(g, ids[below(n)], ids[below(n)], NULL, NULL);
        double t1 = cpu_seconds();
        eg_rebuild(g, &congruent);
        double t2 = cpu_seconds();
        if (t2 - t1 < best) best = t2 - t1;
        if (t2 - t0 < best_total) best_total = t2 - t0;
    }
    printf("%u nodes, %u unions per round: best rebuild %.1f ms, best unions+rebuild %.1f ms"
           " (%u congruent merges in the last)\n",
           n, unions, best * 1e3, best_total * 1e3, congruent);
    eg_destroy(g);
    free(ids);
    return 0;
}
