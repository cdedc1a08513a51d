/* replay.c - a main() for a fuzz harness without libFuzzer: feeds each file
 * named on the command line to LLVMFuzzerTestOneInput once.  `make test`
 * uses it to replay tests/corpus/ (every input that ever crashed a harness)
 * under gcc, and check-sanitize under ASan and UBSan.  Prints one line and
 * exits 1 if a file cannot be read; a crash speaks for itself. */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>

/* The whole of path in a malloc'ed buffer, or NULL. */
static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    unsigned char *buf = NULL;
    long size;

    if (fp == NULL)
        return NULL;
    if (fseek(fp, 0, SEEK_END) == 0 && (size = ftell(fp)) >= 0 && fseek(fp, 0, SEEK_SET) == 0
        && (buf = malloc((size_t)size + 1)) != NULL
        && fread(buf, 1, (size_t)size, fp) != (size_t)size) {
        free(buf);
        buf = NULL;
    }
    fclose(fp);
    *len = buf != NULL ? (size_t)size : 0;
    return buf;
}

int main(int argc, char **argv)
{
    int i;

    for (i = 1; i < argc; i++) {
        size_t len;
        unsigned char *data = slurp(argv[i], &len);
        if (data == NULL) {
            fprintf(stderr, "replay: %s: cannot read\n", argv[i]);
            return 1;
        }
        LLVMFuzzerTestOneInput(data, len);
        free(data);
    }
    printf("%s: replayed %d input(s)\n", argv[0], argc - 1);
    return 0;
}
