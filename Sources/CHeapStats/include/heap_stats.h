#include <stddef.h>

/// Bytes the allocator has handed out and not taken back (glibc's mallinfo2().uordblks), or 0 elsewhere.
size_t siko_heap_in_use(void);
