/* cli_batch.h - batch processing for the main job: inputs found in folders
 * and lists, sharded, resumed, run on several files at once with a progress
 * line and a summary.  The job itself (decode, compute, write) stays in
 * cli_gradient.c and is reached through the two callbacks of cli_batch. */
#ifndef IMGRAD_CLI_BATCH_H
#define IMGRAD_CLI_BATCH_H

#include "imgrad.h"

#include <stdio.h>

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
} cli_work;

typedef struct cli_batch {
    int recursive;         /* walk the folders inside folders (default 1) */
    int jobs;              /* files at once, 0 = one per core */
    int threads;           /* kernel threads per file, 0 = cores / jobs */
    int progress;          /* -1 on a terminal (default), 1 always, 0 never */
    int verbose;           /* -1 quiet, 0 normal, 1 one line per file */
    int overwrite;         /* recompute inputs whose outputs are up to date */
    int no_orient;         /* --no-orient: keep JPEGs as stored */
    int shard_k, shard_n;  /* this is shard k of n (1 <= k <= n) */
    const char *files_from;  /* list of inputs, "-" for stdin, or NULL */
    const char *stats_path;  /* --stats FILE (.csv or .jsonl), or NULL */
    double edge_threshold;   /* --edge-threshold, for the stats */
    const char *outdir;
    void *ctx;             /* the job, handed back to the callbacks */
    /* The k-th output path of key (malloc'ed), NULL once k is past the last. */
    char *(*output_path)(void *ctx, const char *key, int k);
    /* Processes one input; 1 on success, 0 after printing why not. */
    int (*process)(void *ctx, const cli_input *in, const cli_work *w);
} cli_batch;

/* Option codes of the batch options, after the job's own (< 1000). */
enum {
    CLI_OPT_NO_RECURSIVE = 1000, CLI_OPT_FILES_FROM, CLI_OPT_PROGRESS, CLI_OPT_OVERWRITE,
    CLI_OPT_NO_ORIENT, CLI_OPT_STATS, CLI_OPT_EDGE_THRESHOLD, CLI_OPT_SHARD
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
    { "shard", required_argument, NULL, CLI_OPT_SHARD }

/* Default edge threshold of --stats, in magnitude units (a grey step of 0.2
 * of full scale across two pixels, for numpy.gradient on an 8-bit photo). */
#define CLI_DEFAULT_EDGE_THRESHOLD 0.1

/* Stale temporaries (".NAME.imgrad-tmp-PID-N" left by a killed run) older
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
    int any_folder;   /* a folder or a list was given: a batch run */
} cli_input_list;

/* Adds the inputs named by args and by b->files_from: files as they are,
 * folders walked for image files.  0 on out of memory (list left valid). */
int cli_collect_inputs(const cli_batch *b, char **args, int count, cli_input_list *list);

/* Sorts by path, drops repeated paths, marks key clashes, then keeps only
 * shard k of n: the inputs at sorted positions i with i % n == k - 1. */
void cli_select_shard(cli_input_list *list, int k, int n);

void cli_input_list_free(cli_input_list *list);

/* ---- --stats (cli_stats.c) */

/* Writes one row per input that has stats (has[i] nonzero) to path, as CSV
 * or JSON lines by its extension, atomically.  0 after a message. */
int cli_write_stats(const char *path, const cli_input *items, const imgrad_stats *rows,
                    const unsigned char *has, size_t count);

/* Nonzero when path ends in .csv or .jsonl (any case). */
int cli_stats_format_ok(const char *path);

#endif
