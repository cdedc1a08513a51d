/* cli_walk.c - the inputs of a batch: files as given, folders walked for
 * image files, lists of paths; then sorted, checked for output clashes and
 * cut into shards. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "cli.h"
#include "batch.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* File name extensions picked up in folders (compared ignoring case). */
static const char *const image_extensions[] = {
    "png", "jpg", "jpeg", "bmp", "tga", "gif", "psd", "hdr", "pnm", "pgm", "ppm", "npy",
    "tif", "tiff", "webp", "heic", "heif", "avif",
};

/* The folders a walk has entered, by device and inode (open addressing):
 * each is walked once, however many links lead to it. */
typedef struct folder_set {
    struct folder_id { dev_t dev; ino_t ino; int used; } *slot;
    size_t cap, count;
} folder_set;

/* What a walk needs besides the folder at hand. */
typedef struct walk {
    const cli_batch *b;
    cli_input_list *list;
    struct stat outdir; /* the output folder is never walked */
    int have_outdir;
    folder_set seen;
    char *root_real;    /* the given folder, resolved: links out of it are not followed */
    /* linked folders, walked after the real ones (in the order met), so a
     * folder reached both ways keeps its real path in the outputs' names */
    char **later_path, **later_rel;
    size_t later_count, later_cap, later_next;
    size_t subfolders_left; /* folders not walked (--no-recursive) */
} walk;

static size_t folder_hash(dev_t dev, ino_t ino, size_t cap)
{
    unsigned long long h = (unsigned long long)ino * 0x9E3779B97F4A7C15ull ^ (unsigned long long)dev;
    return (size_t)(h ^ (h >> 29)) & (cap - 1);
}

/* Adds (dev, ino): 1 if new, 0 if already there, -1 when out of memory. */
static int folder_set_add(folder_set *s, dev_t dev, ino_t ino)
{
    size_t i;

    if (2 * (s->count + 1) > s->cap) { /* grow to keep it at most half full */
        folder_set bigger = { NULL, s->cap ? 2 * s->cap : 64, 0 };
        if ((bigger.slot = calloc(bigger.cap, sizeof *bigger.slot)) == NULL)
            return -1;
        for (i = 0; i < s->cap; i++)
            if (s->slot[i].used)
                folder_set_add(&bigger, s->slot[i].dev, s->slot[i].ino);
        free(s->slot);
        *s = bigger;
    }
    for (i = folder_hash(dev, ino, s->cap); s->slot[i].used; i = (i + 1) & (s->cap - 1))
        if (s->slot[i].dev == dev && s->slot[i].ino == ino)
            return 0;
    s->slot[i].dev = dev;
    s->slot[i].ino = ino;
    s->slot[i].used = 1;
    s->count++;
    return 1;
}

static char *join(const char *a, const char *sep, const char *b)
{
    size_t size = strlen(a) + strlen(sep) + strlen(b) + 1;
    char *s = malloc(size);
    if (s != NULL)
        snprintf(s, size, "%s%s%s", a, sep, b);
    return s;
}

/* A copy of path without its last extension ("a/b.c.png" -> "a/b.c"). */
static char *strip_extension(const char *path)
{
    const char *base = strrchr(path, '/'), *dot;
    size_t n;
    char *s;

    base = base ? base + 1 : path;
    dot = strrchr(base, '.');
    n = dot && dot != base ? (size_t)(dot - path) : strlen(path);
    if ((s = malloc(n + 1)) != NULL) {
        memcpy(s, path, n);
        s[n] = '\0';
    }
    return s;
}

static int has_image_extension(const char *name)
{
    const char *dot = strrchr(name, '.');
    size_t i;

    for (i = 0; dot && i < sizeof image_extensions / sizeof image_extensions[0]; i++)
        if (strcasecmp(dot + 1, image_extensions[i]) == 0)
            return 1;
    return 0;
}

/* Takes ownership of path and key (both freed on failure). */
static int add(cli_input_list *list, char *path, char *key)
{
    if (path == NULL || key == NULL)
        goto fail;
    if (list->count == list->cap) {
        size_t cap = list->cap ? 2 * list->cap : 64;
        cli_input *bigger = realloc(list->items, cap * sizeof *bigger);
        if (bigger == NULL)
            goto fail;
        list->items = bigger;
        list->cap = cap;
    }
    list->items[list->count].path = path;
    list->items[list->count].key = key;
    list->items[list->count].clash = NULL;
    list->count++;
    return 1;
fail:
    free(path);
    free(key);
    return 0;
}

static int walk_folder(walk *w, const char *dir, const char *rel);
static int walk_later(walk *w, char **path, const char *rel);

void cli_list_failure(cli_input_list *list, const char *path, const char *fmt, ...)
{
    char reason[512];
    size_t n = list->fail_count;
    char **p, **r;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    cli_error(path, "%s", reason);
    list->failed++;
    p = realloc(list->fail_path, (n + 1) * sizeof *p);
    if (p != NULL)
        list->fail_path = p;
    r = realloc(list->fail_reason, (n + 1) * sizeof *r);
    if (r != NULL)
        list->fail_reason = r;
    if (p == NULL || r == NULL)
        return; /* the summary then lacks this one; the count has it */
    p[n] = join("", "", path);
    r[n] = join("", "", reason);
    if (p[n] == NULL || r[n] == NULL) {
        free(p[n]);
        free(r[n]);
        return;
    }
    list->fail_count++;
}

/* Nonzero when the folder a link at path leads to lies inside the walk's
 * root (or is it). */
static int inside_root(const walk *w, const char *path)
{
    char *real = realpath(path, NULL);
    size_t n = w->root_real ? strlen(w->root_real) : 0;
    int in = real != NULL && n > 0 && strncmp(real, w->root_real, n) == 0
             && (real[n] == '\0' || real[n] == '/' || w->root_real[n - 1] == '/');

    free(real);
    return in;
}

/* Notes a file that is not an image by its name: counted by extension for
 * the summary, named under -v. */
static void skip_file(walk *w, const char *path, const char *name)
{
    cli_input_list *list = w->list;
    const char *dot = strrchr(name, '.');
    char ext[sizeof list->skip_ext[0].ext];
    size_t i, n;

    /* ".txt" in lower case; a name without one, or with a long one, as "other" */
    n = dot && dot != name && strlen(dot) < sizeof ext ? strlen(dot) : 0;
    for (i = 0; i < n; i++)
        ext[i] = (char)tolower((unsigned char)dot[i]);
    snprintf(ext + n, sizeof ext - n, "%s", n ? "" : "other");
    list->skipped_files++;
    if (w->b->verbose > 0)
        cli_note("%s: skipped: not an image by its name", path);
    for (i = 0; i < list->skip_ext_count && strcmp(list->skip_ext[i].ext, ext) != 0; i++)
        ;
    if (i == list->skip_ext_count) {
        if (i == sizeof list->skip_ext / sizeof list->skip_ext[0])
            return; /* the summary's line names the first extensions met */
        memcpy(list->skip_ext[i].ext, ext, sizeof ext);
        list->skip_ext[i].count = 0;
        list->skip_ext_count++;
    }
    list->skip_ext[i].count++;
}

/* One entry of a folder: a subfolder to walk or an image file to add.
 * Hidden names (".x", which includes imgrad's temporaries and records)
 * are skipped; so is a file without an image name, and only a file with
 * one can fail the walk (a dangling link named notes.txt is just a file
 * that is not an image). */
static int walk_entry(walk *w, const char *dir, const char *rel, const char *name)
{
    char *path, *sub;
    struct stat st;
    int ok = 1, link, found;

    if (name[0] == '.')
        return 1;
    if ((path = join(dir, "/", name)) == NULL)
        return 0;
    link = lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
    /* a link to a folder is walked like one, a link to a file read like one */
    found = link ? stat(path, &st) == 0 : lstat(path, &st) == 0;
    if (!found && has_image_extension(name)) {
        cli_list_failure(w->list, path, "%s", strerror(errno));
    } else if (found && S_ISDIR(st.st_mode) && w->b->recursive) {
        if (link && !w->b->follow_links && !inside_root(w, path)) {
            if (w->b->verbose > 0)
                cli_note("%s: a link out of the folder given: not followed (--follow-links)",
                         path);
        } else {
            sub = *rel ? join(rel, "/", name) : join("", "", name);
            ok = sub != NULL && (link ? walk_later(w, &path, sub) : walk_folder(w, path, sub));
            free(sub);
        }
    } else if (found && S_ISDIR(st.st_mode)) {
        w->subfolders_left++; /* --no-recursive */
    } else if (!has_image_extension(name)) {
        skip_file(w, path, name);
    } else if (S_ISREG(st.st_mode)) {
        sub = *rel ? join(rel, "/", name) : join("", "", name);
        ok = sub != NULL && add(w->list, path, strip_extension(sub));
        free(sub);
        return ok;
    }
    free(path);
    return ok;
}

/* Queues the linked folder *path (taken: *path becomes NULL) as rel. */
static int walk_later(walk *w, char **path, const char *rel)
{
    char *copy = join("", "", rel);

    if (copy == NULL)
        return 0;
    if (w->later_count == w->later_cap) {
        size_t cap = w->later_cap ? 2 * w->later_cap : 16;
        char **p = realloc(w->later_path, cap * sizeof *p), **r;
        if (p != NULL)
            w->later_path = p;
        if (p == NULL || (r = realloc(w->later_rel, cap * sizeof *r)) == NULL) {
            free(copy);
            return 0;
        }
        w->later_rel = r;
        w->later_cap = cap;
    }
    w->later_path[w->later_count] = *path;
    w->later_rel[w->later_count++] = copy;
    *path = NULL;
    return 1;
}

/* Walks the queued linked folders (which may queue more), then empties
 * the queue. */
static int walk_linked(walk *w)
{
    int ok = 1;

    for (; w->later_next < w->later_count; w->later_next++) {
        size_t i = w->later_next;
        ok = ok && walk_folder(w, w->later_path[i], w->later_rel[i]);
        free(w->later_path[i]);
        free(w->later_rel[i]);
    }
    free(w->later_path);
    free(w->later_rel);
    w->later_path = w->later_rel = NULL;
    w->later_count = w->later_cap = w->later_next = 0;
    return ok;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in d, sorted (so the first path to a folder reached by
 * several is the same on every run); NULL when out of memory. */
static char **read_names(DIR *d, size_t *count)
{
    char **names = NULL, **bigger;
    size_t n = 0, cap = 0;
    struct dirent *e;

    while ((e = readdir(d)) != NULL) {
        if (n + 1 >= cap) {
            cap = cap ? 2 * cap : 32;
            if ((bigger = realloc(names, cap * sizeof *names)) == NULL)
                break;
            names = bigger;
        }
        if ((names[n] = join("", "", e->d_name)) == NULL)
            break;
        n++;
    }
    if (e != NULL) { /* stopped early: out of memory */
        while (n > 0)
            free(names[--n]);
        free(names);
        return NULL;
    }
    if (n > 1)
        qsort(names, n, sizeof *names, by_name);
    *count = n;
    return names ? names : calloc(1, sizeof *names);
}

/* Adds the image files in dir (rel: its path below the walk's root), once
 * per folder whatever the links. */
static int walk_folder(walk *w, const char *dir, const char *rel)
{
    struct stat st;
    char **names;
    size_t i, n = 0;
    DIR *d;
    int ok = 1, fresh;

    if (cli_stop_signal())
        return 1; /* SIGINT and co.: the batch stops without starting */
    if (stat(dir, &st) != 0 || (d = opendir(dir)) == NULL) {
        cli_list_failure(w->list, dir, "cannot read the folder: %s", strerror(errno));
        return 1;
    }
    if (w->have_outdir && st.st_dev == w->outdir.st_dev && st.st_ino == w->outdir.st_ino) {
        closedir(d); /* never read our own outputs back as inputs */
        return 1;
    }
    if ((fresh = folder_set_add(&w->seen, st.st_dev, st.st_ino)) <= 0) {
        closedir(d); /* walked already, by another path (or out of memory) */
        return fresh == 0;
    }
    names = read_names(d, &n);
    closedir(d);
    if (names == NULL)
        return 0;
    for (i = 0; ok && i < n; i++)
        ok = walk_entry(w, dir, rel, names[i]);
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return ok;
}

/* One input as given: a folder is walked, anything else is taken as a file
 * whatever its name (a missing one fails later, with the reason). */
static int add_argument(walk *w, const char *arg)
{
    struct stat st;
    char *root, *end;
    size_t before;
    int ok, failed;

    if (stat(arg, &st) != 0 || !S_ISDIR(st.st_mode)) {
        const char *base = strrchr(arg, '/');
        return add(w->list, join("", "", arg), strip_extension(base ? base + 1 : arg));
    }
    w->list->any_folder = 1;
    if (w->have_outdir && st.st_dev == w->outdir.st_dev && st.st_ino == w->outdir.st_ino) {
        cli_list_failure(w->list, arg, "is the output folder; choose another with -o");
        return 1;
    }
    if ((root = join("", "", arg)) == NULL)
        return 0;
    for (end = root + strlen(root); end > root + 1 && end[-1] == '/'; )
        *--end = '\0'; /* "photos/" -> "photos", so paths read "photos/x.jpg" */
    w->root_real = realpath(root, NULL);
    before = w->list->count;
    failed = w->list->failed;
    w->subfolders_left = 0;
    ok = walk_folder(w, root, "");
    ok = walk_linked(w) && ok;
    /* a folder given that holds no image is a mistake (a wrong path, a
     * wrong extension), not a job done; a shard of a tree with images
     * that happens to get none is fine: shards are cut later */
    if (ok && w->list->count == before && w->list->failed == failed && !cli_stop_signal())
        cli_list_failure(w->list, arg, "no image file in this folder%s",
                         w->subfolders_left ? " (its subfolders are not walked: --no-recursive)"
                                            : "");
    free(w->root_real);
    w->root_real = NULL;
    free(w->seen.slot);
    memset(&w->seen, 0, sizeof w->seen); /* each folder given is walked whole */
    free(root);
    return ok;
}

/* Each line of the list file is an input; empty lines are skipped.  A list
 * that cannot be read (a folder, a read error) fails, naming it. */
static int add_list(walk *w, const char *name)
{
    FILE *fp = strcmp(name, "-") == 0 ? stdin : fopen(name, "r");
    const char *shown = fp == stdin ? "standard input" : name;
    char *line = NULL;
    size_t cap = 0;
    struct stat st;
    ssize_t n;
    int ok = 1;

    w->list->any_folder = 1;
    if (fp == NULL || (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode))) {
        cli_list_failure(w->list, shown, "--files-from: cannot read the list: %s",
                         fp == NULL ? strerror(errno) : "it is a folder, not a file of paths");
        if (fp != NULL && fp != stdin)
            fclose(fp);
        return 1;
    }
    errno = 0;
    while (ok && (n = getline(&line, &cap, fp)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n > 0)
            ok = add_argument(w, line);
        errno = 0;
    }
    if (ok && ferror(fp)) /* getline's -1 is an error here, not the end */
        cli_list_failure(w->list, shown, "--files-from: cannot read the list: %s",
                         strerror(errno ? errno : EIO));
    free(line);
    if (fp != stdin)
        fclose(fp);
    return ok;
}

int cli_collect_inputs(const cli_batch *b, char **args, int count, cli_input_list *list)
{
    walk w;
    int i, ok = 1;

    memset(&w, 0, sizeof w);
    w.b = b;
    w.list = list;
    w.have_outdir = stat(b->outdir, &w.outdir) == 0;
    for (i = 0; ok && i < count; i++)
        ok = add_argument(&w, args[i]);
    if (ok && b->files_from != NULL)
        ok = add_list(&w, b->files_from);
    return ok;
}

static void free_input(cli_input *in)
{
    free(in->path);
    free(in->key);
    free(in->clash);
}

static int by_path(const void *a, const void *b)
{
    return strcmp(((const cli_input *)a)->path, ((const cli_input *)b)->path);
}

/* By key, then by path, so the first of a clash is the first by path. */
static int by_key(const void *a, const void *b)
{
    const cli_input *x = *(const cli_input *const *)a, *y = *(const cli_input *const *)b;
    int c = strcmp(x->key, y->key);
    return c ? c : strcmp(x->path, y->path);
}

/* Marks each input whose key an earlier one (by path) already has. */
static void mark_clashes(cli_input_list *list)
{
    cli_input **order = malloc(list->count * sizeof *order);
    size_t i, first;

    if (order == NULL)
        return; /* clashes then go unreported; the outputs stay whole */
    for (i = 0; i < list->count; i++)
        order[i] = &list->items[i];
    qsort(order, list->count, sizeof *order, by_key);
    for (i = 1, first = 0; i < list->count; i++) {
        if (strcmp(order[i]->key, order[first]->key) != 0)
            first = i;
        else /* a copy: the first may fall in another shard and be freed */
            order[i]->clash = join("", "", order[first]->path);
    }
    free(order);
}

void cli_select_shard(cli_input_list *list, int k, int n)
{
    size_t i, kept = 0;

    if (list->count > 1)
        qsort(list->items, list->count, sizeof *list->items, by_path);
    for (i = 0; i < list->count; i++) { /* drop repeats of a path */
        if (kept > 0 && strcmp(list->items[i].path, list->items[kept - 1].path) == 0) {
            free_input(&list->items[i]);
        } else {
            list->items[kept++] = list->items[i];
        }
    }
    list->count = kept;
    mark_clashes(list);
    for (i = 0, kept = 0; i < list->count; i++) {
        if (i % (size_t)n == (size_t)(k - 1)) {
            list->items[kept++] = list->items[i];
        } else {
            free_input(&list->items[i]);
        }
    }
    list->count = kept;
}

void cli_input_list_free(cli_input_list *list)
{
    size_t i;

    for (i = 0; i < list->count; i++)
        free_input(&list->items[i]);
    for (i = 0; i < list->fail_count; i++) {
        free(list->fail_path[i]);
        free(list->fail_reason[i]);
    }
    free(list->fail_path);
    free(list->fail_reason);
    free(list->items);
    memset(list, 0, sizeof *list);
}
