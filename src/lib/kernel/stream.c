/* stream.c - copying finished rows to memory without passing them through
 * the caches.
 *
 * A kernel writing four full-size outputs is bound by memory bandwidth.  An
 * ordinary store first reads the cache line it writes into (to own it), so
 * each output byte costs a read and a write of memory; a non-temporal store
 * (x86 MOVNTPS) writes the line whole and skips the read, and does not evict
 * the input rows the next output row still needs.  gradient.c uses it only
 * for outputs too large to stay in cache anyway (IMGRAD__STREAM_MIN_BYTES),
 * where nobody would read them back from cache. */
#include "kernel.h"

#include <stdint.h>
#include <string.h>
#if defined(__x86_64__) || defined(__SSE2__)
#include <emmintrin.h>
#define HAVE_STREAM 1
#endif

#ifdef IMGRAD__MULTI_ISA
#include <immintrin.h>

/* One 64-byte store for each whole cache line of dst: the line leaves the
 * core in one piece, with a quarter of the instructions of the SSE loop. */
IMGRAD__TARGET_AVX512
static void stream_avx512(float *dst, const float *src, int n)
{
    int i = 0;

    for (; i < n && ((uintptr_t)(dst + i) & 63) != 0; i++)
        dst[i] = src[i];
    for (; i + 16 <= n; i += 16)
        _mm512_stream_ps(dst + i, _mm512_loadu_ps(src + i));
    for (; i < n; i++)
        dst[i] = src[i];
}
#endif

void imgrad__stream_floats(imgrad__isa isa, float *dst, const float *src, int n)
{
#ifdef HAVE_STREAM
    int i = 0;

#ifdef IMGRAD__MULTI_ISA
    if (isa == IMGRAD__ISA_AVX512) {
        stream_avx512(dst, src, n);
        return;
    }
#endif
    /* up to 16-byte alignment of dst one float at a time, which needs dst
     * itself to be float-aligned, as every grid is */
    for (; i < n && ((uintptr_t)(dst + i) & 15) != 0; i++)
        dst[i] = src[i];
    for (; i + 4 <= n; i += 4)
        _mm_stream_ps(dst + i, _mm_loadu_ps(src + i));
    for (; i < n; i++)
        dst[i] = src[i];
#else
    (void)isa;
    memcpy(dst, src, (size_t)n * sizeof *dst);
#endif
}

void imgrad__stream_fence(void)
{
#ifdef HAVE_STREAM
    _mm_sfence(); /* streaming stores are weakly ordered: publish them */
#endif
}
