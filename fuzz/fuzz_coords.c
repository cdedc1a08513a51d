/* fuzz_coords.c - libFuzzer harness for the coordinate-file reader (text
 * numbers or a .npy vector), through the in-memory entry point that
 * imgrad_read_coords itself calls after reading the file. */
#include "fuzz.h"
#include "io/io.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    double *v;
    size_t n;

    if (imgrad__parse_coords(data, size, &v, &n) == IMGRAD_OK) {
        volatile double sink = v[0] + v[n - 1]; /* both ends exist */
        (void)sink;
        free(v);
    }
    return 0;
}
