/* output.h - where the main job's products go (a file, written whole, or
 * standard output for -o -) and in what depth: 8/16-bit pictures of one or
 * several channels, float32 TIFF, .npy.  Also reads an image piped in. */
#ifndef IMGRAD_CLI_OUTPUT_H
#define IMGRAD_CLI_OUTPUT_H

#include "imgrad.h"

#include <stdio.h>

/* An input read whole, at most max bytes: the file at path, or standard
 * input for "-"; a pipe (/dev/stdin, <(...), a FIFO) is read as a stream.
 * *data malloc'ed.  IMGRAD_EIO (errno set), ETOOLARGE, ENOMEM, EEMPTY. */
imgrad_status cli_read_input(const char *path, size_t max, unsigned char **data, size_t *len);

/* A product's destination: fp when writing to a stream (standard
 * output), else the file path, which appears whole or not at all (through
 * a temporary that a signal removes: cli_out_open in batch.h). */
typedef struct cli_sink {
    const char *path;
    FILE *fp;
} cli_sink;

/* count grids (1 to 3, the same size) as float32 .npy: (H, W) for one
 * grid, (H, W, count) for more. */
imgrad_status cli_put_npy(cli_sink s, const imgrad_grid *grids, int count);

/* count grids (1 or 3) as a float32 TIFF with description. */
imgrad_status cli_put_tiff(cli_sink s, const imgrad_grid *grids, int count,
                           const char *description);

/* Pictures: 8-bit (imgrad_write_image8) or, with depth 16, 16-bit PNG or
 * TIFF (imgrad_write_image16); pixels interleaved, channels 1 or 3. */
imgrad_status cli_put_picture(cli_sink s, imgrad_format fmt, int depth, const void *pixels,
                              int width, int height, int channels,
                              const imgrad_write_options *o);

/* One grid mapped to 8 bits (imgrad_write_mapped8_fp: a PNG a row at a time,
 * no image-sized copy). */
imgrad_status cli_put_mapped8(cli_sink s, imgrad_format fmt, const imgrad_grid *g,
                              imgrad_map map, double scale, const imgrad_write_options *o);

#endif
