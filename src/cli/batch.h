/* cli_batch.h - batch processing for the main job: inputs found in folders
 * and lists, sharded, resumed, run on several files at once with a progress
 * line and a summary.  The job itself (decode, compute, write) stays in
 * cli_gradient.c and is reached through the two callbacks of cli_batch. */
#ifndef IMGRAD_CLI_BATCH_H
#define IMGRAD_CLI_BATCH_H

#include "imgrad.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

/* The memory the files in progress may take together (memory.c). */
typedef struct cli_memory {
    uint64_t limit;       /* --max-memory, bytes */
    uint64_t used;        /* taken by the files in progress */
    unsigned long next_ticket, serving; /* takers go in arrival order */
    pthread_mutex_t lock;
    pthread_cond_t freed;
} cli_memory;

/* One input file and the name of its outputs. */
typedef struct cli_input {
    char *path;        /* the file to read, as given or found */
    char *key;         /* outputs' name under OUTDIR without product and
                          extension: "sub/cat" for DIR/sub/cat.jpg */
    char *clash;       /* another input with the same key, or NULL */
} cli_input;

/* What the batch asks of the job for one input. */
typedef struct cli_work {
    int threads;          /* kernel threads for this file */
    int write;            /* 0: outputs are up to date, only measure */
    imgrad_stats *stats;  /* non-NULL: fill it (edge_threshold applies) */
    double edge_threshold;
    cli_memory *memory;   /* the budget to take this file's estimate from */
} cli_work;

typedef struct cli_batch {
    int recursive;         /* walk the folders inside folders (default 1) */
    int jobs;              /* files at once, 0 = one per core */
    int threads;           /* kernel threads per file, 0 = cores / jobs */
    int progress;          /* -1 on a terminal (default), 1 always, 0 never */
    int verbose;           /* -1 quiet, 0 normal, 1 one line per file */
    int overwrite;         /* recompute inputs whose outputs are up to date */
    int follow_links;      /* --follow-links: walk linked folders outside the tree */
    int no_orient;         /* --no-orient: keep JPEGs as stored */
    int shard_k, shard_n;  /* this is shard k of n (1 <= k <= n) */
    uint64_t max_memory;   /* --max-memory in bytes, 0 = the default */
    const char *files_from;  /* list of inputs, "-" for stdin, or NULL */
    char shard_why[160];   /* how the shard was chosen, for -v */
    const char *stats_path;  /* --stats FILE (.csv or .jsonl), or NULL */
    const char *summary_path; /* --summary FILE.json, or NULL */
    double edge_threshold;   /* --edge-threshold, for the stats */
    const char *outdir;
    void *ctx;             /* the job, handed back to the callbacks */
    /* The k-th output path of key (malloc'ed), NULL once k is past the last. */
    char *(*output_path)(void *ctx, const char *key, int k);
    /* The canonical string of the options that shape the k-th output
     * ("key=value ..."), kept in its record; NULL once k is past the last. */
    const char *(*output_options)(void *ctx, int k);
    /* Processes one input; 1 on success, 0 after printing why not. */
    int (*process)(void *ctx, const cli_input *in, const cli_work *w);
} cli_batch;

/* Option codes of the batch options, after the job's own (< 1000). */
enum {
    CLI_OPT_NO_RECURSIVE = 1000, CLI_OPT_FILES_FROM, CLI_OPT_PROGRESS, CLI_OPT_OVERWRITE,
    CLI_OPT_NO_ORIENT, CLI_OPT_STATS, CLI_OPT_EDGE_THRESHOLD, CLI_OPT_SHARD,
    CLI_OPT_SUMMARY, CLI_OPT_FOLLOW_LINKS, CLI_OPT_MAX_MEMORY
};

/* Entries for the job's getopt_long table (short option: j:). */
#define CLI_BATCH_LONG_OPTIONS                                              \
    { "jobs", required_argument, NULL, 'j' },                               \
    { "no-recursive", no_argument, NULL, CLI_OPT_NO_RECURSIVE },            \
    { "files-from", required_argument, NULL, CLI_OPT_FILES_FROM },          \
    { "progress", no_argument, NULL, CLI_OPT_PROGRESS },                    \
    { "overwrite", no_argument, NULL, CLI_OPT_OVERWRITE },                  \
    { "no-orient", no_argument, NULL, CLI_OPT_NO_ORIENT },                  \
    { "stats", required_argument, NULL, CLI_OPT_STATS },                    \
    { "edge-threshold", required_argument, NULL, CLI_OPT_EDGE_THRESHOLD },  \
    { "shard", required_argument, NULL, CLI_OPT_SHARD },                    \
    { "summary", required_argument, NULL, CLI_OPT_SUMMARY },                \
    { "follow-links", no_argument, NULL, CLI_OPT_FOLLOW_LINKS },          \
    { "max-memory", required_argument, NULL, CLI_OPT_MAX_MEMORY }

/* Default edge threshold of --stats, in magnitude units (a grey step of 0.2
 * of full scale across two pixels, for numpy.gradient on an 8-bit photo). */
#define CLI_DEFAULT_EDGE_THRESHOLD 0.1

/* Stale temporaries (a run stopped by a signal removes its own; these are
 * left by kill -9, a crash or a lost machine) (".NAME.imgrad-tmp-PID-N" left by a killed run) older
 * than this are removed from the output folders at the start of a run. */
#define CLI_STALE_TEMP_SECONDS 600

void cli_batch_default(cli_batch *b);

/* Applies a batch option; 1 if taken, 0 (after a message) for a bad value
 * or an option that is not a batch option. */
int cli_batch_option(cli_batch *b, int c, const char *arg);

/* The batch part of --help. */
void cli_batch_usage(FILE *to);

/* Finds the inputs (arguments and --files-from), processes this shard's
 * share of them and prints the summary.  Returns the exit status. */
int cli_batch_run(cli_batch *b, char **args, int count);

/* ---- finding inputs (cli_walk.c) */

typedef struct cli_input_list {
    cli_input *items;
    size_t count, cap;
    int failed;       /* inputs that could not be listed (after a message) */
    char **fail_path, **fail_reason; /* the failed ones, for --summary */
    size_t fail_count;
    int any_folder;   /* a folder or a list was given: a batch run */
    size_t skipped_files; /* files in the folders that are not images by name */
    struct {
        char ext[12];     /* ".txt" in lower case, or "other" */
        size_t count;
    } skip_ext[8];        /* by extension, the first 8 met */
    size_t skip_ext_count;
} cli_input_list;

/* Adds the inputs named by args and by b->files_from: files as they are,
 * folders walked for image files.  0 on out of memory (list left valid). */
int cli_collect_inputs(const cli_batch *b, char **args, int count, cli_input_list *list);

/* Sorts by path, drops repeated paths, marks key clashes, then keeps only
 * shard k of n: the inputs at sorted positions i with i % n == k - 1. */
void cli_select_shard(cli_input_list *list, int k, int n);

void cli_input_list_free(cli_input_list *list);

/* Prints "imgrad: path: reason" and notes path as a failed input of list
 * (for --summary); counts it in list->failed. */
void cli_list_failure(cli_input_list *list, const char *path, const char *fmt, ...);

/* ---- --stats (cli_stats.c) */

/* Writes one row per input that has stats (has[i] nonzero) to path, as CSV
 * or JSON lines by its extension, atomically.  0 after a message. */
int cli_write_stats(const char *path, const cli_input *items, const imgrad_stats *rows,
                    const unsigned char *has, size_t count);

/* Nonzero when path ends in .csv or .jsonl (any case). */
int cli_stats_format_ok(const char *path);

/* Writes the --summary JSON file (atomically): the counts and each failed
 * input with its reason.  0 after a message. */
typedef struct cli_summary {
    const char *shard;          /* "K/N" */
    size_t inputs, written, skipped, failed, not_done;
    size_t not_images;          /* files in the folders skipped by their names */
    size_t redone[8];           /* written, by enum cli_redo */
    const char *interrupted;    /* the signal's name, or NULL */
    int status;
    double seconds;
    const char *const *fail_path, *const *fail_reason;
    size_t fail_count;
} cli_summary;
int cli_write_summary(const char *path, const cli_summary *s);

/* ---- outputs remember how they were made (manifest.c) */

/* Why an input's outputs are made again; CLI_REDO_NONE: they are up to date. */
enum cli_redo {
    CLI_REDO_NONE, CLI_REDO_NEW, CLI_REDO_RECORD, CLI_REDO_VERSION, CLI_REDO_INPUT,
    CLI_REDO_OPTIONS, CLI_REDO_OVERWRITE
};

/* ".NAME.imgrad" beside output DIR/NAME (malloc'ed, NULL when out of memory). */
char *cli_record_path(const char *output);

/* Records that output (just written) was made from input (its stat before
 * reading) with options.  0 after a message. */
int cli_record_write(const char *output, const struct stat *input, const char *options);

/* Compares output and its record with what this run would make; NONE when
 * they match, else the reason, with a sentence for -v in why. */
enum cli_redo cli_record_check(const char *output, const struct stat *input,
                               const char *options, char *why, size_t cap);

/* ---- signals and live temporary files (signals.c) */

/* Installs the handlers of SIGINT, SIGTERM and SIGHUP with room for
 * live_files temporaries at once.  0 when out of memory. */
int cli_signals_start(int live_files);

/* 0, or the signal that asked the run to stop. */
int cli_stop_signal(void);

/* "SIGTERM", ... */
const char *cli_signal_name(int sig);

/* imgrad_file_open/commit/abort, with the temporary entered in the table
 * that a second signal unlinks. */
imgrad_status cli_out_open(imgrad_file *f, const char *path);
imgrad_status cli_out_commit(imgrad_file *f);
void cli_out_abort(imgrad_file *f);

/* ---- the memory budget (memory.c) */

/* "4G", "512M", "1.5GiB", "300000000": bytes (K, M, G, T are powers of
 * 1024, any case, with an optional B or iB); 1 on success. */
int cli_parse_size(const char *s, uint64_t *out);

/* "3.5 GiB", "12.0 MiB" into text. */
void cli_format_size(uint64_t bytes, char *text, size_t cap);

/* Half of the least of physical memory, the cgroup v2 memory.max and the
 * address-space limit; why says which, for -v. */
uint64_t cli_default_max_memory(char *why, size_t cap);

/* A budget of limit bytes; 0 when the lock cannot be made. */
int cli_memory_init(cli_memory *m, uint64_t limit);
void cli_memory_destroy(cli_memory *m);

/* Takes bytes from m, waiting in line until the files in progress leave
 * room: 1 when taken, 0 at once when bytes exceed the whole limit (never
 * fits), -1 when a signal stopped the run while waiting. */
int cli_memory_take(cli_memory *m, uint64_t bytes);

/* Gives back what cli_memory_take took. */
void cli_memory_give(cli_memory *m, uint64_t bytes);

/* ---- CPUs (cpus.c) */

/* CPUs this process may use: online, affinity mask, cgroup v2 cpu.max
 * quota (rounded up), the least of them; why says each, for -v. */
int cli_cpus(char *why, size_t cap);

/* OMP_NUM_THREADS as a count (its first level), 0 when unset or bad. */
int cli_omp_num_threads(void);

/* The CPUs a cgroup v2 cpu.max file allows (quota / period, rounded up):
 * 1 and *limit set, or 0 for "max", a missing or unreadable file. */
int cli_cgroup_quota(const char *cpu_max, int *limit);

/* The cpu.max path of the process's cgroup v2 from a /proc/PID/cgroup file
 * ("0::/path" -> root/path/cpu.max); 0 without a v2 entry. */
int cli_own_cgroup_cpu_max(const char *proc_cgroup, const char *root, char *out, size_t cap);

/* ---- shards (shard.c) */

/* --shard K/N, auto or auto/N (from the job array's variables): 1 with k, n
 * and a sentence for -v in why, or 0 with the error message in why. */
int cli_parse_shard(const char *arg, int *k, int *n, char *why, size_t cap);

#endif
