/* blockcache.h - a small, bounded cache of large memory blocks, for the
 * output arrays of imgrad.gradient (private to the Python extension).
 *
 * Writing a new 128 MB array costs more in page faults (the kernel zeroing
 * fresh pages) than imgrad's arithmetic on it.  Blocks of at least
 * BLOCKCACHE_MIN_BYTES that are freed go into this cache instead of back to
 * the kernel, and the next request of the same size takes one back, its
 * pages already mapped.  The cache is bounded by a limit in bytes (0: off,
 * nothing is kept) and by BLOCKCACHE_MAX_BLOCKS blocks; the oldest blocks
 * leave first.  Only blocks that are freed enter it: memory in use is never
 * handed out twice.
 *
 * Every function is thread-safe and may be called with or without the GIL;
 * none calls Python.  _core.c wraps them as a numpy memory handler (NEP 49)
 * that only imgrad's own output arrays use. */
#ifndef IMGRAD_PY_BLOCKCACHE_H
#define IMGRAD_PY_BLOCKCACHE_H

#include <stddef.h>

/* Smaller blocks come from malloc and are never cached (numpy keeps its own
 * cache of small blocks). */
#define BLOCKCACHE_MIN_BYTES ((size_t)4 << 20)
/* At most this many blocks are kept, whatever the limit. */
#define BLOCKCACHE_MAX_BLOCKS 8

typedef struct blockcache_info {
    size_t limit;               /* bytes the cache may keep (0: off) */
    size_t held;                /* bytes it keeps now (mapped, resident) */
    int blocks;                 /* blocks it keeps now */
    unsigned long long hits;    /* large requests served from the cache */
    unsigned long long misses;  /* large requests served by new mappings */
} blockcache_info;

/* malloc, calloc, realloc and free for blocks of any size: a block of at
 * least BLOCKCACHE_MIN_BYTES is a cached block of the same size (rounded up
 * to the page) when one is kept, else a new anonymous mapping aligned to
 * and advised for transparent huge pages; smaller ones come from malloc.
 * NULL when out of memory (realloc then leaves p as it was).  A block must
 * be freed, and may be resized, only by these functions. */
void *blockcache_malloc(size_t size);
void *blockcache_calloc(size_t count, size_t size);
void *blockcache_realloc(void *p, size_t size);
void blockcache_free(void *p);

/* Sets the limit in bytes and returns the previous one; blocks beyond the
 * new limit are returned to the kernel (all of them for 0). */
size_t blockcache_set_limit(size_t limit);

/* Returns every kept block to the kernel; the number of bytes released. */
size_t blockcache_release(void);

/* The current limit, contents and counters. */
void blockcache_get_info(blockcache_info *info);

#endif
