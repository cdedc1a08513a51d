/* signals.c - stopping a run cleanly on SIGINT, SIGTERM and SIGHUP, and the
 * table of live temporary files that makes it possible.
 *
 * Every file the program writes goes through cli_out_open/commit/abort
 * (imgrad_file underneath), which enter its temporary path in a table.
 * The first signal only sets a flag (and says so with write(2)): the
 * workers see it, finish the input in hand (its outputs and records; the
 * kernel has done most of the work by then) and take no other, and the
 * batch writes the stats and the summary.  A second
 * signal is an order to stop now: the handler unlink()s every temporary in
 * the table and _exit()s; both are async-signal-safe.
 *
 * Why the slots hold copies of the paths in place, not pointers: the
 * handler may run while a worker closes a file.  A slot's text is only
 * rewritten while its flag is 0, and freeing nothing means the handler
 * never reads freed memory.
 *
 * Other threads run on while the handler works, so a worker could create
 * a temporary just after the handler looked at the table.  Opening is
 * fenced: a worker counts itself in (opening) before it creates a file
 * and out once the file is in the table, and opens nothing once dying is
 * set; the handler sets dying, waits (up to 0.2 s, nanosleep is
 * async-signal-safe) until no worker is between the two, then unlinks.
 * Only a worker interrupted by the handler itself inside that window can
 * leave a temporary; the next run's stale temporary sweep removes it. */
#include "cli.h"
#include "batch.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

typedef struct temp_slot {
    volatile sig_atomic_t used;
    char path[PATH_MAX];
} temp_slot;

static temp_slot *slots;        /* the table; set before the handlers */
static int slot_count;
static pthread_mutex_t slot_lock = PTHREAD_MUTEX_INITIALIZER;
static volatile sig_atomic_t stop_signal;
static int opening;  /* workers creating a temporary now (__atomic) */
static int dying;    /* the second signal came: open nothing (__atomic) */

static const int handled[] = { SIGINT, SIGTERM, SIGHUP };

/* Writes s to stderr from a signal handler (write(2) is async-signal-safe). */
static void say(const char *s)
{
    ssize_t n = write(STDERR_FILENO, s, strlen(s));
    (void)n;
}

static void on_signal(int sig)
{
    int i;

    if (stop_signal == 0) {
        stop_signal = sig;
        say("\nimgrad: stopping: finishing the files in progress (signal again to stop now)\n");
        return;
    }
    __atomic_store_n(&dying, 1, __ATOMIC_SEQ_CST);
    for (i = 0; i < 200 && __atomic_load_n(&opening, __ATOMIC_SEQ_CST) > 0; i++) {
        struct timespec ms = { 0, 1000000 };
        nanosleep(&ms, NULL);
    }
    for (i = 0; i < slot_count; i++)
        if (slots[i].used)
            unlink(slots[i].path);
    _exit(128 + sig);
}

int cli_signals_start(int live_files)
{
    struct sigaction sa;
    size_t i;

    if (slots == NULL) {
        if ((slots = calloc((size_t)live_files, sizeof *slots)) == NULL)
            return 0;
        slot_count = live_files;
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART; /* workers' reads and writes go on undisturbed */
    for (i = 0; i < sizeof handled / sizeof handled[0]; i++) {
        struct sigaction old;
        /* a signal ignored from the start stays ignored: nohup's SIGHUP,
         * SIGINT of a shell script's background job */
        if (sigaction(handled[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        sigaction(handled[i], &sa, NULL);
    }
    return 1;
}

int cli_stop_signal(void)
{
    return stop_signal;
}

const char *cli_signal_name(int sig)
{
    return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : sig == SIGHUP ? "SIGHUP"
                                                                                 : "a signal";
}

/* Enters path in the table; the slot's index, or -1 when it does not fit
 * (the file is then written all the same, only not removed on a signal). */
static int enter(const char *path)
{
    int i, found = -1;

    if (path == NULL || strlen(path) >= PATH_MAX)
        return -1;
    pthread_mutex_lock(&slot_lock);
    for (i = 0; i < slot_count && found < 0; i++)
        if (!slots[i].used) {
            strcpy(slots[i].path, path);
            slots[i].used = 1;
            found = i;
        }
    pthread_mutex_unlock(&slot_lock);
    return found;
}

static void leave(const char *path)
{
    int i;

    if (path == NULL)
        return;
    pthread_mutex_lock(&slot_lock);
    for (i = 0; i < slot_count; i++)
        if (slots[i].used && strcmp(slots[i].path, path) == 0) {
            slots[i].used = 0;
            break;
        }
    pthread_mutex_unlock(&slot_lock);
}

imgrad_status cli_out_open(imgrad_file *f, const char *path)
{
    imgrad_status st = IMGRAD_EIO;

    __atomic_add_fetch(&opening, 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&dying, __ATOMIC_SEQ_CST)) {
        memset(f, 0, sizeof *f);
        errno = EINTR; /* the process is about to exit */
    } else if ((st = imgrad_file_open(f, path)) == IMGRAD_OK) {
        enter(f->tmp_path);
    }
    __atomic_sub_fetch(&opening, 1, __ATOMIC_SEQ_CST);
    return st;
}

/* The temporary's name, copied: commit and abort free f->tmp_path, and it
 * leaves the table only after the file is renamed or removed. */
static void copy_tmp(const imgrad_file *f, char *tmp)
{
    tmp[0] = '\0';
    if (f->tmp_path != NULL && strlen(f->tmp_path) < PATH_MAX)
        strcpy(tmp, f->tmp_path);
}

imgrad_status cli_out_commit(imgrad_file *f)
{
    char tmp[PATH_MAX];
    imgrad_status st;
    int saved;

    copy_tmp(f, tmp);
    st = imgrad_file_commit(f);
    saved = errno;
    leave(tmp);
    errno = saved;
    return st;
}

void cli_out_abort(imgrad_file *f)
{
    char tmp[PATH_MAX];

    copy_tmp(f, tmp);
    imgrad_file_abort(f);
    leave(tmp);
}
