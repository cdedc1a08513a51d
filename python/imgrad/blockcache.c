/* blockcache.c - a small, bounded cache of large memory blocks (see
 * blockcache.h for why and for the contract).
 *
 * A large block is an anonymous mapping whose data starts on a 2 MiB
 * boundary, so that every whole 2 MiB of it can be a transparent huge page,
 * with one 4 KiB page before it for the header:
 *
 *     base          data - HEADER   data (2 MiB aligned)      data + capacity
 *     |   header page   [header]    |   capacity bytes (pages)   |
 *
 * A small block is malloc'd with the same header just before its data, so
 * that free and realloc can tell the two apart without trusting the size
 * numpy passes (numpy's size for an empty array differs between allocation
 * and release).
 *
 * The cache itself is a short list of data pointers, oldest first, under a
 * mutex: numpy calls its memory handler with the GIL held, but the cache
 * does not rely on it.  Pages are mapped and unmapped outside the lock.
 * The state is process-wide because the arrays holding these blocks
 * outlive any call and may be freed by any thread. */
#define _DEFAULT_SOURCE
#include "blockcache.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define HUGE_PAGE ((size_t)2 << 20)

typedef struct header {
    void *base;          /* what to munmap (length > 0) or free (length 0) */
    size_t length;       /* bytes of the mapping; 0 for a malloc'd block */
    size_t capacity;     /* usable bytes from the data pointer */
} header;

/* The header sits just before the data; 64 bytes keep the data aligned as
 * malloc's is (16) and numpy's SIMD loops like (64, for mappings). */
#define HEADER ((size_t)64)

static struct {
    pthread_mutex_t lock;
    size_t limit, held;
    int count;
    void *blocks[BLOCKCACHE_MAX_BLOCKS];   /* data pointers, oldest first */
    unsigned long long hits, misses;
    int atfork;                            /* fork handlers registered */
} cache = { PTHREAD_MUTEX_INITIALIZER, 0, 0, 0, { NULL }, 0, 0, 0 };

static header *header_of(void *data)
{
    return (header *)((char *)data - HEADER);
}

static size_t page_size(void)
{
    long p = sysconf(_SC_PAGESIZE);
    return p > 0 && (size_t)p >= HEADER ? (size_t)p : 4096;
}

/* A new mapping with capacity bytes at a 2 MiB boundary (see the top of the
 * file): mapped 2 MiB too long, then trimmed.  NULL when out of memory. */
static void *map_block(size_t capacity)
{
    size_t page = page_size(), length = page + capacity, span = length + HUGE_PAGE;
    char *raw, *data, *base;
    header *h;
    if (capacity > SIZE_MAX - page - HUGE_PAGE)
        return NULL;
    raw = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED)
        return NULL;
    data = (char *)(((uintptr_t)raw + page + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
    base = data - page;
    if (base > raw)
        munmap(raw, (size_t)(base - raw));
    if (raw + span > base + length)
        munmap(base + length, (size_t)(raw + span - (base + length)));
#ifdef MADV_HUGEPAGE
    madvise(data, capacity, MADV_HUGEPAGE);   /* as numpy does; a hint only */
#endif
    h = header_of(data);
    h->base = base;
    h->length = length;
    h->capacity = capacity;
    return data;
}

static void *malloc_block(size_t size)
{
    header *h;
    char *raw = size > SIZE_MAX - HEADER ? NULL : malloc(HEADER + (size ? size : 1));
    if (!raw)
        return NULL;
    h = header_of(raw + HEADER);
    h->base = raw;
    h->length = 0;
    h->capacity = size;
    return raw + HEADER;
}

static void release_block(void *data)
{
    header *h = header_of(data);
    if (h->length)
        munmap(h->base, h->length);
    else
        free(h->base);
}

/* Removes blocks[i] from the list (the lock held). */
static void *take_at(int i)
{
    void *p = cache.blocks[i];
    memmove(cache.blocks + i, cache.blocks + i + 1, (size_t)(cache.count - i - 1) * sizeof p);
    cache.count--;
    cache.held -= header_of(p)->length;
    return p;
}

/* The newest kept block of exactly this capacity, or NULL. */
static void *cache_take(size_t capacity)
{
    void *p = NULL;
    int i;
    pthread_mutex_lock(&cache.lock);
    for (i = cache.count - 1; i >= 0; i--)
        if (header_of(cache.blocks[i])->capacity == capacity) {
            p = take_at(i);
            break;
        }
    if (p)
        cache.hits++;
    else
        cache.misses++;
    pthread_mutex_unlock(&cache.lock);
    return p;
}

/* Keeps the mapped block data, evicting the oldest ones to stay within the
 * limit and the block count; what does not fit goes back to the kernel. */
static void cache_put(void *data)
{
    void *out[BLOCKCACHE_MAX_BLOCKS + 1];
    size_t length = header_of(data)->length;
    int n = 0, i;
    pthread_mutex_lock(&cache.lock);
    if (length > cache.limit) {
        out[n++] = data;
    } else {
        while (cache.count == BLOCKCACHE_MAX_BLOCKS || cache.held + length > cache.limit)
            out[n++] = take_at(0);
        cache.blocks[cache.count++] = data;
        cache.held += length;
    }
    pthread_mutex_unlock(&cache.lock);
    for (i = 0; i < n; i++)
        release_block(out[i]);
}

/* A child of fork() must not inherit the lock held by another thread. */
static void lock_cache(void) { pthread_mutex_lock(&cache.lock); }
static void unlock_cache(void) { pthread_mutex_unlock(&cache.lock); }

static size_t capacity_for(size_t size)
{
    size_t page = page_size();
    return size > SIZE_MAX - page ? 0 : (size + page - 1) / page * page;
}

/* malloc, with *reused set when the block comes from the cache (its bytes
 * are then not zero). */
static void *block_alloc(size_t size, int *reused)
{
    size_t capacity;
    void *p;
    *reused = 0;
    if (size < BLOCKCACHE_MIN_BYTES)
        return malloc_block(size);
    if ((capacity = capacity_for(size)) == 0)
        return NULL;
    if ((p = cache_take(capacity)) != NULL) {
        *reused = 1;
        return p;
    }
    return map_block(capacity);
}

void *blockcache_malloc(size_t size)
{
    int reused;
    return block_alloc(size, &reused);
}

void *blockcache_calloc(size_t count, size_t size)
{
    int reused;
    void *p;
    if (size && count > SIZE_MAX / size)
        return NULL;
    p = block_alloc(count * size, &reused);
    if (p && (reused || count * size < BLOCKCACHE_MIN_BYTES))
        memset(p, 0, count * size);     /* new mappings are zero already */
    return p;
}

void *blockcache_realloc(void *p, size_t size)
{
    header *h;
    void *q;
    int reused;
    if (!p)
        return blockcache_malloc(size);
    h = header_of(p);
    if (h->length && capacity_for(size) == h->capacity)
        return p;                       /* the same pages */
    if ((q = block_alloc(size, &reused)) == NULL)
        return NULL;
    memcpy(q, p, size < h->capacity ? size : h->capacity);
    blockcache_free(p);
    return q;
}

void blockcache_free(void *p)
{
    if (!p)
        return;
    if (header_of(p)->length)
        cache_put(p);
    else
        release_block(p);
}

size_t blockcache_set_limit(size_t limit)
{
    void *out[BLOCKCACHE_MAX_BLOCKS];
    size_t old;
    int n = 0, i;
    pthread_mutex_lock(&cache.lock);
    if (!cache.atfork)
        cache.atfork = pthread_atfork(lock_cache, unlock_cache, unlock_cache) == 0;
    old = cache.limit;
    cache.limit = limit;
    while (cache.count && cache.held > limit)
        out[n++] = take_at(0);
    pthread_mutex_unlock(&cache.lock);
    for (i = 0; i < n; i++)
        release_block(out[i]);
    return old;
}

size_t blockcache_release(void)
{
    void *out[BLOCKCACHE_MAX_BLOCKS];
    size_t bytes;
    int n = 0, i;
    pthread_mutex_lock(&cache.lock);
    bytes = cache.held;
    while (cache.count)
        out[n++] = take_at(0);
    pthread_mutex_unlock(&cache.lock);
    for (i = 0; i < n; i++)
        release_block(out[i]);
    return bytes;
}

void blockcache_get_info(blockcache_info *info)
{
    pthread_mutex_lock(&cache.lock);
    info->limit = cache.limit;
    info->held = cache.held;
    info->blocks = cache.count;
    info->hits = cache.hits;
    info->misses = cache.misses;
    pthread_mutex_unlock(&cache.lock);
}
