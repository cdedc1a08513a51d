/* util.c - what every part of the program shares: messages on stderr,
 * folders, and the heap policy for batches.  Only the program prints and
 * exits; the library does neither. */
#include "cli.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

/* Set while a progress line is on the terminal: messages first erase it.
 * Written only while no worker thread runs. */
static int clear_line;

void cli_clear_line_before_messages(int on)
{
    clear_line = on;
}

/* what (a file name, usually) with control bytes written as C escapes, so
 * that a name holding a newline or an escape sequence stays on its one line
 * and cannot drive the terminal. */
static void put_escaped(const char *what, FILE *to)
{
    const unsigned char *p;

    for (p = (const unsigned char *)what; *p != '\0'; p++) {
        if (*p == '\n')
            fputs("\\n", to);
        else if (*p == '\t')
            fputs("\\t", to);
        else if (*p == '\\')
            fputs("\\\\", to);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(to, "\\x%02x", *p);
        else
            fputc(*p, to);
    }
}

/* Each thread's last error message, for --summary's reasons. */
static pthread_key_t last_key;
static pthread_once_t last_once = PTHREAD_ONCE_INIT;

static void make_last_key(void)
{
    pthread_key_create(&last_key, free);
}

/* The thread's buffer for its last message (NULL when out of memory). */
static char *last_buffer(void)
{
    char *buf;

    pthread_once(&last_once, make_last_key);
    if ((buf = pthread_getspecific(last_key)) == NULL && (buf = calloc(1, 512)) != NULL
        && pthread_setspecific(last_key, buf) != 0) {
        free(buf);
        buf = NULL;
    }
    return buf;
}

const char *cli_last_error(void)
{
    const char *buf = last_buffer();
    return buf != NULL ? buf : "";
}

void cli_forget_last_error(void)
{
    char *buf = last_buffer();
    if (buf != NULL)
        buf[0] = '\0';
}

/* "imgrad: [what: ]message\n" as one locked write, so lines from worker
 * threads never interleave. */
static void message(const char *what, const char *fmt, va_list ap)
{
    char *last = last_buffer();
    va_list copy;

    if (last != NULL) {
        va_copy(copy, ap);
        vsnprintf(last, 512, fmt, copy);
        va_end(copy);
    }
    flockfile(stderr);
    fputs(clear_line ? "\r\033[Kimgrad: " : "imgrad: ", stderr);
    if (what != NULL) {
        put_escaped(what, stderr);
        fputs(": ", stderr);
    }
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    funlockfile(stderr);
}

int cli_check_isa(void)
{
    const char *want = getenv("IMGRAD_ISA");

    if (want == NULL || strcmp(want, imgrad_isa()) == 0)
        return 1;
    if (strcmp(want, "sse2") == 0 || strcmp(want, "avx2") == 0 || strcmp(want, "avx512") == 0)
        cli_error(NULL, "IMGRAD_ISA=%s: this CPU does not run it (its best is %s)", want,
                  imgrad_isa());
    else
        cli_error(NULL, "IMGRAD_ISA=%s: expected sse2, avx2 or avx512", want);
    return 0;
}

void cli_error(const char *what, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    message(what, fmt, ap);
    va_end(ap);
}

void cli_note(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    message(NULL, fmt, ap);
    va_end(ap);
}

const char *cli_reason(imgrad_status st)
{
    return st == IMGRAD_EIO ? strerror(errno) : imgrad_strerror(st);
}

void cli_load_error(const char *path, imgrad_status st)
{
    unsigned char head[4096];
    char what[160] = "";
    FILE *fp;
    size_t n;

    if (st == IMGRAD_EFORMAT || st == IMGRAD_EUNSUPPORTED) {
        if ((fp = fopen(path, "rb")) != NULL) {
            n = fread(head, 1, sizeof head, fp);
            fclose(fp);
            imgrad_describe(head, n, what, sizeof what);
        }
    }
    if (what[0] != '\0')
        cli_error(path, "%s: %s", cli_reason(st), what);
    else
        cli_error(path, "%s", cli_reason(st));
}

int cli_mkdir_p(const char *dir)
{
    char *path = malloc(strlen(dir) + 1), *p;
    int rc = 0;

    if (path == NULL)
        return -1;
    strcpy(path, dir);
    /* make each prefix that ends before a '/', then the whole path */
    for (p = path + 1; rc == 0; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        {
            char saved = *p;
            *p = '\0';
            if (mkdir(path, 0777) != 0 && errno != EEXIST)
                rc = -1;
            *p = saved;
        }
        if (*p == '\0')
            break;
    }
    if (rc == 0) {
        struct stat st;
        if (stat(dir, &st) != 0)
            rc = -1;
        else if (!S_ISDIR(st.st_mode)) {
            errno = ENOTDIR;
            rc = -1;
        }
    }
    free(path);
    return rc;
}

/* A batch allocates the same large buffers for every image (a 3000 x 2000
 * photo: 24 MB grids).  glibc serves such sizes with fresh mmap()s, or
 * returns the freed heap top to the system, so every image would pay the
 * kernel for mapping and zeroing them again (about 9000 page faults a
 * photo).  Up to 32 MiB (glibc's largest heap allocation) they come from
 * the heap and stay there when freed, for the next image.  Only for
 * batches: a single image gains nothing and would keep its decoder's freed
 * buffers (+38 MiB at 4096 x 4096). */
void cli_keep_freed_memory(void)
{
#if defined(M_MMAP_THRESHOLD) && defined(M_TRIM_THRESHOLD)
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
}
