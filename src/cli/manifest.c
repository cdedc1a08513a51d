/* manifest.c - outputs remember how they were made.
 *
 * Beside each output NAME a hidden record ".NAME.imgrad" says what made it:
 *
 *     imgrad-record 1
 *     version 0.2.0
 *     input SIZE SECONDS.NANOSECONDS
 *     output SIZE SECONDS.NANOSECONDS
 *     options product=magnitude format=png op=central ...
 *
 * A later run skips the input only when every output's record matches: the
 * same input size and mtime, the same imgrad version, the same options
 * (the canonical string the job gives for that output), and the output
 * itself as the record left it.  One small file per output, written whole
 * (imgrad_file) after the output: shards writing into the same folder never
 * share a file, and a record is never half there.  It lives outside the
 * output, so .npy files stay plain numpy arrays.  Hidden names are skipped
 * by folder walks and are not outputs. */
#include "cli.h"
#include "batch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define RECORD_MAGIC "imgrad-record 1"

char *cli_record_path(const char *output)
{
    const char *slash = strrchr(output, '/');
    size_t dir = slash ? (size_t)(slash - output) + 1 : 0, size = strlen(output) + 10;
    char *path = malloc(size);

    if (path != NULL)
        snprintf(path, size, "%.*s.%s.imgrad", (int)dir, output, output + dir);
    return path;
}

/* "SIZE SECONDS.NANOSECONDS" of st, the part of a record that identifies a file. */
static void put_identity(char *buf, size_t cap, const struct stat *st)
{
    snprintf(buf, cap, "%lld %lld.%09ld", (long long)st->st_size, (long long)st->st_mtim.tv_sec,
             (long)st->st_mtim.tv_nsec);
}

int cli_record_write(const char *output, const struct stat *input, const char *options)
{
    char in_id[64], out_id[64];
    char *path = cli_record_path(output);
    struct stat st;
    imgrad_file f;
    imgrad_status st_w = IMGRAD_ENOMEM;

    if (path != NULL && stat(output, &st) == 0 && (st_w = cli_out_open(&f, path)) == IMGRAD_OK) {
        put_identity(in_id, sizeof in_id, input);
        put_identity(out_id, sizeof out_id, &st);
        fprintf(f.fp, RECORD_MAGIC "\nversion %s\ninput %s\noutput %s\noptions %s\n",
                imgrad_version(), in_id, out_id, options);
        st_w = cli_out_commit(&f);
    } else if (path != NULL && st_w == IMGRAD_ENOMEM) {
        st_w = IMGRAD_EIO; /* the output vanished: errno from stat */
    }
    if (st_w != IMGRAD_OK)
        cli_error(path ? path : output, "cannot write the record of the output: %s",
                  cli_reason(st_w));
    free(path);
    return st_w == IMGRAD_OK;
}

/* The value of the line "key value" in text, copied into out; 0 if absent. */
static int field(const char *text, const char *key, char *out, size_t cap)
{
    size_t k = strlen(key), n;
    const char *p = text, *end;

    for (; p != NULL && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, key, k) == 0 && p[k] == ' ') {
            p += k + 1;
            end = strchr(p, '\n');
            n = end ? (size_t)(end - p) : strlen(p);
            if (n >= cap)
                return 0;
            memcpy(out, p, n);
            out[n] = '\0';
            return 1;
        }
    return 0;
}

/* The first option of want that differs from had, as "NAME A -> B". */
static void first_difference(const char *had, const char *want, char *why, size_t cap)
{
    const char *w = want;

    while (*w) {
        size_t n = strcspn(w, " "), eq = strcspn(w, "=");
        const char *h = had;
        int found = 0;
        while (*h && !found) {
            size_t m = strcspn(h, " ");
            if (eq < n && strncmp(h, w, eq + 1) == 0) {
                found = 1;
                if (m != n || strncmp(h, w, n) != 0) {
                    snprintf(why, cap, "options changed: %.*s -> %.*s", (int)m, h, (int)n, w);
                    return;
                }
            }
            h += m;
            h += *h == ' ';
        }
        if (!found) {
            snprintf(why, cap, "options changed: %.*s is new", (int)n, w);
            return;
        }
        w += n;
        w += *w == ' ';
    }
    snprintf(why, cap, "options changed");
}

/* Reads the record file (small) into buf; 0 if missing or unreadable. */
static int read_record(const char *path, char *buf, size_t cap)
{
    FILE *fp = fopen(path, "r");
    size_t n;

    if (fp == NULL)
        return 0;
    n = fread(buf, 1, cap - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    return n > 0;
}

enum cli_redo cli_record_check(const char *output, const struct stat *input,
                               const char *options, char *why, size_t cap)
{
    static const size_t size = 16384;
    char *text = malloc(size), *path = cli_record_path(output), *value = malloc(size);
    char id[64];
    struct stat st;
    enum cli_redo r = CLI_REDO_NONE;

    if (value != NULL)
        value[0] = '\0';
    if (text == NULL || path == NULL || value == NULL) {
        snprintf(why, cap, "out of memory");
        r = CLI_REDO_RECORD;
    } else if (stat(output, &st) != 0) {
        snprintf(why, cap, "%s is missing", output);
        r = CLI_REDO_NEW;
    } else if (st.st_dev == input->st_dev && st.st_ino == input->st_ino) {
        snprintf(why, cap, "%s is the input", output); /* the job refuses it */
        r = CLI_REDO_RECORD;
    } else if (!read_record(path, text, size) || strncmp(text, RECORD_MAGIC "\n", 16) != 0) {
        snprintf(why, cap, "no record of how %s was made", output);
        r = CLI_REDO_RECORD;
    } else if (!field(text, "version", value, size) || strcmp(value, imgrad_version()) != 0) {
        snprintf(why, cap, "%s was made by imgrad %s", output,
                 field(text, "version", value, size) ? value : "?");
        r = CLI_REDO_VERSION;
    } else if (put_identity(id, sizeof id, input),
               !field(text, "input", value, size) || strcmp(value, id) != 0) {
        snprintf(why, cap, "the input changed (size and mtime %s, were %s)", id, value);
        r = CLI_REDO_INPUT;
    } else if (put_identity(id, sizeof id, &st),
               !field(text, "output", value, size) || strcmp(value, id) != 0) {
        snprintf(why, cap, "%s changed since imgrad wrote it", output);
        r = CLI_REDO_RECORD;
    } else if (!field(text, "options", value, size) || strcmp(value, options) != 0) {
        first_difference(value, options, why, cap);
        r = CLI_REDO_OPTIONS;
    }
    free(text);
    free(path);
    free(value);
    return r;
}
