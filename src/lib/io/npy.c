/* npy.c - reading and writing numpy's .npy format (version 1.0 to 3.0).
 *
 * Layout: "\x93NUMPY", major, minor, a little-endian header length (2 bytes
 * in 1.0, 4 in 2.0/3.0), then an ASCII Python dict such as
 *   {'descr': '<f4', 'fortran_order': False, 'shape': (480, 640), }
 * padded with spaces and a newline, then the elements. */
#include "io.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char magic[6] = { 0x93, 'N', 'U', 'M', 'P', 'Y' };

int imgrad__is_npy(const unsigned char *data, size_t len)
{
    return len >= sizeof magic && memcmp(data, magic, sizeof magic) == 0;
}

/* Finds 'key': in the header text and returns what follows, or NULL. */
static const char *dict_value(const char *hdr, const char *key)
{
    char quoted[32];
    const char *p;

    snprintf(quoted, sizeof quoted, "'%s'", key);
    p = strstr(hdr, quoted);
    if (p == NULL)
        return NULL;
    p += strlen(quoted);
    while (isspace((unsigned char)*p))
        p++;
    if (*p != ':')
        return NULL;
    p++;
    while (isspace((unsigned char)*p))
        p++;
    return p;
}

/* descr such as '<f4': a quote, byte order, kind, size in bytes, the same
 * quote.  '|' means no order (1 byte).  Every character is checked before
 * the next is read: the header string may end anywhere. */
static imgrad_status parse_descr(const char *v, int wide, imgrad__npy *h)
{
    char quote, order, kind;
    int size = 0, digits = 0;

    if (v == NULL || (v[0] != '\'' && v[0] != '"') || v[1] == '\0' || v[2] == '\0')
        return IMGRAD_EDECODE;
    quote = v[0];
    order = v[1];
    kind = v[2];
    for (v += 3; isdigit((unsigned char)*v) && digits < 3; v++, digits++)
        size = size * 10 + (*v - '0');
    if (digits == 0 || *v != quote) /* also catches structured dtypes */
        return isdigit((unsigned char)*v) ? IMGRAD_EUNSUPPORTED : IMGRAD_EDECODE;
    if (order != '<' && order != '|' && order != '=' && order != '>')
        return IMGRAD_EDECODE;
    if (order == '>' && size > 1)
        return IMGRAD_EUNSUPPORTED; /* big-endian */
    if (!((kind == 'f' && (size == 4 || size == 8))
          || (kind == 'u' && (size == 1 || size == 2))
          || (kind == 'i' && (size == 1 || size == 2 || size == 4 || size == 8))
          || (wide && kind == 'f' && size == 2)
          || (wide && kind == 'u' && (size == 4 || size == 8))
          || (wide && kind == 'b' && size == 1)))
        return IMGRAD_EUNSUPPORTED; /* complex, objects, strings, ... */
    h->kind = kind;
    h->item_size = size;
    return IMGRAD_OK;
}

/* shape such as (480, 640) or (5,): rank 1 to max_ndim, positive sizes. */
static imgrad_status parse_shape(const char *v, int max_ndim, imgrad__npy *h)
{
    int n = 0;

    if (v == NULL || *v != '(')
        return IMGRAD_EDECODE;
    v++;
    for (;;) {
        char *end;
        unsigned long long d;
        while (isspace((unsigned char)*v))
            v++;
        if (*v == ')')
            break;
        if (!isdigit((unsigned char)*v))
            return IMGRAD_EDECODE;
        d = strtoull(v, &end, 10);
        if (n == max_ndim)
            return IMGRAD_EUNSUPPORTED; /* more dimensions than the caller takes */
        if (d == 0)
            return IMGRAD_EEMPTY;
        if (d > SIZE_MAX / 16)
            return IMGRAD_ETOOLARGE;
        h->shape[n++] = (size_t)d;
        v = end;
        while (isspace((unsigned char)*v))
            v++;
        if (*v == ',')
            v++;
        else if (*v != ')')
            return IMGRAD_EDECODE;
    }
    if (n == 0)
        return IMGRAD_EUNSUPPORTED; /* a 0-d scalar */
    h->ndim = n;
    if (n == 1)
        h->shape[1] = 1;
    return IMGRAD_OK;
}

static imgrad_status parse_dict(const char *hdr, int wide, imgrad__npy *h)
{
    const char *fo = dict_value(hdr, "fortran_order");
    imgrad_status st;

    if ((st = parse_descr(dict_value(hdr, "descr"), wide, h)) != IMGRAD_OK)
        return st;
    if (fo == NULL)
        return IMGRAD_EDECODE;
    if (strncmp(fo, "True", 4) == 0)
        h->fortran_order = 1;
    else if (strncmp(fo, "False", 5) == 0)
        h->fortran_order = 0;
    else
        return IMGRAD_EDECODE;
    return parse_shape(dict_value(hdr, "shape"), wide ? IMGRAD_MAX_NDIM : 2, h);
}

/* The header of either reader: wide takes every rank and the dtypes of
 * imgrad__npy_parse_nd. */
static imgrad_status parse_header(const unsigned char *data, size_t len, int wide,
                                  imgrad__npy *h)
{
    size_t hlen, pre, count = 1, bytes;
    char *hdr;
    imgrad_status st;
    int k;

    memset(h, 0, sizeof *h);
    if (!imgrad__is_npy(data, len) || len < 10)
        return IMGRAD_EDECODE;
    if (data[6] == 1) {
        hlen = (size_t)data[8] | (size_t)data[9] << 8;
        pre = 10;
    } else if ((data[6] == 2 || data[6] == 3) && len >= 12) {
        hlen = (size_t)data[8] | (size_t)data[9] << 8 | (size_t)data[10] << 16
               | (size_t)data[11] << 24;
        pre = 12;
    } else {
        return IMGRAD_EUNSUPPORTED;
    }
    if (hlen > len - pre)
        return IMGRAD_EDECODE;
    hdr = malloc(hlen + 1);
    if (hdr == NULL)
        return IMGRAD_ENOMEM;
    memcpy(hdr, data + pre, hlen);
    hdr[hlen] = '\0';
    st = parse_dict(hdr, wide, h);
    free(hdr);
    if (st != IMGRAD_OK)
        return st;
    h->data_offset = pre + hlen;
    for (k = 0; k < h->ndim; k++)
        if (!imgrad__mul_size(count, h->shape[k], &count))
            return IMGRAD_ETOOLARGE;
    if (!imgrad__mul_size(count, (size_t)h->item_size, &bytes))
        return IMGRAD_ETOOLARGE;
    if (bytes > len - h->data_offset)
        return IMGRAD_EDECODE; /* the shape promises more than the file holds */
    h->count = count;
    return IMGRAD_OK;
}

imgrad_status imgrad__npy_parse(const unsigned char *data, size_t len, imgrad__npy *h)
{
    return parse_header(data, len, 0, h);
}

imgrad_status imgrad__npy_parse_nd(const unsigned char *data, size_t len, imgrad__npy *h)
{
    return parse_header(data, len, 1, h);
}

/* Little-endian loads, whatever the host's byte order. */
static uint64_t load_le(const unsigned char *p, int n)
{
    uint64_t v = 0;
    int i;
    for (i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

double imgrad__npy_get(const unsigned char *data, const imgrad__npy *h, size_t i)
{
    const unsigned char *p = data + h->data_offset + i * (size_t)h->item_size;
    uint64_t bits = load_le(p, h->item_size);

    if (h->kind == 'f' && h->item_size == 4) {
        float f;
        uint32_t b32 = (uint32_t)bits;
        memcpy(&f, &b32, sizeof f);
        return f;
    }
    if (h->kind == 'f') {
        double d;
        memcpy(&d, &bits, sizeof d);
        return d;
    }
    if (h->kind == 'u')
        return (double)bits;
    /* signed: sign-extend from item_size bytes */
    if (h->item_size < 8 && (bits >> (8 * h->item_size - 1)) & 1)
        bits |= ~(uint64_t)0 << (8 * h->item_size);
    return (double)(int64_t)bits;
}
