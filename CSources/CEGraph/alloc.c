#include "CEGraph.h"
const char *eg_allocator_name(void) {
#ifdef EG_USE_JEMALLOC
    return "jemalloc";
#else
    return "system";
#endif
}
