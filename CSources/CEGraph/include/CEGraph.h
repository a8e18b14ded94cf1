/* CEGraph: the native e-graph core of swift-egraph-fusion.
 * Placeholder: the core issue fills this header in. Every exported symbol starts with eg_. */
#ifndef CEGRAPH_H
#define CEGRAPH_H
#include <stdint.h>
/** The allocator the core was built with: "jemalloc" or "system". */
const char *eg_allocator_name(void);
#endif
