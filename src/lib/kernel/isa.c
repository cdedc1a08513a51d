/* isa.c - which build of the pixel loops this CPU runs.
 *
 * polar.c, convolve.c and gradient.c compile their inner loops more than
 * once from the same C: for the baseline instruction set, and on x86-64
 * with GCC or Clang also for AVX2 (8 floats a vector) and AVX-512 (16).
 * The compiler vectorises each build; none uses fused multiply-add (the
 * Makefile's -ffp-contract=off), and every vector operation rounds as the
 * scalar one does, so all builds give the same bits (tests/test_polar.c and
 * tests/test_convolve.c compare them).  The CPU is asked once per plan.
 *
 * Measured on the 2-core Xeon (Sapphire Rapids class) development machine,
 * 4096x4096, all four products, 2 threads, the same code with every loop
 * held at AVX2 against AVX-512: central 17.4 -> 14.1 ms, Sobel 21.2 ->
 * 16.7 ms (medians of 15, interleaved). */
#include "kernel.h"

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
