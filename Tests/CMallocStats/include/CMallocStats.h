#ifndef STOREFRONT_CMALLOCSTATS_H
#define STOREFRONT_CMALLOCSTATS_H
#include <stddef.h>

/// Bytes currently allocated with malloc and not freed, over every arena (glibc mallinfo2).
size_t storefront_heap_in_use(void);

#endif
