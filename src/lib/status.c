/* status.c - status names and the version string. */
#include "lib.h"

#include <stdlib.h>

const char *imgrad_strerror(imgrad_status st)
{
    switch (st) {
    case IMGRAD_OK:          return "success";
    case IMGRAD_EINVAL:      return "invalid argument";
    case IMGRAD_ENOMEM:      return "out of memory";
    case IMGRAD_EOVERFLOW:   return "size overflow";
    case IMGRAD_EIO:         return "input/output error";
    case IMGRAD_EFORMAT:     return "not an image or .npy file imgrad can read";
    case IMGRAD_EDECODE:     return "truncated or corrupt data";
    case IMGRAD_EUNSUPPORTED:return "unsupported content";
    case IMGRAD_ETOOLARGE:   return "image larger than the size limit";
    case IMGRAD_ETOOSMALL:   return "image too small for the edge order or the smoothing";
    case IMGRAD_ECOORDS:     return "coordinates must match the axis length and increase strictly";
    case IMGRAD_EEMPTY:      return "empty image (a dimension is zero)";
    case IMGRAD_ENOPAGE:     return "no such page in the file (pages count from 0)";
    }
    return "unknown status";
}

void imgrad_free(void *p)
{
    free(p); /* every allocation handed to a caller is malloc's (stb's too) */
}

const char *imgrad_version(void)
{
    return IMGRAD_VERSION;
}
