/* memory.c - the memory budget of a batch (--max-memory).
 *
 * Each file's peak memory is estimated from its header before it is
 * decoded (gradient.c knows what the products take); the files in progress
 * share one budget.  A worker whose file does not fit in what is left
 * waits, in arrival order (a ticket queue, so a large file is not starved
 * by a stream of small ones), until the others give theirs back; a file
 * larger than the whole budget fails at once.  The default budget is half
 * of the least of physical memory, the cgroup v2 memory.max and the
 * address-space limit (ulimit -v): room for the program, the libraries'
 * caches and the estimates' error. */
#define _XOPEN_SOURCE 700
#include "cli.h"
#include "batch.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

int cli_parse_size(const char *s, uint64_t *out)
{
    static const char units[] = "KMGT";
    const char *u;
    char *end;
    double v, scale = 1;

    errno = 0;
    v = strtod(s, &end);
    if (end == s || errno == ERANGE || !isfinite(v) || v <= 0)
        return 0;
    if (*end != '\0') { /* 4G, 4GB, 4GiB, 512m: powers of 1024 */
        const char unit = (char)(*end & ~0x20); /* upper case; ' ' becomes '\0' */
        if (unit == '\0' || (u = strchr(units, unit)) == NULL)
            return 0;
        scale = ldexp(1, 10 * (int)(u - units + 1));
        end++;
        if (strcasecmp(end, "") != 0 && strcasecmp(end, "b") != 0 && strcasecmp(end, "ib") != 0)
            return 0;
    }
    if (v * scale < 1 || v * scale >= 1.8e19)
        return 0;
    *out = (uint64_t)(v * scale);
    return 1;
}

void cli_format_size(uint64_t bytes, char *text, size_t cap)
{
    if (bytes >= (uint64_t)1 << 30)
        snprintf(text, cap, "%.1f GiB", (double)bytes / (1 << 30));
    else if (bytes >= (uint64_t)1 << 20)
        snprintf(text, cap, "%.1f MiB", (double)bytes / (1 << 20));
    else
        snprintf(text, cap, "%.1f KiB", (double)bytes / 1024);
}

/* The process's cgroup v2 memory.max in bytes, 0 when none ("max", no
 * cgroup v2, unreadable). */
static uint64_t cgroup_memory_max(void)
{
    char path[4200], line[64];
    unsigned long long v;
    size_t n;
    FILE *fp;

    if (!cli_own_cgroup_cpu_max("/proc/self/cgroup", "/sys/fs/cgroup", path, sizeof path)
        || (n = strlen(path)) < strlen("cpu.max"))
        return 0;
    snprintf(path + n - strlen("cpu.max"), sizeof path - (n - strlen("cpu.max")), "memory.max");
    if ((fp = fopen(path, "r")) == NULL)
        return 0;
    n = fgets(line, sizeof line, fp) != NULL && sscanf(line, "%llu", &v) == 1;
    fclose(fp);
    return n ? (uint64_t)v : 0;
}

uint64_t cli_default_max_memory(char *why, size_t cap)
{
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    uint64_t least = pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page : 0;
    const char *what = "physical memory";
    uint64_t cg = cgroup_memory_max();
    struct rlimit as;
    char size[32];

    if (cg > 0 && (least == 0 || cg < least)) {
        least = cg;
        what = "the cgroup's memory.max";
    }
    if (getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY
        && (least == 0 || (uint64_t)as.rlim_cur < least)) {
        least = (uint64_t)as.rlim_cur;
        what = "the address-space limit (ulimit -v)";
    }
    if (least == 0)
        least = (uint64_t)8 << 30; /* nothing known: assume a small machine */
    cli_format_size(least, size, sizeof size);
    snprintf(why, cap, "half of %s, %s", what, size);
    return least / 2;
}

int cli_memory_init(cli_memory *m, uint64_t limit)
{
    memset(m, 0, sizeof *m);
    m->limit = limit;
    if (pthread_mutex_init(&m->lock, NULL) != 0)
        return 0;
    if (pthread_cond_init(&m->freed, NULL) != 0) {
        pthread_mutex_destroy(&m->lock);
        return 0;
    }
    return 1;
}

void cli_memory_destroy(cli_memory *m)
{
    pthread_cond_destroy(&m->freed);
    pthread_mutex_destroy(&m->lock);
}

int cli_memory_take(cli_memory *m, uint64_t bytes)
{
    unsigned long ticket;
    struct timespec until;
    int stopped = 0;

    if (bytes > m->limit)
        return 0;
    pthread_mutex_lock(&m->lock);
    ticket = m->next_ticket++;
    while (!(stopped = cli_stop_signal() != 0)
           && (m->serving != ticket || m->used + bytes > m->limit)) {
        /* a second at most: a signal's stop is noticed */
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        pthread_cond_timedwait(&m->freed, &m->lock, &until);
    }
    if (!stopped)
        m->used += bytes;
    m->serving++; /* the next in line may go (or give up) now */
    pthread_cond_broadcast(&m->freed);
    pthread_mutex_unlock(&m->lock);
    return stopped ? -1 : 1;
}

void cli_memory_give(cli_memory *m, uint64_t bytes)
{
    pthread_mutex_lock(&m->lock);
    m->used -= bytes < m->used ? bytes : m->used;
    pthread_cond_broadcast(&m->freed);
    pthread_mutex_unlock(&m->lock);
}
