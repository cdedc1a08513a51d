/* shard.c - --shard K/N, auto and auto/N: which share of the sorted input
 * list this process takes, given by hand or by the job system's array
 * variables.
 *
 * "auto" reads the array's index and its extent: Slurm
 * (SLURM_ARRAY_TASK_ID with _MIN, _MAX, _STEP, _COUNT), SGE (SGE_TASK_ID
 * with _FIRST, _LAST, _STEPSIZE) and AWS Batch (AWS_BATCH_JOB_ARRAY_INDEX
 * with _SIZE); K is the task's position in the array.  PBS, LSF and
 * Kubernetes give the index alone, and a resubmitted Slurm task sees an
 * array of one: "auto/N" fixes N and takes K = (index mod N) + 1, so 0- and
 * 1-based arrays, stepped ones and a task run again alone all land on the
 * same shard. */
#include "cli.h"
#include "batch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The integer in environment variable name; 1 if set and a whole number. */
static int env_long(const char *name, long *out)
{
    const char *s = getenv(name);
    char *end;

    if (s == NULL || *s == '\0')
        return 0;
    errno = 0;
    *out = strtol(s, &end, 10);
    return *end == '\0' && errno == 0;
}

/* An array system's variables: index, and first, last, step, count
 * (NULL where the system has none). */
static const struct array_vars {
    const char *system, *index, *first, *last, *step, *count;
} systems[] = {
    { "Slurm", "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_MAX",
      "SLURM_ARRAY_TASK_STEP", "SLURM_ARRAY_TASK_COUNT" },
    { "SGE", "SGE_TASK_ID", "SGE_TASK_FIRST", "SGE_TASK_LAST", "SGE_TASK_STEPSIZE", NULL },
    { "AWS Batch", "AWS_BATCH_JOB_ARRAY_INDEX", NULL, NULL, NULL, "AWS_BATCH_JOB_ARRAY_SIZE" },
    { "PBS", "PBS_ARRAY_INDEX", NULL, NULL, NULL, NULL },
    { "LSF", "LSB_JOBINDEX", NULL, NULL, NULL, NULL },
    { "Kubernetes", "JOB_COMPLETION_INDEX", NULL, NULL, NULL, NULL },
};

/* K and N of "auto" from one system's index and extent; 0 if its extent is
 * not known (then auto/N is needed). */
static int position(const struct array_vars *v, long index, int *k, int *n)
{
    long first = 0, last, step = 1, count;

    if (v->first && v->last && env_long(v->first, &first) && env_long(v->last, &last)) {
        if (v->step && (!env_long(v->step, &step) || step < 1))
            step = 1;
        count = (last - first) / step + 1;
    } else if (!(v->count && env_long(v->count, &count))) {
        return 0;
    }
    if (count < 1 || count > 1000000 || index < first || (index - first) % step != 0
        || (index - first) / step >= count)
        return 0;
    *n = (int)count;
    *k = (int)((index - first) / step) + 1;
    return 1;
}

int cli_parse_shard(const char *arg, int *k, int *n, char *why, size_t cap)
{
    char head[32];
    const char *tail;
    long index = 0;
    size_t i;
    int fixed = 0;

    if (strcmp(arg, "auto") != 0 && strncmp(arg, "auto/", 5) != 0) {
        if (cli_split_pair(arg, '/', head, sizeof head, &tail) && cli_parse_int(tail, 1, 1000000, n)
            && cli_parse_int(head, 1, *n, k)) {
            snprintf(why, cap, "--shard %d/%d", *k, *n);
            return 1;
        }
        snprintf(why, cap, "--shard: expected K/N with 1 <= K <= N, auto or auto/N, got '%s'",
                 arg);
        return 0;
    }
    if (arg[4] == '/' && !(fixed = cli_parse_int(arg + 5, 1, 1000000, n))) {
        snprintf(why, cap, "--shard: expected auto/N with N = 1..1000000, got '%s'", arg);
        return 0;
    }
    for (i = 0; i < sizeof systems / sizeof systems[0]; i++)
        if (getenv(systems[i].index) != NULL)
            break;
    if (i == sizeof systems / sizeof systems[0]) {
        *k = 1;
        *n = 1;
        snprintf(why, cap, "--shard %s: no job array variable set: every input", arg);
        return 1;
    }
    if (!env_long(systems[i].index, &index) || index < 0) {
        snprintf(why, cap, "--shard %s: %s is '%s', not an array index", arg, systems[i].index,
                 getenv(systems[i].index));
        return 0;
    }
    if (fixed) {
        *k = (int)(index % *n) + 1;
    } else if (!position(&systems[i], index, k, n)) {
        snprintf(why, cap, "--shard auto: %s gives the index (%s=%ld) but not the array's size;"
                 " use --shard auto/N", systems[i].system, systems[i].index, index);
        return 0;
    }
    snprintf(why, cap, "--shard %s: shard %d of %d from %s=%ld", arg, *k, *n, systems[i].index,
             index);
    return 1;
}
