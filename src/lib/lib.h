/* lib.h - private to libimgrad: what every part of the library shares
 * (sizes, grid allocation, file reading, the CPU's instruction set, thread
 * counts).  Nothing here is public: names start with imgrad__ and are
 * hidden in the shared library.  Each area has its own header on top of
 * this one: io/io.h (loading and writing), kernel/kernel.h (the arithmetic). */
#ifndef IMGRAD_LIB_H
#define IMGRAD_LIB_H

#include "imgrad.h"
#include <stdio.h>

#define IMGRAD_HIDDEN __attribute__((visibility("hidden")))

/* Multiplies a * b into *out; returns 0 on size_t overflow. */
IMGRAD_HIDDEN int imgrad__mul_size(size_t a, size_t b, size_t *out);

/* Allocates a width x height grid (stride == width) whose contents are
 * undefined, for outputs that are written in full.  EINVAL, EOVERFLOW or
 * ENOMEM, *g empty. */
IMGRAD_HIDDEN imgrad_status imgrad__grid_alloc(imgrad_grid *g, int width, int height);

/* Checks width x height against o's limits before anything is allocated:
 * EEMPTY for a zero or negative dimension, ETOOLARGE above the limits. */
IMGRAD_HIDDEN imgrad_status imgrad__check_size(long width, long height,
                                               const imgrad_load_options *o);

/* Reads a whole file into a malloc'ed buffer (*data, *len).  EIO with errno
 * set when it cannot be opened or read, ETOOLARGE above max_bytes. */
IMGRAD_HIDDEN imgrad_status imgrad__read_file(const char *path, size_t max_bytes,
                                              unsigned char **data, size_t *len);

/* Allocates g->residual (uninitialised) beside g's data.  ENOMEM. */
IMGRAD_HIDDEN imgrad_status imgrad__grid_alloc_residual(imgrad_grid *g);

/* Fills the next n rows of an input read top to bottom into dst, rows
 * stride floats apart (a JPEG's grey as it is decoded, for
 * imgrad__gradient_rows).  IMGRAD_OK or the reader's failure. */
typedef imgrad_status (*imgrad__read_rows)(void *ctx, float *dst, size_t stride, int n);

/* ---- builds of the pixel loops for the CPU's vector width (isa.c) */

#if defined(__x86_64__) && defined(__GNUC__)
#define IMGRAD__MULTI_ISA 1
/* A function built for AVX2 or AVX-512: it inlines an always_inline loop
 * written in plain C, which the compiler vectorises for that set. */
#define IMGRAD__TARGET_AVX2 __attribute__((target("avx2")))
#define IMGRAD__TARGET_AVX512 __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw")))
#endif

/* The widest build the CPU runs; a plan may hold a narrower one (tests). */
typedef enum imgrad__isa {
    IMGRAD__ISA_BASELINE,
    IMGRAD__ISA_AVX2,
    IMGRAD__ISA_AVX512
} imgrad__isa;

/* The instruction set of the fastest build this CPU runs. */
IMGRAD_HIDDEN imgrad__isa imgrad__cpu_isa(void);

/* The build plans use: imgrad__cpu_isa(), or below it when the environment
 * variable IMGRAD_ISA names a lower level (sse2, avx2, avx512; see isa.c). */
IMGRAD_HIDDEN imgrad__isa imgrad__isa_in_use(void);

/* ---- OpenMP thread count of a parallel region: o->threads, or OpenMP's
 * default when 0.  Every kernel splits work by rows only, so results do not
 * depend on it. */
#ifdef _OPENMP
#include <omp.h>
#define IMGRAD__THREADS(n) ((n) > 0 ? (n) : omp_get_max_threads())
#else
#define IMGRAD__THREADS(n) 1
#endif

#endif
