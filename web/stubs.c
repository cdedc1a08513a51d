/* stubs.c - the library functions the wasm build leaves out, because
 * the third-party libraries they call (libjpeg-turbo for jpeg.c, libdeflate
 * for png.c) are Debian packages for the host, not for WebAssembly.  stb.c,
 * which the page pulls in through imgrad_to_8bit (write.c), still refers
 * to them; the page decodes images in the browser and encodes its PNG
 * downloads there, so neither is ever reached from it. */
#include "io/io.h"

#include <string.h>

/* EDECODE makes stb.c fall back to stb_image's own decoding of the JPEG,
 * as it does when libjpeg-turbo rejects a file. */
imgrad_status imgrad__jpeg_luma(const unsigned char *data, size_t len,
                                const imgrad_load_options *o, imgrad_grid *out)
{
    (void)data, (void)len, (void)o;
    memset(out, 0, sizeof *out);
    return IMGRAD_EDECODE;
}

/* imgrad_write_image8 to PNG says so in the wasm build. */
imgrad_status imgrad__png_encode(FILE *fp, const unsigned char *pixels, int width, int height,
                                 int channels, int level, int filter)
{
    (void)fp, (void)pixels, (void)width, (void)height, (void)channels, (void)level, (void)filter;
    return IMGRAD_EUNSUPPORTED;
}

/* The same for the row-at-a-time PNG coder imgrad_write_mapped8_fp uses. */
imgrad_status imgrad__png_encode_rows(FILE *fp, const imgrad__rows8 *rows, int width,
                                      int height, int channels, int level, int filter)
{
    (void)fp, (void)rows, (void)width, (void)height, (void)channels, (void)level, (void)filter;
    return IMGRAD_EUNSUPPORTED;
}
