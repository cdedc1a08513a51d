/* grid.c - grid allocation and the size checks everything else relies on. */
#define _DEFAULT_SOURCE /* madvise (Linux's MADV_POPULATE_WRITE), mincore */
#include "lib.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Outputs at least this large are prefaulted when fresh (see prefault). */
#define PREFAULT_MIN_BYTES ((size_t)8 << 20)

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
    g->residual = NULL;
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

/* Large fresh memory is mapped lazily: the first write to each 4 KiB page
 * traps into the kernel, which zeroes it.  For a 64 MiB output those 16384
 * traps cost more than the kernel pass itself, and more still when the pass
 * writes with streaming stores (each page the kernel just zeroed through the
 * cache must then be flushed).  MADV_POPULATE_WRITE (Linux 5.14) maps and
 * zeroes the whole range in one call (imgrad bench at 4096x4096, all four
 * outputs: first call 215 ms before, 120-145 ms after).  Memory reused
 * from the heap is already mapped, which mincore on its last page tells, and
 * is left alone.  Both calls are advice: any failure is harmless. */
static void prefault(void *p, size_t bytes)
{
#if defined(MADV_POPULATE_WRITE)
    const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    const uintptr_t start = ((uintptr_t)p + page - 1) / page * page;
    const uintptr_t end = ((uintptr_t)p + bytes) / page * page;
    unsigned char resident = 1;

    if (bytes < PREFAULT_MIN_BYTES || end <= start + page)
        return;
    if (mincore((void *)(end - page), page, &resident) == 0 && !(resident & 1))
        madvise((void *)start, end - start, MADV_POPULATE_WRITE);
#else
    (void)p;
    (void)bytes;
#endif
}

imgrad_status imgrad__grid_alloc(imgrad_grid *g, int width, int height)
{
    size_t n, bytes;
    void *p;

    g->width = g->height = 0;
    g->stride = 0;
    g->data = NULL;
    g->residual = NULL;
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
    prefault(p, bytes);
    g->data = p;
    g->width = width;
    g->height = height;
    g->stride = (size_t)width;
    return IMGRAD_OK;
}

imgrad_status imgrad__grid_alloc_residual(imgrad_grid *g)
{
    /* the same size as data, which was checked when it was allocated */
    g->residual = malloc(g->stride * (size_t)g->height * sizeof(float));
    return g->residual != NULL ? IMGRAD_OK : IMGRAD_ENOMEM;
}

void imgrad_grid_free(imgrad_grid *g)
{
    if (g == NULL)
        return;
    free(g->data);
    free(g->residual);
    g->data = NULL;
    g->residual = NULL;
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
    int fd, saved;

    *data = NULL;
    *len = 0;
    /* O_NONBLOCK: opening a FIFO with no writer must not wait forever; the
     * type check below then refuses it.  Regular files ignore the flag. */
    fd = open(path, O_RDONLY | O_NONBLOCK);
    if (fd < 0)
        return IMGRAD_EIO;
    if ((fp = fdopen(fd, "rb")) == NULL) {
        saved = errno;
        close(fd);
        errno = saved;
        return IMGRAD_EIO;
    }
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
