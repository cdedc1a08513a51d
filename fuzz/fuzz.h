/* fuzz.h - what every harness in fuzz/ defines.  The same harness source is
 * linked with libFuzzer (clang, `make fuzz`) and with replay.c (any
 * compiler, `make test` replaying tests/corpus/). */
#ifndef IMGRAD_FUZZ_H
#define IMGRAD_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "imgrad.h"

/* Runs one input through the code under test; always returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
