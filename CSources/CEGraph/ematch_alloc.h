/* Internal: the allocation entry points the matcher uses (see alloc.c). */
#ifndef CEGRAPH_EMATCH_ALLOC_H
#define CEGRAPH_EMATCH_ALLOC_H
#include <stdlib.h>
#define eg_match_malloc(n) malloc(n)
#define eg_match_calloc(n, s) calloc(n, s)
#define eg_match_realloc(p, n) realloc(p, n)
#define eg_match_free(p) free(p)
#endif
