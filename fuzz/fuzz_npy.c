/* fuzz_npy.c - libFuzzer harness for the .npy reader: the header parsers (2-D
 * and N-D) and every element access they allow, the header probe, then the
 * full load as a grid.
 *
 * Inputs that lack the magic string get it prepended, so that the fuzzer's
 * mutations are spent on the header and data rather than on rediscovering
 * six fixed bytes. */
#include "fuzz.h"
#include "io/io.h"

#include <stdlib.h>
#include <string.h>

static const unsigned char magic[6] = { 0x93, 'N', 'U', 'M', 'P', 'Y' };

/* Reads every element the parsed header promises: ASan checks each access
 * stays inside the buffer the header was validated against. */
static void touch_elements(const unsigned char *buf, const imgrad__npy *h)
{
    size_t i, n = h->shape[0] * h->shape[1];
    volatile double sink = 0;

    for (i = 0; i < n; i++)
        sink += imgrad__npy_get(buf, h, i);
    (void)sink;
}

/* Reads every byte of the data the N-D header promises (count elements of
 * item_size bytes from data_offset), as the N-D reader copies them. */
static void touch_nd(const unsigned char *buf, const imgrad__npy *h)
{
    size_t i, n = h->count * (size_t)h->item_size;
    volatile unsigned sink = 0;

    for (i = 0; i < n; i++)
        sink += buf[h->data_offset + i];
    (void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *buf = malloc(size + sizeof magic);
    size_t len = size;
    imgrad__npy h;
    imgrad_load_options lo;
    imgrad_source_info info;
    imgrad_grid g;

    if (buf == NULL)
        return 0;
    if (size < sizeof magic || memcmp(data, magic, sizeof magic) != 0) {
        memcpy(buf, magic, sizeof magic);
        len += sizeof magic;
    }
    memcpy(buf + (len - size), data, size);
    if (imgrad__npy_parse(buf, len, &h) == IMGRAD_OK)
        touch_elements(buf, &h);
    if (imgrad__npy_parse_nd(buf, len, &h) == IMGRAD_OK)
        touch_nd(buf, &h);
    (void)imgrad_probe_memory(buf, len, NULL, &info);
    imgrad_load_options_default(&lo);
    lo.max_pixels = (uint64_t)1 << 22;
    if (imgrad_load_gray_memory(buf, len, &lo, &g, NULL) == IMGRAD_OK)
        imgrad_grid_free(&g);
    free(buf);
    return 0;
}
