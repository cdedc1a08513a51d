/* grid.c - grid allocation and the size checks everything else relies on. */
#include "internal.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>

int imgrad__mul_size(size_t a, size_t b, size_t *out)
{
    if (a != 0 && b > SIZE_MAX / a)
        return 0;
    *out = a * b;
    return 1;
}

imgrad_status imgrad__check_size(long width, long height, const imgrad_load_options *o)
{
    if (width <= 0 || height <= 0)
        return IMGRAD_EEMPTY;
    if (width > o->max_dimension || height > o->max_dimension)
        return IMGRAD_ETOOLARGE;
    /* both are at most INT_MAX here, so the product fits in 64 bits */
    if ((uint64_t)width * (uint64_t)height > o->max_pixels)
        return IMGRAD_ETOOLARGE;
    return IMGRAD_OK;
}

imgrad_status imgrad_grid_init(imgrad_grid *g, int width, int height)
{
    size_t n, bytes;

    if (g == NULL || width < 0 || height < 0)
        return IMGRAD_EINVAL;
    g->width = g->height = 0;
    g->stride = 0;
    g->data = NULL;
    if (width == 0 || height == 0)
        return IMGRAD_EEMPTY;
    if (!imgrad__mul_size((size_t)width, (size_t)height, &n)
        || !imgrad__mul_size(n, sizeof(float), &bytes))
        return IMGRAD_EOVERFLOW;
    g->data = calloc(n, sizeof(float));
    if (g->data == NULL)
        return IMGRAD_ENOMEM;
    g->width = width;
    g->height = height;
    g->stride = (size_t)width;
    return IMGRAD_OK;
}

imgrad_status imgrad__grid_alloc(imgrad_grid *g, int width, int height)
{
    size_t n, bytes;
    void *p;

    g->width = g->height = 0;
    g->stride = 0;
    g->data = NULL;
    if (width <= 0 || height <= 0)
        return IMGRAD_EINVAL;
    if (!imgrad__mul_size((size_t)width, (size_t)height, &n)
        || !imgrad__mul_size(n, sizeof(float), &bytes))
        return IMGRAD_EOVERFLOW;
    /* not calloc: zeroing memory that is about to be overwritten costs as
     * much as a bandwidth-bound kernel's own pass */
    p = malloc(bytes);
    if (p == NULL)
        return IMGRAD_ENOMEM;
    g->data = p;
    g->width = width;
    g->height = height;
    g->stride = (size_t)width;
    return IMGRAD_OK;
}

void imgrad_grid_free(imgrad_grid *g)
{
    if (g == NULL)
        return;
    free(g->data);
    g->data = NULL;
    g->width = g->height = 0;
    g->stride = 0;
}

imgrad_status imgrad__read_file(const char *path, size_t max_bytes,
                                unsigned char **data, size_t *len)
{
    FILE *fp;
    struct stat st;
    unsigned char *buf;
    size_t size;
    int saved;

    *data = NULL;
    *len = 0;
    fp = fopen(path, "rb");
    if (fp == NULL)
        return IMGRAD_EIO;
    if (fstat(fileno(fp), &st) != 0) {
        saved = errno;
        fclose(fp);
        errno = saved;
        return IMGRAD_EIO;
    }
    if (!S_ISREG(st.st_mode)) { /* a folder or a device is not an image */
        fclose(fp);
        errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
        return IMGRAD_EIO;
    }
    if ((uintmax_t)st.st_size > max_bytes) {
        fclose(fp);
        return IMGRAD_ETOOLARGE;
    }
    size = (size_t)st.st_size;
    buf = malloc(size > 0 ? size : 1);
    if (buf == NULL) {
        fclose(fp);
        return IMGRAD_ENOMEM;
    }
    if (fread(buf, 1, size, fp) != size) {
        saved = ferror(fp) ? errno : EIO;
        free(buf);
        fclose(fp);
        errno = saved;
        return IMGRAD_EIO;
    }
    fclose(fp);
    *data = buf;
    *len = size;
    return IMGRAD_OK;
}
