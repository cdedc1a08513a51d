/* cli_walk.c - the inputs of a batch: files as given, folders walked for
 * image files, lists of paths; then sorted, checked for output clashes and
 * cut into shards. */
#include "cli.h"
#include "batch.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* File name extensions picked up in folders (compared ignoring case). */
static const char *const image_extensions[] = {
    "png", "jpg", "jpeg", "bmp", "tga", "gif", "psd", "hdr", "pnm", "pgm", "ppm", "npy",
    "tif", "tiff", "webp", "heic", "heif", "avif",
};

/* A folder on the way down, to notice a symbolic link back to an ancestor. */
typedef struct ancestor {
    dev_t dev;
    ino_t ino;
    const struct ancestor *up;
} ancestor;

/* What a walk needs besides the folder at hand. */
typedef struct walk {
    const cli_batch *b;
    cli_input_list *list;
    struct stat outdir; /* the output folder is never walked */
    int have_outdir;
} walk;

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

static int walk_folder(walk *w, const char *dir, const char *rel, const ancestor *up);

/* One entry of a folder: a subfolder to walk or an image file to add.
 * Hidden names (".x", which includes imgrad's temporaries) are skipped. */
static int walk_entry(walk *w, const char *dir, const char *rel, const char *name,
                      const ancestor *up)
{
    char *path, *sub;
    struct stat st;
    int ok = 1;

    if (name[0] == '.')
        return 1;
    if ((path = join(dir, "/", name)) == NULL)
        return 0;
    /* stat follows symbolic links: a link to a folder is walked like one */
    if (stat(path, &st) != 0) {
        cli_error(path, "%s", strerror(errno));
        w->list->failed++;
    } else if (S_ISDIR(st.st_mode) && w->b->recursive) {
        sub = *rel ? join(rel, "/", name) : join("", "", name);
        ok = sub != NULL && walk_folder(w, path, sub, up);
        free(sub);
    } else if (S_ISREG(st.st_mode) && has_image_extension(name)) {
        sub = *rel ? join(rel, "/", name) : join("", "", name);
        ok = sub != NULL && add(w->list, path, strip_extension(sub));
        free(sub);
        return ok;
    }
    free(path);
    return ok;
}

/* Adds the image files in dir (rel: its path below the walk's root). */
static int walk_folder(walk *w, const char *dir, const char *rel, const ancestor *up)
{
    ancestor here;
    const ancestor *a;
    struct dirent *e;
    struct stat st;
    DIR *d;
    int ok = 1;

    if (stat(dir, &st) != 0 || (d = opendir(dir)) == NULL) {
        cli_error(dir, "cannot read the folder: %s", strerror(errno));
        w->list->failed++;
        return 1;
    }
    for (a = up; a != NULL; a = a->up)
        if (a->dev == st.st_dev && a->ino == st.st_ino) {
            closedir(d); /* a link back up the tree: walked already */
            return 1;
        }
    if (w->have_outdir && st.st_dev == w->outdir.st_dev && st.st_ino == w->outdir.st_ino) {
        closedir(d); /* never read our own outputs back as inputs */
        return 1;
    }
    here.dev = st.st_dev;
    here.ino = st.st_ino;
    here.up = up;
    while (ok && (e = readdir(d)) != NULL)
        ok = walk_entry(w, dir, rel, e->d_name, &here);
    closedir(d);
    return ok;
}

/* One input as given: a folder is walked, anything else is taken as a file
 * whatever its name (a missing one fails later, with the reason). */
static int add_argument(walk *w, const char *arg)
{
    struct stat st;
    char *root, *end;
    int ok;

    if (stat(arg, &st) != 0 || !S_ISDIR(st.st_mode)) {
        const char *base = strrchr(arg, '/');
        return add(w->list, join("", "", arg), strip_extension(base ? base + 1 : arg));
    }
    w->list->any_folder = 1;
    if (w->have_outdir && st.st_dev == w->outdir.st_dev && st.st_ino == w->outdir.st_ino) {
        cli_error(arg, "is the output folder; choose another with -o");
        w->list->failed++;
        return 1;
    }
    if ((root = join("", "", arg)) == NULL)
        return 0;
    for (end = root + strlen(root); end > root + 1 && end[-1] == '/'; )
        *--end = '\0'; /* "photos/" -> "photos", so paths read "photos/x.jpg" */
    ok = walk_folder(w, root, "", NULL);
    free(root);
    return ok;
}

/* Each line of the list file is an input; empty lines are skipped. */
static int add_list(walk *w, const char *name)
{
    FILE *fp = strcmp(name, "-") == 0 ? stdin : fopen(name, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int ok = 1;

    if (fp == NULL) {
        cli_error(name, "cannot read the list: %s", strerror(errno));
        w->list->failed++;
        return 1;
    }
    w->list->any_folder = 1;
    while (ok && (n = getline(&line, &cap, fp)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n > 0)
            ok = add_argument(w, line);
    }
    free(line);
    if (fp != stdin)
        fclose(fp);
    return ok;
}

int cli_collect_inputs(const cli_batch *b, char **args, int count, cli_input_list *list)
{
    walk w;
    int i, ok = 1;

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
    free(list->items);
    memset(list, 0, sizeof *list);
}
