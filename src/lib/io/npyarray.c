/* npyarray.c - .npy files of any rank as imgrad_array (the N-D path):
 * read whole into memory as stored, and written in C order as float32 or
 * float64.  The 2-D grey loader (load.c) shares the header parser. */
#include "io.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A .npy array larger than this is refused before it is read. */
#define MAX_NPY_ARRAY_BYTES ((size_t)1 << 36)

static int host_is_little(void)
{
    const uint16_t probe = 1;
    return *(const unsigned char *)&probe == 1;
}

/* The imgrad_dtype of a parsed header (parse_descr took only these). */
static imgrad_dtype dtype_of(const imgrad__npy *h)
{
    static const imgrad_dtype ints[4] = { IMGRAD_DT_INT8, IMGRAD_DT_INT16, IMGRAD_DT_INT32,
                                          IMGRAD_DT_INT64 };
    static const imgrad_dtype uints[4] = { IMGRAD_DT_UINT8, IMGRAD_DT_UINT16, IMGRAD_DT_UINT32,
                                           IMGRAD_DT_UINT64 };
    const int log2size = h->item_size == 1 ? 0 : h->item_size == 2 ? 1 : h->item_size == 4 ? 2 : 3;

    if (h->kind == 'b')
        return IMGRAD_DT_BOOL;
    if (h->kind == 'f')
        return h->item_size == 2 ? IMGRAD_DT_FLOAT16
               : h->item_size == 4 ? IMGRAD_DT_FLOAT32 : IMGRAD_DT_FLOAT64;
    return h->kind == 'i' ? ints[log2size] : uints[log2size];
}

/* Reverses the bytes of each of count items of size bytes (the file is
 * little-endian; only a big-endian host needs this). */
static void swap_items(unsigned char *p, size_t count, int size)
{
    size_t i;
    int a;

    for (i = 0; i < count; i++, p += size)
        for (a = 0; a < size / 2; a++) {
            unsigned char t = p[a];
            p[a] = p[size - 1 - a];
            p[size - 1 - a] = t;
        }
}

/* Shape and strides of out from h: C order, or Fortran order (the first
 * axis varies fastest), so element (i, j, ...) is where numpy has it. */
static void describe(const imgrad__npy *h, imgrad_array *out)
{
    ptrdiff_t step = h->item_size;
    int k;

    out->ndim = h->ndim;
    out->dtype = dtype_of(h);
    for (k = 0; k < h->ndim; k++)
        out->shape[k] = h->shape[k];
    for (k = 0; k < h->ndim; k++) {
        const int axis = h->fortran_order ? k : h->ndim - 1 - k;
        out->strides[axis] = step;
        step *= (ptrdiff_t)h->shape[axis];
    }
}

imgrad_status imgrad_read_npy_array(const char *path, imgrad_array *out)
{
    unsigned char *data = NULL, *moved;
    size_t len = 0, bytes;
    imgrad__npy h;
    imgrad_status st;

    if (out != NULL)
        memset(out, 0, sizeof *out);
    if (path == NULL || out == NULL)
        return IMGRAD_EINVAL;
    if ((st = imgrad__read_file(path, MAX_NPY_ARRAY_BYTES, &data, &len)) != IMGRAD_OK)
        return st;
    st = len == 0 ? IMGRAD_EEMPTY
         : !imgrad__is_npy(data, len) ? IMGRAD_EFORMAT : imgrad__npy_parse_nd(data, len, &h);
    if (st != IMGRAD_OK) {
        free(data);
        return st;
    }
    /* the elements moved to the start of the buffer, which malloc aligned */
    bytes = h.count * (size_t)h.item_size;
    memmove(data, data + h.data_offset, bytes);
    moved = realloc(data, bytes > 0 ? bytes : 1);
    data = moved != NULL ? moved : data;
    if (!host_is_little() && h.item_size > 1)
        swap_items(data, h.count, h.item_size);
    describe(&h, out);
    out->data = data;
    return IMGRAD_OK;
}

/* The .npy 1.0 header of a C-order array of a's shape and dtype descr.  0
 * when it does not fit in size bytes. */
static size_t nd_header(char *buf, size_t size, const imgrad_array *a, const char *descr)
{
    size_t n;
    int k;

    n = (size_t)snprintf(buf + 10, size - 10, "{'descr': '%s', 'fortran_order': False, "
                         "'shape': (", descr);
    for (k = 0; k < a->ndim && n < size - 10; k++)
        n += (size_t)snprintf(buf + 10 + n, size - 10 - n, "%zu,%s", a->shape[k],
                              k + 1 < a->ndim ? " " : "");
    if (n < size - 10)
        n += (size_t)snprintf(buf + 10 + n, size - 10 - n, "), }");
    return n < size - 10 ? imgrad__npy_frame(buf, size, n) : 0;
}

/* An IEEE binary16 value, exactly, as a double. */
static double half_to_double(uint16_t h)
{
    const int sign = h >> 15, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
    double v;

    if (exponent == 0x1f)
        v = mantissa ? NAN : INFINITY;
    else if (exponent == 0)
        v = ldexp(mantissa, -24); /* subnormal */
    else
        v = ldexp(mantissa | 0x400, exponent - 25);
    return sign ? -v : v;
}

/* Element at byte offset off of a float16, float32 or float64 array, as a
 * double (exact). */
static double get_float(const imgrad_array *a, ptrdiff_t off)
{
    const char *p = (const char *)a->data + off;
    if (a->dtype == IMGRAD_DT_FLOAT16) {
        uint16_t h;
        memcpy(&h, p, sizeof h);
        return half_to_double(h);
    }
    if (a->dtype == IMGRAD_DT_FLOAT32) {
        float f;
        memcpy(&f, p, sizeof f);
        return f;
    } else {
        double d;
        memcpy(&d, p, sizeof d);
        return d;
    }
}

/* Writes a's elements in C order as dtype as (float32: rounded to nearest,
 * float64: exact), little-endian, through a small buffer.  0 on a write
 * error. */
static int write_elements(FILE *fp, const imgrad_array *a, imgrad_dtype as)
{
    unsigned char buf[8192];
    const int size = as == IMGRAD_DT_FLOAT32 ? 4 : 8;
    size_t index[IMGRAD_MAX_NDIM] = { 0 }, used = 0, i, count = 1;
    ptrdiff_t off = 0;
    int k;

    for (k = 0; k < a->ndim; k++)
        count *= a->shape[k];
    for (i = 0; i < count; i++) {
        const double v = get_float(a, off);
        if (size == 4) {
            const float f = (float)v;
            memcpy(buf + used, &f, 4);
        } else {
            memcpy(buf + used, &v, 8);
        }
        used += (size_t)size;
        if (used == sizeof buf || i + 1 == count) {
            if (!host_is_little())
                swap_items(buf, used / (size_t)size, size);
            if (fwrite(buf, 1, used, fp) != used)
                return 0;
            used = 0;
        }
        /* the next index in C order, like an odometer */
        for (k = a->ndim - 1; k >= 0; k--) {
            off += a->strides[k];
            if (++index[k] < a->shape[k])
                break;
            off -= a->strides[k] * (ptrdiff_t)a->shape[k];
            index[k] = 0;
        }
    }
    return 1;
}

imgrad_status imgrad_write_npy_array_fp(FILE *fp, const imgrad_array *a, imgrad_dtype as)
{
    char header[1024];
    size_t hlen, count = 1;
    int k;

    if (fp == NULL || a == NULL || a->data == NULL || a->ndim < 1 || a->ndim > IMGRAD_MAX_NDIM
        || (a->dtype != IMGRAD_DT_FLOAT16 && a->dtype != IMGRAD_DT_FLOAT32
            && a->dtype != IMGRAD_DT_FLOAT64)
        || (as != IMGRAD_DT_FLOAT32 && as != IMGRAD_DT_FLOAT64))
        return IMGRAD_EINVAL;
    for (k = 0; k < a->ndim; k++)
        if (!imgrad__mul_size(count, a->shape[k], &count))
            return IMGRAD_EOVERFLOW;
    hlen = nd_header(header, sizeof header, a, as == IMGRAD_DT_FLOAT32 ? "<f4" : "<f8");
    if (hlen == 0)
        return IMGRAD_EOVERFLOW;
    if (fwrite(header, 1, hlen, fp) != hlen || !write_elements(fp, a, as))
        return IMGRAD_EIO;
    return IMGRAD_OK;
}

typedef struct npy_array_job {
    const imgrad_array *a;
    imgrad_dtype as;
} npy_array_job;

static imgrad_status npy_array_stream(FILE *fp, const void *ctx)
{
    const npy_array_job *job = ctx;
    return imgrad_write_npy_array_fp(fp, job->a, job->as);
}

imgrad_status imgrad_write_npy_array(const char *path, const imgrad_array *a, imgrad_dtype as)
{
    const npy_array_job job = { a, as };
    return imgrad__write_whole(path, npy_array_stream, &job);
}
