/* isa.c - which build of the pixel loops this CPU runs.
 *
 * polar.c, convolve.c and gradient.c compile their inner loops more than
 * once from the same C: for the baseline instruction set, and on x86-64
 * with GCC or Clang also for AVX2 (8 floats a vector) and AVX-512 (16).
 * The compiler vectorises each build; none uses fused multiply-add (the
 * Makefile's -ffp-contract=off), and every vector operation rounds as the
 * scalar one does, so all builds give the same bits (tests/test_polar.c and
 * tests/test_convolve.c compare them, tests/test_gradient.c every product
 * of every operator under each IMGRAD_ISA).  The CPU is asked once per plan.
 *
 * IMGRAD_ISA=sse2|avx2|avx512 in the environment holds every plan at that
 * build or below, so each path can be measured and tested on one machine.
 * A level the CPU lacks, or an unknown name, is clamped to what it has: the
 * library never fails or prints for it (the program refuses it, and
 * imgrad_isa() says what is in use).
 *
 * Measured on the 2-core Xeon (Sapphire Rapids class) development machine,
 * 4096x4096, all four products, 2 threads, the same code with every loop
 * held at AVX2 against AVX-512: central 17.4 -> 14.1 ms, Sobel 21.2 ->
 * 16.7 ms (medians of 15, interleaved). */
#include "kernel.h"

#include <stdlib.h>
#include <string.h>

/* The names IMGRAD_ISA takes and imgrad_isa() gives, by imgrad__isa. */
static const char *const isa_names[] = {
#ifdef __x86_64__
    "sse2", /* the x86-64 baseline */
#else
    "baseline",
#endif
    "avx2", "avx512"
};

imgrad__isa imgrad__cpu_isa(void)
{
#ifdef IMGRAD__MULTI_ISA
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")
        && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw"))
        return IMGRAD__ISA_AVX512;
    if (__builtin_cpu_supports("avx2"))
        return IMGRAD__ISA_AVX2;
#endif
    return IMGRAD__ISA_BASELINE;
}

imgrad__isa imgrad__isa_in_use(void)
{
    const imgrad__isa top = imgrad__cpu_isa();
    const char *want = getenv("IMGRAD_ISA");
    int i;

    for (i = 0; want != NULL && i < (int)top; i++)
        if (strcmp(want, isa_names[i]) == 0)
            return (imgrad__isa)i;
    return top;
}

const char *imgrad_isa(void)
{
    return isa_names[imgrad__isa_in_use()];
}
