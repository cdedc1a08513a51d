/* output.c - the main job's outputs to a file or a stream; stdin input. */
#include "output.h"

#include <errno.h>
#include <stdlib.h>

imgrad_status cli_read_stdin(size_t max, unsigned char **data, size_t *len)
{
    size_t cap = 1 << 16, n = 0, got;
    unsigned char *buf = malloc(cap), *bigger;

    *data = NULL;
    *len = 0;
    if (buf == NULL)
        return IMGRAD_ENOMEM;
    while ((got = fread(buf + n, 1, cap - n, stdin)) > 0) {
        n += got;
        if (n == cap) {
            if (cap > max / 2) {
                free(buf);
                return IMGRAD_ETOOLARGE;
            }
            if ((bigger = realloc(buf, 2 * cap)) == NULL) {
                free(buf);
                return IMGRAD_ENOMEM;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    if (ferror(stdin)) {
        int e = errno;
        free(buf);
        errno = e;
        return IMGRAD_EIO;
    }
    if (n == 0) {
        free(buf);
        return IMGRAD_EEMPTY;
    }
    *data = buf;
    *len = n;
    return IMGRAD_OK;
}

/* A stream write is complete once flushed. */
static imgrad_status flushed(FILE *fp, imgrad_status st)
{
    if (st == IMGRAD_OK && fflush(fp) != 0)
        st = IMGRAD_EIO;
    return st;
}

imgrad_status cli_put_npy(cli_sink s, const imgrad_grid *grids, int count)
{
    if (count == 1)
        return s.fp ? flushed(s.fp, imgrad_write_npy_fp(s.fp, grids))
                    : imgrad_write_npy(s.path, grids);
    return s.fp ? flushed(s.fp, imgrad_write_npy_channels_fp(s.fp, grids, count))
                : imgrad_write_npy_channels(s.path, grids, count);
}

imgrad_status cli_put_tiff(cli_sink s, const imgrad_grid *grids, int count,
                           const char *description)
{
    return s.fp ? flushed(s.fp, imgrad_write_tiff_fp(s.fp, grids, count, description))
                : imgrad_write_tiff(s.path, grids, count, description);
}

imgrad_status cli_put_picture(cli_sink s, imgrad_format fmt, int depth, const void *pixels,
                              int width, int height, int channels,
                              const imgrad_write_options *o)
{
    if (depth == 16)
        return s.fp ? flushed(s.fp, imgrad_write_image16_fp(s.fp, fmt, pixels, width, height,
                                                             channels, o))
                    : imgrad_write_image16(s.path, fmt, pixels, width, height, channels, o);
    return s.fp ? flushed(s.fp, imgrad_write_image8_fp(s.fp, fmt, pixels, width, height,
                                                        channels, o))
                : imgrad_write_image8(s.path, fmt, pixels, width, height, channels, o);
}
