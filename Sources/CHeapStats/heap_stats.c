#include "heap_stats.h"
#if defined(__linux__)
#include <features.h>
#endif
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
#include <malloc.h>
size_t siko_heap_in_use(void) { return mallinfo2().uordblks; }
#else
size_t siko_heap_in_use(void) { return 0; }
#endif
