/* output.c - the main job's outputs to a file or a stream; inputs read whole. */
#define _XOPEN_SOURCE 700 /* fdopen, S_ISSOCK */
#include "output.h"
#include "batch.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* fp read to its end into *data, starting with cap bytes of room. */
static imgrad_status read_stream(FILE *fp, size_t cap, size_t max, unsigned char **data,
                                 size_t *len)
{
    size_t n = 0, got;
    unsigned char *buf = malloc(cap), *bigger;

    if (buf == NULL)
        return IMGRAD_ENOMEM;
    while ((got = fread(buf + n, 1, cap - n, fp)) > 0) {
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
    if (ferror(fp)) {
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

/* path opened for reading: a regular file, or a pipe (FIFO, socket) to be
 * read as a stream; NULL with errno for anything else (a folder, a device
 * such as /dev/zero).  O_NONBLOCK: opening a FIFO without a writer must
 * not wait forever (it then reads as empty); reads block again after. */
static FILE *open_input(const char *path, struct stat *st)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK), e;
    FILE *fp;

    if (fd < 0)
        return NULL;
    if (fstat(fd, st) != 0 || !(S_ISREG(st->st_mode) || S_ISFIFO(st->st_mode)
                                || S_ISSOCK(st->st_mode))) {
        e = S_ISDIR(st->st_mode) ? EISDIR : EINVAL;
        close(fd);
        errno = e;
        return NULL;
    }
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0 || (fp = fdopen(fd, "rb")) == NULL) {
        e = errno;
        close(fd);
        errno = e;
        return NULL;
    }
    return fp;
}

imgrad_status cli_read_input(const char *path, size_t max, unsigned char **data, size_t *len)
{
    const int is_stdin = strcmp(path, "-") == 0;
    struct stat st;
    FILE *fp = is_stdin ? stdin : open_input(path, &st);
    size_t cap = (size_t)1 << 16;
    imgrad_status s;
    int e;

    *data = NULL;
    *len = 0;
    if (fp == NULL)
        return IMGRAD_EIO;
    if (!is_stdin && S_ISREG(st.st_mode)) {
        if ((uint64_t)st.st_size >= (uint64_t)max) {
            fclose(fp);
            return IMGRAD_ETOOLARGE;
        }
        cap = (size_t)st.st_size + 1; /* one read, and the end seen */
    }
    s = read_stream(fp, cap, max, data, len);
    e = errno;
    if (!is_stdin)
        fclose(fp);
    errno = e;
    return s;
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

imgrad_status cli_put_mapped8(cli_sink s, imgrad_format fmt, const imgrad_grid *g,
                              imgrad_map map, double scale, const imgrad_write_options *o)
{
    imgrad_file f;
    FILE *fp;
    imgrad_status st = sink_open(s, &f, &fp);

    if (st != IMGRAD_OK)
        return st;
    return sink_close(s, &f, imgrad_write_mapped8_fp(fp, fmt, g, map, scale, o));
}
