/* cli_batch.c - running the main job over many files: several files at
 * once, each skipped when its outputs are up to date, a progress line, and
 * a summary at the end.
 *
 * Threads.  -j N worker threads take the next input from a shared counter,
 * so at most N images are in memory at once.  Each file's kernel is itself
 * an OpenMP loop; with N files in flight it gets cores / N threads (at
 * least 1), so the machine is busy without N x cores threads fighting. */
#include "cli.h"
#include "batch.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void cli_batch_default(cli_batch *b)
{
    memset(b, 0, sizeof *b);
    b->recursive = 1;
    b->progress = -1;
    b->shard_k = b->shard_n = 1;
    b->edge_threshold = CLI_DEFAULT_EDGE_THRESHOLD;
}

/* "K/N" with 1 <= K <= N. */
static int parse_shard(cli_batch *b, const char *arg)
{
    char k[32];
    const char *n;

    return cli_split_pair(arg, '/', k, sizeof k, &n) && cli_parse_int(n, 1, 1000000, &b->shard_n)
           && cli_parse_int(k, 1, b->shard_n, &b->shard_k);
}

int cli_batch_option(cli_batch *b, int c, const char *arg)
{
    switch (c) {
    case 'j':
        return cli_parse_int(arg, 1, 1024, &b->jobs)
               || (cli_error(NULL, "--jobs: expected 1..1024, got '%s'", arg), 0);
    case CLI_OPT_NO_RECURSIVE: b->recursive = 0; return 1;
    case CLI_OPT_FILES_FROM: b->files_from = arg; return 1;
    case CLI_OPT_PROGRESS: b->progress = 1; return 1;
    case CLI_OPT_OVERWRITE: b->overwrite = 1; return 1;
    case CLI_OPT_NO_ORIENT: b->no_orient = 1; return 1;
    case CLI_OPT_STATS:
        b->stats_path = arg;
        return cli_stats_format_ok(arg)
               || (cli_error(NULL, "--stats: the file must end in .csv or .jsonl"), 0);
    case CLI_OPT_EDGE_THRESHOLD:
        return (cli_parse_double(arg, &b->edge_threshold) && b->edge_threshold >= 0)
               || (cli_error(NULL, "--edge-threshold: expected a number >= 0, got '%s'", arg), 0);
    case CLI_OPT_SHARD:
        return parse_shard(b, arg)
               || (cli_error(NULL, "--shard: expected K/N with 1 <= K <= N, got '%s'", arg), 0);
    }
    return 0;
}

void cli_batch_usage(FILE *to)
{
    fputs(
"Folders and batches:\n"
"  An INPUT may be a folder: its image files (by extension, any case: png jpg\n"
"  jpeg bmp tga gif psd hdr pnm pgm ppm npy) are found in it and its\n"
"  subfolders, hidden names skipped, and written to DIR/<path below the\n"
"  folder without extension>.<product>.<format>.\n"
"      --no-recursive     only the files directly in each folder\n"
"      --files-from FILE  also take inputs from FILE, one per line (- = stdin)\n"
"  -j, --jobs N           files processed at once (default: one per core);\n"
"                         each file's kernel gets cores / N threads unless -t\n"
"      --overwrite        recompute inputs whose outputs all exist and are\n"
"                         not older than the input (skipped by default)\n"
"      --shard K/N        process only the K-th of N shards of the sorted\n"
"                         input list (K = 1..N), for job arrays\n"
"      --progress         show the progress line even when stderr is not a\n"
"                         terminal (on a terminal it is on unless -q or -v)\n"
"      --no-orient        keep JPEGs as stored instead of turning them\n"
"                         upright by their EXIF orientation\n"
"      --stats FILE       write per-image statistics to FILE (.csv or .jsonl):\n"
"                         size; mean, median, p95, max magnitude; edge density\n"
"                         (share of pixels with magnitude > T) and the share of\n"
"                         those edge pixels in each 45-degree direction bin\n"
"      --edge-threshold T the T above (default 0.1)\n"
"\n", to);
}

/* ---- one run */

enum outcome { WRITTEN, SKIPPED, FAILED };

typedef struct run {
    const cli_batch *b;
    const cli_input *items;
    size_t count;
    imgrad_stats *rows;       /* --stats: one per input */
    unsigned char *has_row;
    int threads;              /* kernel threads per file */
    int show, tty;            /* progress shown; redrawn in place */
    pthread_mutex_t lock;     /* guards what follows */
    size_t next, done, tally[3];
    double last_draw;
    struct timespec start;
} run;

static double seconds_since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + 1e-9 * (double)(now.tv_nsec - t0->tv_nsec);
}

/* "1:02:03" or "2:03". */
static void put_duration(FILE *to, double seconds)
{
    long s = (long)(seconds + 0.5);
    if (s >= 3600)
        fprintf(to, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else
        fprintf(to, "%ld:%02ld", s / 60, s % 60);
}

/* Draws the progress line; called with r->lock held.  Redraws at most 10
 * times a second on a terminal, once a second into a log. */
static void draw_progress(run *r, int force)
{
    double now = seconds_since(&r->start), rate;

    if (!r->show || (!force && now - r->last_draw < (r->tty ? 0.1 : 1.0)))
        return;
    r->last_draw = now;
    rate = now > 0 ? (double)r->done / now : 0;
    flockfile(stderr);
    fprintf(stderr, "%simgrad: %zu/%zu files, %.1f images/s", r->tty ? "\r\033[K" : "",
            r->done, r->count, rate);
    if (rate > 0 && r->done < r->count) {
        fputs(", ", stderr);
        put_duration(stderr, (double)(r->count - r->done) / rate);
        fputs(" left", stderr);
    }
    if (!r->tty)
        fputc('\n', stderr);
    funlockfile(stderr);
}

/* Nonzero when every output of in exists and none is older than in. */
static int up_to_date(const cli_batch *b, const cli_input *in)
{
    struct stat src, out;
    char *path;
    int k, ok = 1;

    if (stat(in->path, &src) != 0)
        return 0;
    for (k = 0; ok && (path = b->output_path(b->ctx, in->key, k)) != NULL; k++) {
        /* an output that is the input itself is never up to date: the job
         * refuses it with a message */
        ok = stat(path, &out) == 0
             && !(out.st_dev == src.st_dev && out.st_ino == src.st_ino)
             && (out.st_mtim.tv_sec > src.st_mtim.tv_sec
                 || (out.st_mtim.tv_sec == src.st_mtim.tv_sec
                     && out.st_mtim.tv_nsec >= src.st_mtim.tv_nsec));
        free(path);
    }
    return ok && k > 0;
}

/* The folder of in's outputs: DIR, or DIR/sub for the key "sub/name". */
static char *output_folder(const cli_batch *b, const char *key)
{
    const char *slash = strrchr(key, '/');
    size_t n = slash ? (size_t)(slash - key) : 0, size = strlen(b->outdir) + n + 2;
    char *dir = malloc(size);

    if (dir != NULL)
        snprintf(dir, size, "%s%s%.*s", b->outdir, n ? "/" : "", (int)n, key);
    return dir;
}

static int make_output_folder(const cli_batch *b, const cli_input *in)
{
    char *dir = output_folder(b, in->key);
    int ok = dir != NULL && cli_mkdir_p(dir) == 0;

    if (!ok)
        cli_error(dir ? dir : in->path, "cannot create the output folder: %s",
                  strerror(dir ? errno : ENOMEM));
    free(dir);
    return ok;
}

static enum outcome process_one(run *r, size_t i)
{
    const cli_batch *b = r->b;
    const cli_input *in = &r->items[i];
    cli_work w;

    w.threads = r->threads;
    w.write = 1;
    w.stats = b->stats_path ? &r->rows[i] : NULL;
    w.edge_threshold = b->edge_threshold;
    if (in->clash != NULL) {
        cli_error(in->path, "its outputs would overwrite those of %s; skipped", in->clash);
        return FAILED;
    }
    if (!b->overwrite && up_to_date(b, in)) {
        if (b->verbose > 0)
            cli_note("%s: up to date", in->path);
        if (w.stats == NULL)
            return SKIPPED;
        w.write = 0; /* still measured, so the table covers every input */
    }
    if (w.write && !make_output_folder(b, in))
        return FAILED;
    if (!b->process(b->ctx, in, &w))
        return FAILED;
    if (w.stats != NULL)
        r->has_row[i] = 1;
    return w.write ? WRITTEN : SKIPPED;
}

static void *worker(void *arg)
{
    run *r = arg;
    enum outcome o;
    size_t i;

    for (;;) {
        pthread_mutex_lock(&r->lock);
        i = r->next++;
        pthread_mutex_unlock(&r->lock);
        if (i >= r->count)
            return NULL;
        o = process_one(r, i);
        pthread_mutex_lock(&r->lock);
        r->done++;
        r->tally[o]++;
        draw_progress(r, 0);
        pthread_mutex_unlock(&r->lock);
    }
}

static int cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* Runs jobs workers (this thread is one of them) to the end of the list. */
static void run_workers(run *r, int jobs)
{
    pthread_t *t = malloc((size_t)jobs * sizeof *t);
    int n = 0;

    while (t != NULL && n < jobs - 1 && pthread_create(&t[n], NULL, worker, r) == 0)
        n++;
    worker(r);
    while (n > 0)
        pthread_join(t[--n], NULL);
    free(t);
}

/* ---- stale temporaries */

/* Removes ".NAME.imgrad-tmp-PID-N" files in dir not touched for
 * CLI_STALE_TEMP_SECONDS: a killed run's, never a live writer's (the
 * folder may be shared with other machines' shards). */
static void clean_folder(const cli_batch *b, const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    struct stat st;
    time_t now = time(NULL);

    if (d == NULL)
        return; /* not made yet: nothing stale in it */
    while ((e = readdir(d)) != NULL) {
        char *path;
        size_t size;
        if (e->d_name[0] != '.' || strstr(e->d_name, ".imgrad-tmp-") == NULL)
            continue;
        size = strlen(dir) + strlen(e->d_name) + 2;
        if ((path = malloc(size)) == NULL)
            break;
        snprintf(path, size, "%s/%s", dir, e->d_name);
        if (lstat(path, &st) == 0 && S_ISREG(st.st_mode)
            && now - st.st_mtime > CLI_STALE_TEMP_SECONDS && unlink(path) == 0
            && b->verbose > 0)
            cli_note("removed the stale temporary file %s", path);
        free(path);
    }
    closedir(d);
}

static int by_string(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Cleans each distinct output folder of the run once. */
static void clean_stale_temporaries(const cli_batch *b, const cli_input *items, size_t count)
{
    char **dirs = malloc((count + 1) * sizeof *dirs);
    size_t i, n = 0;

    if (dirs == NULL)
        return;
    for (i = 0; i < count; i++)
        if ((dirs[n] = output_folder(b, items[i].key)) != NULL)
            n++;
    qsort(dirs, n, sizeof *dirs, by_string);
    for (i = 0; i < n; i++) {
        if (i == 0 || strcmp(dirs[i], dirs[i - 1]) != 0)
            clean_folder(b, dirs[i]);
    }
    for (i = 0; i < n; i++)
        free(dirs[i]);
    free(dirs);
}

/* ---- the whole batch */

static int start_run(run *r, const cli_batch *b, const cli_input_list *list, int *jobs)
{
    memset(r, 0, sizeof *r);
    r->b = b;
    r->items = list->items;
    r->count = list->count;
    *jobs = b->jobs > 0 ? b->jobs : cores();
    if ((size_t)*jobs > r->count)
        *jobs = r->count > 0 ? (int)r->count : 1;
    r->threads = b->threads > 0 ? b->threads : (cores() / *jobs > 0 ? cores() / *jobs : 1);
    r->tty = isatty(STDERR_FILENO);
    r->show = b->verbose >= 0
              && (b->progress == 1 || (b->progress == -1 && r->tty && b->verbose == 0));
    r->tty = r->tty && r->show;
    clock_gettime(CLOCK_MONOTONIC, &r->start);
    if (b->stats_path != NULL) {
        r->rows = calloc(r->count + 1, sizeof *r->rows);
        r->has_row = calloc(r->count + 1, 1);
        if (r->rows == NULL || r->has_row == NULL) {
            free(r->rows);
            free(r->has_row);
            return 0;
        }
    }
    return pthread_mutex_init(&r->lock, NULL) == 0;
}

static void print_summary(const run *r, size_t failed, double seconds)
{
    fprintf(stderr, "imgrad: %zu written, %zu skipped (up to date), %zu failed, in ",
            r->tally[WRITTEN], r->tally[SKIPPED], failed);
    put_duration(stderr, seconds);
    fputc('\n', stderr);
}

int cli_batch_run(cli_batch *b, char **args, int count)
{
    cli_input_list list;
    size_t failed;
    run r;
    int jobs, stats_ok = 1;

    memset(&list, 0, sizeof list);
    if (cli_collect_inputs(b, args, count, &list))
        cli_select_shard(&list, b->shard_k, b->shard_n);
    else
        list.failed = -1;
    if (list.failed < 0 || !start_run(&r, b, &list, &jobs)) {
        cli_error(NULL, "out of memory while listing the inputs");
        cli_input_list_free(&list);
        return EXIT_SOME_FAILED;
    }
    clean_stale_temporaries(b, list.items, list.count);
    if (list.count > 1)
        cli_keep_freed_memory();
    cli_clear_line_before_messages(r.tty);
    if (r.tty)
        draw_progress(&r, 1); /* the total at once, before the first file ends */
    run_workers(&r, jobs);
    cli_clear_line_before_messages(0);
    if (r.tty)
        fputs("\r\033[K", stderr); /* the summary takes the line's place */
    else
        draw_progress(&r, 1); /* a log ends with the final count */
    failed = r.tally[FAILED] + (size_t)list.failed;
    if (b->stats_path != NULL)
        stats_ok = cli_write_stats(b->stats_path, list.items, r.rows, r.has_row, list.count);
    if (b->verbose >= 0 && (list.any_folder || r.show || b->verbose > 0 || b->shard_n > 1))
        print_summary(&r, failed, seconds_since(&r.start));
    pthread_mutex_destroy(&r.lock);
    free(r.rows);
    free(r.has_row);
    cli_input_list_free(&list);
    return failed > 0 || !stats_ok ? EXIT_SOME_FAILED : EXIT_ALL_OK;
}
