/* cpus.c - how many CPUs this process may use: the CPUs online, cut to the
 * affinity mask (taskset, Slurm's and Kubernetes' CPU binding) and to a
 * cgroup v2 CPU quota (cpu.max: docker --cpus, Kubernetes limits, systemd
 * CPUQuota).  sysconf(_SC_NPROCESSORS_ONLN) alone sees the whole machine. */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include "cli.h"
#include "batch.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_cgroup_quota(const char *cpu_max, int *limit)
{
    char word[32];
    long long quota, period;
    FILE *fp = fopen(cpu_max, "r");
    int n;

    if (fp == NULL)
        return 0;
    /* "max 100000" (no quota) or "QUOTA PERIOD" in microseconds */
    n = fscanf(fp, "%31s %lld", word, &period);
    fclose(fp);
    if (n != 2 || strcmp(word, "max") == 0 || period <= 0)
        return 0;
    quota = strtoll(word, NULL, 10);
    if (quota <= 0)
        return 0;
    /* 1.5 CPUs of quota keep 2 threads busy half the time: round up */
    *limit = (int)((quota + period - 1) / period);
    return 1;
}

int cli_own_cgroup_cpu_max(const char *proc_cgroup, const char *root, char *out, size_t cap)
{
    char line[4096];
    FILE *fp = fopen(proc_cgroup, "r");
    int found = 0;

    if (fp == NULL)
        return 0;
    while (!found && fgets(line, sizeof line, fp) != NULL) {
        size_t n = strlen(line);
        if (n > 0 && line[n - 1] == '\n')
            line[--n] = '\0';
        /* the v2 entry is "0::/path"; v1 entries have a number and a name */
        if (strncmp(line, "0::", 3) == 0)
            found = snprintf(out, cap, "%s%s%scpu.max", root, line + 3,
                             line[n - 1] == '/' ? "" : "/") < (int)cap;
    }
    fclose(fp);
    return found;
}

/* The smallest cpu.max quota from the process's cgroup up to the root (a
 * parent's quota binds its children too); 0 when none. */
static int cgroup_limit(char *file, size_t cap)
{
    int best = 0, q;
    char *slash;

    if (!cli_own_cgroup_cpu_max("/proc/self/cgroup", "/sys/fs/cgroup", file, cap))
        return 0;
    for (;;) {
        if (cli_cgroup_quota(file, &q) && (best == 0 || q < best))
            best = q;
        /* ".../a/b/cpu.max" -> ".../a/cpu.max" */
        if ((slash = strrchr(file, '/')) == NULL)
            break;
        *slash = '\0';
        if ((slash = strrchr(file, '/')) == NULL || slash - file < (long)strlen("/sys/fs/cgroup"))
            break;
        strcpy(slash, "/cpu.max");
    }
    return best;
}

int cli_omp_num_threads(void)
{
    const char *s = getenv("OMP_NUM_THREADS");
    char *end;
    long v;

    if (s == NULL)
        return 0;
    errno = 0;
    v = strtol(s, &end, 10); /* "4,2" (nested levels): the outer level counts */
    if (end == s || (*end != '\0' && *end != ',') || errno || v < 1 || v > 1024)
        return 0;
    return (int)v;
}

int cli_cpus(char *why, size_t cap)
{
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    int n = online > 0 ? (int)online : 1, mask = 0, quota;
    char file[4200];
    cpu_set_t set;
    size_t used;

    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0 && (mask = CPU_COUNT(&set)) > 0 && mask < n)
        n = mask;
    used = (size_t)snprintf(why, cap, "%ld online, %d in the affinity mask", online, mask);
    quota = cgroup_limit(file, sizeof file);
    if (used < cap)
        snprintf(why + used, cap - used, quota > 0 ? ", cgroup quota %d" : ", no cgroup quota",
                 quota);
    if (quota > 0 && quota < n)
        n = quota;
    return n;
}
