/* cli_batch.c - running the main job over many files: several files at
 * once, each skipped when its outputs are up to date (manifest.c), a
 * progress line, a clean stop on a signal (signals.c), and a summary.
 *
 * Threads.  -j N worker threads take the next input from a shared counter,
 * so at most N images are in memory at once.  Each file's kernel is itself
 * an OpenMP loop; with N files in flight it gets CPUs / N threads (at
 * least 1), where CPUs are those this process may use (cpus.c), so the
 * machine or the job's share of it is busy without N x CPUs threads. */
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
#ifdef _OPENMP
#include <omp.h>
#endif

void cli_batch_default(cli_batch *b)
{
    memset(b, 0, sizeof *b);
    b->recursive = 1;
    b->progress = -1;
    b->shard_k = b->shard_n = 1;
    b->edge_threshold = CLI_DEFAULT_EDGE_THRESHOLD;
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
    case CLI_OPT_FOLLOW_LINKS: b->follow_links = 1; return 1;
    case CLI_OPT_STATS:
        b->stats_path = arg;
        return cli_stats_format_ok(arg)
               || (cli_error(NULL, "--stats: the file must end in .csv or .jsonl"), 0);
    case CLI_OPT_SUMMARY: b->summary_path = arg; return 1;
    case CLI_OPT_MAX_MEMORY:
        return cli_parse_size(arg, &b->max_memory)
               || (cli_error(NULL, "--max-memory: expected a size such as 4G, 512M or a "
                             "number of bytes, got '%s'", arg), 0);
    case CLI_OPT_EDGE_THRESHOLD:
        return (cli_parse_double(arg, &b->edge_threshold) && b->edge_threshold >= 0)
               || (cli_error(NULL, "--edge-threshold: expected a number >= 0, got '%s'", arg), 0);
    case CLI_OPT_SHARD:
        return cli_parse_shard(arg, &b->shard_k, &b->shard_n, b->shard_why, sizeof b->shard_why)
               || (cli_error(NULL, "%s", b->shard_why), 0);
    }
    return 0;
}

void cli_batch_usage(FILE *to)
{
    fputs(
"Folders and batches:\n"
"  An INPUT may be a folder: its image files (by extension, any case: png jpg\n"
"  jpeg bmp tga gif psd hdr pnm pgm ppm npy tif tiff webp heic heif avif) are\n"
"  found in it and its subfolders, hidden names skipped, and written to\n"
"  DIR/<path below the folder without extension>.<product>.<format>.  Other\n"
"  files are counted in the summary (-v names them); a folder without an\n"
"  image fails.\n"
"      --no-recursive     only the files directly in each folder\n"
"      --files-from FILE  also take inputs from FILE, one per line (- = stdin)\n"
"      --follow-links     also walk linked folders outside the folder given\n"
"                         (each folder is walked once whatever the links)\n"
"  -j, --jobs N           files processed at once (default: one per CPU this\n"
"                         process may use: affinity mask and cgroup quota);\n"
"                         each file's kernel gets CPUs / N threads unless -t\n"
"                         or OMP_NUM_THREADS says otherwise\n"
"      --max-memory SIZE  the memory the files in progress may take together\n"
"                         (4G, 512M...; default: half of the least of\n"
"                         physical memory, the cgroup's memory.max and\n"
"                         ulimit -v).  Each file's peak is estimated from its\n"
"                         header before decoding; a file waits until the\n"
"                         others leave room, one that can never fit fails\n"
"      --overwrite        recompute every input (by default an input is\n"
"                         skipped when each output's record, .NAME.imgrad\n"
"                         beside it, shows the same input size and mtime, the\n"
"                         same imgrad version and the same options)\n"
"      --shard K/N        process only the K-th of N shards of the sorted\n"
"                         input list (K = 1..N), for job arrays\n"
"      --shard auto[/N]   K and N from the job array's variables (Slurm, SGE,\n"
"                         PBS, LSF, AWS Batch, Kubernetes); with /N, shard\n"
"                         (index mod N) + 1, for any array numbering\n"
"      --summary FILE     write what the run did as JSON: counts, and each\n"
"                         failed input with the reason\n"
"      --progress         show the progress line even when stderr is not a\n"
"                         terminal (on a terminal it is on unless -q or -v)\n"
"      --no-orient        keep JPEGs as stored instead of turning them\n"
"                         upright by their EXIF orientation\n"
"      --stats FILE       write per-image statistics to FILE (.csv or .jsonl):\n"
"                         size; mean, median, p95, max magnitude; edge density\n"
"                         (share of pixels with magnitude > T) and the share of\n"
"                         those edge pixels in each 45-degree direction bin\n"
"      --edge-threshold T the T above (default 0.1)\n"
"  SIGINT, SIGTERM, SIGHUP: the files in progress are finished, temporaries\n"
"  removed, --stats and the summary written; exit 128 + the signal's number.\n"
"  A second signal stops at once (no partial file under an output's name).\n"
"\n", to);
}

/* ---- one run */

enum outcome { WRITTEN, SKIPPED, FAILED, NOT_DONE };

typedef struct run {
    const cli_batch *b;
    const cli_input *items;
    size_t count;
    imgrad_stats *rows;       /* --stats: one per input */
    unsigned char *has_row;
    char **reason;            /* --summary: why each failed input failed */
    int threads;              /* kernel threads per file */
    cli_memory memory;        /* --max-memory, shared by the workers */
    int show, tty;            /* progress shown; redrawn in place */
    pthread_mutex_t lock;     /* guards what follows */
    size_t next, done, tally[4], redone[8];
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

/* Why in's outputs are to be made (CLI_REDO_NONE: up to date), with a
 * sentence in why; src is in's stat (zeroed if in cannot be read). */
static enum cli_redo why_redo(const cli_batch *b, const cli_input *in, const struct stat *src,
                              char *why, size_t cap)
{
    enum cli_redo r = CLI_REDO_NONE;
    const char *options;
    char *path;
    int k;

    if (b->overwrite) {
        snprintf(why, cap, "--overwrite");
        return CLI_REDO_OVERWRITE;
    }
    for (k = 0; r == CLI_REDO_NONE && (path = b->output_path(b->ctx, in->key, k)) != NULL; k++) {
        options = b->output_options(b->ctx, k);
        r = cli_record_check(path, src, options ? options : "", why, cap);
        free(path);
    }
    if (k == 0 && r == CLI_REDO_NONE) { /* out of memory: make them */
        snprintf(why, cap, "out of memory");
        r = CLI_REDO_RECORD;
    }
    return r;
}

/* Records how each output of in was made; 0 after a message. */
static int write_records(const cli_batch *b, const cli_input *in, const struct stat *src)
{
    const char *options;
    char *path;
    int k, ok = 1;

    for (k = 0; ok && (path = b->output_path(b->ctx, in->key, k)) != NULL; k++) {
        options = b->output_options(b->ctx, k);
        ok = cli_record_write(path, src, options ? options : "");
        free(path);
    }
    return ok;
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

/* Processes input i: skipped, or made (and its records written). */
static enum outcome process_one(run *r, size_t i, enum cli_redo *redo)
{
    const cli_batch *b = r->b;
    const cli_input *in = &r->items[i];
    char why[512];
    struct stat src;
    cli_work w;

    w.threads = r->threads;
    w.write = 1;
    w.stats = b->stats_path ? &r->rows[i] : NULL;
    w.edge_threshold = b->edge_threshold;
    w.memory = &r->memory;
    if (in->clash != NULL) {
        cli_error(in->path, "its outputs would overwrite those of %s; failed (rename one "
                  "of them)", in->clash);
        return FAILED;
    }
    if (stat(in->path, &src) != 0)
        memset(&src, 0, sizeof src); /* the job fails on it, with the reason */
    if ((*redo = why_redo(b, in, &src, why, sizeof why)) == CLI_REDO_NONE) {
        if (b->verbose > 0)
            cli_note("%s: up to date", in->path);
        if (w.stats == NULL)
            return SKIPPED;
        w.write = 0; /* still measured, so the table covers every input */
    } else if (b->verbose > 0 && *redo != CLI_REDO_NEW) {
        cli_note("%s: made again: %s", in->path, why);
    }
    if (w.write && !make_output_folder(b, in))
        return FAILED;
    if (!b->process(b->ctx, in, &w))
        return cli_stop_signal() ? NOT_DONE : FAILED;
    if (w.write && !write_records(b, in, &src))
        return FAILED;
    if (w.stats != NULL)
        r->has_row[i] = 1;
    return w.write ? WRITTEN : SKIPPED;
}

/* The reason of a failed input for --summary: the last message this
 * thread printed. */
static void note_reason(run *r, size_t i)
{
    const char *last = cli_last_error();
    size_t n = strlen(last);

    if (r->reason != NULL && (r->reason[i] = malloc(n + 1)) != NULL)
        memcpy(r->reason[i], last, n + 1);
}

static void *worker(void *arg)
{
    run *r = arg;
    enum outcome o;
    enum cli_redo redo;
    size_t i;

#ifdef _OPENMP
    /* what the library's loops without their own thread count use */
    omp_set_num_threads(r->threads);
#endif
    for (;;) {
        pthread_mutex_lock(&r->lock);
        i = r->next++;
        pthread_mutex_unlock(&r->lock);
        if (i >= r->count || cli_stop_signal())
            return NULL;
        redo = CLI_REDO_NONE;
        cli_forget_last_error();
        o = process_one(r, i, &redo);
        if (o == FAILED)
            note_reason(r, i);
        pthread_mutex_lock(&r->lock);
        r->done++;
        r->tally[o]++;
        if (o == WRITTEN)
            r->redone[redo]++;
        draw_progress(r, 0);
        pthread_mutex_unlock(&r->lock);
    }
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

/* Files at once and kernel threads per file: -j and -t when given, else
 * from the CPUs this process may use and OMP_NUM_THREADS; -v says why. */
static void choose_threads(const cli_batch *b, size_t count, int *jobs, int *threads)
{
    char why[256];
    const int cpus = cli_cpus(why, sizeof why), omp = cli_omp_num_threads();
    const int per_file = b->threads > 0 ? b->threads : omp;

    *jobs = b->jobs > 0 ? b->jobs : per_file > 0 ? (cpus / per_file > 0 ? cpus / per_file : 1)
                                                 : cpus;
    if ((size_t)*jobs > count)
        *jobs = count > 0 ? (int)count : 1;
    *threads = per_file > 0 ? per_file : (cpus / *jobs > 0 ? cpus / *jobs : 1);
    if (b->verbose > 0)
        cli_note("%d CPU%s (%s): %d file%s at once (%s), %d kernel thread%s each (%s)", cpus,
                 cpus == 1 ? "" : "s", why, *jobs, *jobs == 1 ? "" : "s",
                 b->jobs > 0 ? "-j" : (size_t)*jobs == count ? "one per input" : "CPUs",
                 *threads, *threads == 1 ? "" : "s",
                 b->threads > 0 ? "-t" : omp > 0 ? "OMP_NUM_THREADS" : "CPUs / files at once");
}

/* The memory budget of the run: --max-memory, or the default; -v says it. */
static int start_memory(run *r, const cli_batch *b)
{
    char why[160] = "--max-memory", size[32];
    uint64_t limit = b->max_memory ? b->max_memory : cli_default_max_memory(why, sizeof why);

    if (b->verbose > 0) {
        cli_format_size(limit, size, sizeof size);
        cli_note("memory: at most %s for the files in progress (%s)", size, why);
    }
    return cli_memory_init(&r->memory, limit);
}

static int start_run(run *r, const cli_batch *b, const cli_input_list *list, int *jobs)
{
    memset(r, 0, sizeof *r);
    r->b = b;
    r->items = list->items;
    r->count = list->count;
    choose_threads(b, r->count, jobs, &r->threads);
    r->tty = isatty(STDERR_FILENO);
    r->show = b->verbose >= 0
              && (b->progress == 1 || (b->progress == -1 && r->tty && b->verbose == 0));
    r->tty = r->tty && r->show;
    clock_gettime(CLOCK_MONOTONIC, &r->start);
    if (b->stats_path != NULL) {
        r->rows = calloc(r->count + 1, sizeof *r->rows);
        r->has_row = calloc(r->count + 1, 1);
        if (r->rows == NULL || r->has_row == NULL)
            return 0;
    }
    if (b->summary_path != NULL && (r->reason = calloc(r->count + 1, sizeof *r->reason)) == NULL)
        return 0;
    if (!start_memory(r, b))
        return 0;
    if (pthread_mutex_init(&r->lock, NULL) != 0) {
        cli_memory_destroy(&r->memory);
        return 0;
    }
    return 1;
}

static void end_run(run *r)
{
    size_t i;

    for (i = 0; r->reason != NULL && i < r->count; i++)
        free(r->reason[i]);
    free(r->reason);
    free(r->rows);
    free(r->has_row);
}

/* Why outputs were written again, after the summary's counts. */
static const char *const redo_names[] = {
    [CLI_REDO_NEW] = "new", [CLI_REDO_RECORD] = "no record", [CLI_REDO_VERSION] = "other version",
    [CLI_REDO_INPUT] = "input changed", [CLI_REDO_OPTIONS] = "options changed",
    [CLI_REDO_OVERWRITE] = "--overwrite",
};

static void print_summary(const run *r, size_t failed, size_t not_done, int sig, double seconds)
{
    int k, first = 1;

    fprintf(stderr, "imgrad: %zu written, %zu skipped (up to date), %zu failed, in ",
            r->tally[WRITTEN], r->tally[SKIPPED], failed);
    put_duration(stderr, seconds);
    for (k = CLI_REDO_NEW; k <= CLI_REDO_OVERWRITE; k++)
        if (r->redone[k] > 0) {
            fprintf(stderr, "%s%zu %s", first ? " (written: " : ", ", r->redone[k], redo_names[k]);
            first = 0;
        }
    if (!first)
        fputc(')', stderr);
    if (sig)
        fprintf(stderr, "; stopped by %s, %zu not done", cli_signal_name(sig), not_done);
    fputc('\n', stderr);
}

/* "imgrad: 4 files skipped, not images by their names: .txt 3, .xyz 1" */
static void print_not_images(const cli_input_list *list)
{
    size_t order[sizeof list->skip_ext / sizeof list->skip_ext[0]], i, k, named = 0;

    for (i = 0; i < list->skip_ext_count; i++) /* the most first, then by name */
        for (k = i, order[i] = i; k > 0; k--) {
            const size_t a = order[k - 1], b = order[k];
            const size_t na = list->skip_ext[a].count, nb = list->skip_ext[b].count;
            if (na > nb || (na == nb && strcmp(list->skip_ext[a].ext, list->skip_ext[b].ext) <= 0))
                break;
            order[k - 1] = b;
            order[k] = a;
        }
    fprintf(stderr, "imgrad: %zu file%s skipped, not images by their names:",
            list->skipped_files, list->skipped_files == 1 ? "" : "s");
    for (i = 0; i < list->skip_ext_count; i++) {
        const size_t e = order[i];
        fprintf(stderr, "%s %s %zu", i ? "," : "", list->skip_ext[e].ext, list->skip_ext[e].count);
        named += list->skip_ext[e].count;
    }
    if (named < list->skipped_files)
        fprintf(stderr, ", others %zu", list->skipped_files - named);
    fputs(" (-v names them)\n", stderr);
}

/* The --summary file: counts, and the failed inputs with their reasons
 * (those the walk could not list, then those that failed). */
static int write_summary(const run *r, const cli_input_list *list, size_t failed,
                         size_t not_done, int sig, int status)
{
    const cli_batch *b = r->b;
    cli_summary s;
    const char **paths = malloc((failed + 1) * sizeof *paths);
    const char **reasons = malloc((failed + 1) * sizeof *reasons);
    char shard[64];
    size_t i, n = 0;
    int ok;

    if (paths == NULL || reasons == NULL) {
        free(paths);
        free(reasons);
        cli_error(b->summary_path, "out of memory");
        return 0;
    }
    for (i = 0; i < list->fail_count && n < failed; i++, n++) {
        paths[n] = list->fail_path[i];
        reasons[n] = list->fail_reason[i];
    }
    for (i = 0; i < r->count && n < failed; i++)
        if (r->reason[i] != NULL) {
            paths[n] = r->items[i].path;
            reasons[n++] = r->reason[i];
        }
    memset(&s, 0, sizeof s);
    snprintf(shard, sizeof shard, "%d/%d", b->shard_k, b->shard_n);
    s.shard = shard;
    s.inputs = r->count + (size_t)list->failed;
    s.written = r->tally[WRITTEN];
    s.skipped = r->tally[SKIPPED];
    s.failed = failed;
    s.not_done = not_done;
    s.not_images = list->skipped_files;
    memcpy(s.redone, r->redone, sizeof s.redone);
    s.interrupted = sig ? cli_signal_name(sig) : NULL;
    s.status = status;
    s.seconds = seconds_since(&r->start);
    s.fail_path = paths;
    s.fail_reason = reasons;
    s.fail_count = n;
    ok = cli_write_summary(b->summary_path, &s);
    free(paths);
    free(reasons);
    return ok;
}

int cli_batch_run(cli_batch *b, char **args, int count)
{
    cli_input_list list;
    size_t failed, not_done;
    run r;
    int jobs, sig, status, stats_ok = 1;

    memset(&list, 0, sizeof list);
    /* each worker has one temporary open at a time; the main thread one
     * for --stats or --summary */
    if (!cli_signals_start(1024 + 2)) {
        cli_error(NULL, "out of memory");
        return EXIT_SOME_FAILED;
    }
    if (b->verbose > 0 && b->shard_why[0] != '\0')
        cli_note("%s", b->shard_why);
    if (cli_collect_inputs(b, args, count, &list))
        cli_select_shard(&list, b->shard_k, b->shard_n);
    else
        list.failed = -1;
    if (list.failed < 0 || !start_run(&r, b, &list, &jobs)) {
        cli_error(NULL, "out of memory while listing the inputs");
        if (list.failed >= 0)
            end_run(&r);
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
    not_done = r.count - r.tally[WRITTEN] - r.tally[SKIPPED] - r.tally[FAILED];
    if (b->stats_path != NULL)
        stats_ok = cli_write_stats(b->stats_path, list.items, r.rows, r.has_row, list.count);
    sig = cli_stop_signal();
    status = sig ? 128 + sig : failed > 0 || !stats_ok ? EXIT_SOME_FAILED : EXIT_ALL_OK;
    if (b->verbose >= 0 && (list.any_folder || r.show || b->verbose > 0 || b->shard_n > 1
                            || r.tally[SKIPPED] > 0 || sig))
        print_summary(&r, failed, not_done, sig, seconds_since(&r.start));
    if (b->verbose >= 0 && list.skipped_files > 0)
        print_not_images(&list);
    if (b->summary_path != NULL && !write_summary(&r, &list, failed, not_done, sig, status)
        && status == EXIT_ALL_OK)
        status = EXIT_SOME_FAILED;
    pthread_mutex_destroy(&r.lock);
    cli_memory_destroy(&r.memory);
    end_run(&r);
    cli_input_list_free(&list);
    return status;
}
