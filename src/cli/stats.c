/* stats.c - the --stats file: one row per image, CSV or JSON lines. */
#include "cli.h"
#include "batch.h"

#include <errno.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n > m && strcasecmp(s + n - m, suffix) == 0;
}

int cli_stats_format_ok(const char *path)
{
    return ends_with(path, ".csv") || ends_with(path, ".jsonl");
}

/* A CSV field: quoted (with "" for ") only when it must be. */
static void put_csv_text(FILE *fp, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, fp);
        return;
    }
    fputc('"', fp);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', fp);
        fputc(*s, fp);
    }
    fputc('"', fp);
}

/* A JSON string; bytes >= 0x80 pass through (UTF-8 paths stay readable). */
/* The length of the valid UTF-8 sequence at s, or 0 if it is not one
 * (overlong forms, surrogates and values past U+10FFFF are not). */
static int utf8_length(const unsigned char *s)
{
    int n, i;
    unsigned long cp;

    if (s[0] < 0x80)
        return 1;
    n = s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 && s[0] < 0xE0 ? 2 : 0;
    if (n == 0 || (n == 3 && s[0] >= 0xF0))
        return 0;
    cp = s[0] & (0x7F >> n);
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return n;
}

/* s as a JSON string: quotes, backslashes and control bytes escaped, and a
 * byte that is not UTF-8 (file names are bytes) as U+FFFD, so that every
 * line parses. */
static void put_json_text(FILE *fp, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    fputc('"', fp);
    while (*p) {
        int n = utf8_length(p);
        if (n == 0) {
            fputs("\\ufffd", fp);
            p++;
        } else if (*p == '"' || *p == '\\') {
            fprintf(fp, "\\%c", *p++);
        } else if (*p < 0x20 || *p == 0x7F) {
            fprintf(fp, "\\u%04x", *p++);
        } else {
            fwrite(p, 1, (size_t)n, fp);
            p += n;
        }
    }
    fputc('"', fp);
}

/* A number as JSON (null when not finite) or CSV (empty when not finite). */
static void put_number(FILE *fp, int json, double v)
{
    if (isfinite(v))
        fprintf(fp, "%.9g", v);
    else if (json)
        fputs("null", fp);
}

static void put_csv_header(FILE *fp)
{
    int b;

    fputs("path,width,height,mean,median,p95,max,edge_density", fp);
    for (b = 0; b < IMGRAD_STATS_BINS; b++)
        fprintf(fp, ",dir_%d", b * 45);
    fputs(",nonfinite\n", fp);
}

/* One row: the figures in a fixed order, as a JSON object or CSV fields. */
static void put_row(FILE *fp, int json, const char *path, const imgrad_stats *s)
{
    static const char *const names[] = { "mean", "median", "p95", "max", "edge_density" };
    const double figures[] = { s->mean, s->median, s->p95, s->max, s->edge_density };
    int k;

    if (json)
        fputs("{\"path\":", fp);
    (json ? put_json_text : put_csv_text)(fp, path);
    fprintf(fp, json ? ",\"width\":%d,\"height\":%d" : ",%d,%d", s->width, s->height);
    for (k = 0; k < 5; k++) {
        fprintf(fp, json ? ",\"%s\":" : ",", names[k]);
        put_number(fp, json, figures[k]);
    }
    fputs(json ? ",\"orientation\":[" : ",", fp);
    for (k = 0; k < IMGRAD_STATS_BINS; k++) {
        fputs(k == 0 ? "" : ",", fp);
        put_number(fp, json, s->orientation[k]);
    }
    fprintf(fp, json ? "],\"nonfinite\":%zu}\n" : ",%zu\n", s->nonfinite);
}

/* The run's --summary as one JSON object:
 *   {"imgrad": VERSION, "status": EXIT, "shard": "K/N", "inputs": N,
 *    "written": N, "skipped": N, "failed": N, "not_done": N, "not_images": N,
 *    "written_because": {"new": N, "options changed": N, ...},
 *    "interrupted": "SIGTERM" or null, "seconds": S,
 *    "failures": [{"path": P, "reason": R}, ...]} */
int cli_write_summary(const char *path, const cli_summary *s)
{
    static const char *const because[] = { "", "new", "no record", "other version",
                                           "input changed", "options changed", "overwrite" };
    imgrad_file f;
    imgrad_status st;
    size_t i;

    if ((st = cli_out_open(&f, path)) != IMGRAD_OK) {
        cli_error(path, "cannot write the summary: %s", cli_reason(st));
        return 0;
    }
    fprintf(f.fp, "{\"imgrad\": \"%s\", \"status\": %d, \"shard\": \"%s\", \"inputs\": %zu, "
                  "\"written\": %zu, \"skipped\": %zu, \"failed\": %zu, \"not_done\": %zu, "
                  "\"not_images\": %zu,\n"
                  " \"written_because\": {",
            imgrad_version(), s->status, s->shard, s->inputs, s->written, s->skipped, s->failed,
            s->not_done, s->not_images);
    for (i = 1; i < sizeof because / sizeof because[0]; i++)
        fprintf(f.fp, "%s\"%s\": %zu", i > 1 ? ", " : "", because[i], s->redone[i]);
    fputs("},\n \"interrupted\": ", f.fp);
    if (s->interrupted != NULL)
        put_json_text(f.fp, s->interrupted);
    else
        fputs("null", f.fp);
    fprintf(f.fp, ", \"seconds\": %.3f,\n \"failures\": [", s->seconds);
    for (i = 0; i < s->fail_count; i++) {
        fputs(i ? ",\n  {\"path\": " : "\n  {\"path\": ", f.fp);
        put_json_text(f.fp, s->fail_path[i]);
        fputs(", \"reason\": ", f.fp);
        put_json_text(f.fp, s->fail_reason[i] ? s->fail_reason[i] : "");
        fputc('}', f.fp);
    }
    fputs(s->fail_count ? "\n ]}\n" : "]}\n", f.fp);
    if ((st = cli_out_commit(&f)) != IMGRAD_OK) {
        cli_error(path, "cannot write the summary: %s", cli_reason(st));
        return 0;
    }
    return 1;
}

/* The table is written whole or not at all (imgrad_file), like every
 * output: a reader never sees half of it. */
int cli_write_stats(const char *path, const cli_input *items, const imgrad_stats *rows,
                    const unsigned char *has, size_t count)
{
    const int json = ends_with(path, ".jsonl");
    imgrad_file f;
    imgrad_status st;
    size_t i;

    if ((st = cli_out_open(&f, path)) != IMGRAD_OK) {
        cli_error(path, "cannot write the statistics: %s", cli_reason(st));
        return 0;
    }
    if (!json)
        put_csv_header(f.fp);
    for (i = 0; i < count; i++)
        if (has[i])
            put_row(f.fp, json, items[i].path, &rows[i]);
    if ((st = cli_out_commit(&f)) != IMGRAD_OK) {
        cli_error(path, "cannot write the statistics: %s", cli_reason(st));
        return 0;
    }
    return 1;
}
