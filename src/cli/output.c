/* output.c - the main job's outputs to a file or a stream; stdin input. */
#include "output.h"
#include "batch.h"

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
/* The stream a product goes to: s.fp, or a temporary beside s.path that a
 * signal removes (cli_out_open, batch.h); *fp is NULL after a failure. */
static imgrad_status sink_open(cli_sink s, imgrad_file *f, FILE **fp)
{
    imgrad_status st = IMGRAD_OK;

    if (s.fp != NULL)
        *fp = s.fp;
    else
        *fp = (st = cli_out_open(f, s.path)) == IMGRAD_OK ? f->fp : NULL;
    return st;
}

/* Ends what sink_open began after a write that returned st: the stream
 * flushed, or the file renamed into place whole, or its temporary removed. */
static imgrad_status sink_close(cli_sink s, imgrad_file *f, imgrad_status st)
{
    if (s.fp != NULL)
        return st == IMGRAD_OK && fflush(s.fp) != 0 ? IMGRAD_EIO : st;
    if (st != IMGRAD_OK) {
        cli_out_abort(f);
        return st;
    }
    return cli_out_commit(f);
}

imgrad_status cli_put_npy(cli_sink s, const imgrad_grid *grids, int count)
{
    imgrad_file f;
    FILE *fp;
    imgrad_status st = sink_open(s, &f, &fp);

    if (st != IMGRAD_OK)
        return st;
    st = count == 1 ? imgrad_write_npy_fp(fp, grids)
                    : imgrad_write_npy_channels_fp(fp, grids, count);
    return sink_close(s, &f, st);
}

imgrad_status cli_put_tiff(cli_sink s, const imgrad_grid *grids, int count,
                           const char *description)
{
    imgrad_file f;
    FILE *fp;
    imgrad_status st = sink_open(s, &f, &fp);

    if (st != IMGRAD_OK)
        return st;
    return sink_close(s, &f, imgrad_write_tiff_fp(fp, grids, count, description));
}

imgrad_status cli_put_picture(cli_sink s, imgrad_format fmt, int depth, const void *pixels,
                              int width, int height, int channels,
                              const imgrad_write_options *o)
{
    imgrad_file f;
    FILE *fp;
    imgrad_status st = sink_open(s, &f, &fp);

    if (st != IMGRAD_OK)
        return st;
    st = depth == 16 ? imgrad_write_image16_fp(fp, fmt, pixels, width, height, channels, o)
                     : imgrad_write_image8_fp(fp, fmt, pixels, width, height, channels, o);
    return sink_close(s, &f, st);
}
