/* atomic.c - output files that appear whole or not at all.
 *
 * Each file is written under a temporary name in its own folder
 * (".NAME.imgrad-tmp-PID-N") and renamed onto NAME once complete: rename
 * within a folder is atomic on POSIX file systems, so a reader, a crash or a
 * kill -9 never sees a truncated NAME.  A stale temporary left by a killed
 * run is hidden, never mistaken for an output, and replaced next time. */
#include "io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The longest file name the temporary may have: NAME_MAX of common file
 * systems (ext4, XFS, btrfs, tmpfs). */
#define TEMP_NAME_MAX 255

/* ".NAME.imgrad-tmp-PID-NONCE" beside path; NONCE varies between tries.
 * NAME is cut short when the whole would pass TEMP_NAME_MAX, so an output
 * whose own name is legal always has a legal temporary. */
static char *temp_name(const char *path, unsigned long nonce)
{
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
    size_t size = strlen(path) + 64, name_len = strlen(path + dir_len);
    char suffix[48];
    char *tmp = malloc(size);
    int n;

    if (tmp == NULL)
        return NULL;
    n = snprintf(suffix, sizeof suffix, ".imgrad-tmp-%ld-%lu", (long)getpid(), nonce);
    if (1 + name_len + (size_t)n > TEMP_NAME_MAX)
        name_len = TEMP_NAME_MAX - 1 - (size_t)n;
    snprintf(tmp, size, "%.*s.%.*s%s", (int)dir_len, path, (int)name_len, path + dir_len,
             suffix);
    return tmp;
}

imgrad_status imgrad_file_open(imgrad_file *a, const char *path)
{
    struct timespec now;
    unsigned long nonce;
    int tries, fd = -1, saved;

    memset(a, 0, sizeof *a);
    clock_gettime(CLOCK_REALTIME, &now);
    /* the address of a differs between threads, the clock between calls */
    nonce = (unsigned long)now.tv_nsec ^ (unsigned long)(uintptr_t)a;
    for (tries = 0; tries < 100 && fd < 0; tries++) {
        free(a->tmp_path);
        if ((a->tmp_path = temp_name(path, nonce + (unsigned long)tries)) == NULL)
            return IMGRAD_ENOMEM;
        fd = open(a->tmp_path, O_WRONLY | O_CREAT | O_EXCL, 0666);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0 || (a->fp = fdopen(fd, "wb")) == NULL) {
        saved = errno;
        if (fd >= 0) {
            close(fd);
            unlink(a->tmp_path);
        }
        free(a->tmp_path);
        a->tmp_path = NULL;
        errno = saved;
        return IMGRAD_EIO;
    }
    if ((a->final_path = malloc(strlen(path) + 1)) == NULL) {
        imgrad_file_abort(a);
        return IMGRAD_ENOMEM;
    }
    strcpy(a->final_path, path);
    return IMGRAD_OK;
}

static void release(imgrad_file *a)
{
    free(a->tmp_path);
    free(a->final_path);
    memset(a, 0, sizeof *a);
}

imgrad_status imgrad_file_commit(imgrad_file *a)
{
    int failed = fflush(a->fp) != 0 || ferror(a->fp);
    int saved = errno;

    /* fclose reports a deferred write error (a full disk) too */
    if (fclose(a->fp) != 0 && !failed) {
        failed = 1;
        saved = errno;
    }
    a->fp = NULL;
    if (!failed && rename(a->tmp_path, a->final_path) != 0) {
        failed = 1;
        saved = errno;
    }
    if (failed) {
        unlink(a->tmp_path);
        release(a);
        errno = saved ? saved : EIO;
        return IMGRAD_EIO;
    }
    release(a);
    return IMGRAD_OK;
}

void imgrad_file_abort(imgrad_file *a)
{
    int saved = errno;

    if (a->fp != NULL)
        fclose(a->fp);
    if (a->tmp_path != NULL)
        unlink(a->tmp_path);
    release(a);
    errno = saved;
}

imgrad_status imgrad__write_whole(const char *path, imgrad__stream_writer write, const void *ctx)
{
    imgrad_file f;
    imgrad_status st;

    if ((st = imgrad_file_open(&f, path)) != IMGRAD_OK)
        return st;
    if ((st = write(f.fp, ctx)) != IMGRAD_OK) {
        imgrad_file_abort(&f);
        return st;
    }
    return imgrad_file_commit(&f);
}
