/* cli_stats.c - the --stats file: one row per image, CSV or JSON lines. */
#include "cli.h"
#include "batch.h"

#include <errno.h>
#include <stdlib.h>
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
static void put_json_text(FILE *fp, const char *s)
{
    fputc('"', fp);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(fp, "\\%c", c);
        else if (c < 0x20)
            fprintf(fp, "\\u%04x", c);
        else
            fputc(c, fp);
    }
    fputc('"', fp);
}

static void put_csv_header(FILE *fp)
{
    int b;

    fputs("path,width,height,mean,median,p95,max,edge_density", fp);
    for (b = 0; b < IMGRAD_STATS_BINS; b++)
        fprintf(fp, ",dir_%d", b * 45);
    fputc('\n', fp);
}

static void put_row(FILE *fp, int json, const char *path, const imgrad_stats *s)
{
    int b;

    if (json) {
        fputs("{\"path\":", fp);
        put_json_text(fp, path);
        fprintf(fp, ",\"width\":%d,\"height\":%d,\"mean\":%.9g,\"median\":%.9g,"
                    "\"p95\":%.9g,\"max\":%.9g,\"edge_density\":%.9g,\"orientation\":[",
                s->width, s->height, s->mean, s->median, s->p95, s->max, s->edge_density);
        for (b = 0; b < IMGRAD_STATS_BINS; b++)
            fprintf(fp, "%s%.9g", b ? "," : "", s->orientation[b]);
        fputs("]}\n", fp);
        return;
    }
    put_csv_text(fp, path);
    fprintf(fp, ",%d,%d,%.9g,%.9g,%.9g,%.9g,%.9g", s->width, s->height, s->mean, s->median,
            s->p95, s->max, s->edge_density);
    for (b = 0; b < IMGRAD_STATS_BINS; b++)
        fprintf(fp, ",%.9g", s->orientation[b]);
    fputc('\n', fp);
}

/* The run's --summary as one JSON object:
 *   {"imgrad": VERSION, "status": EXIT, "shard": "K/N", "inputs": N,
 *    "written": N, "skipped": N, "failed": N, "not_done": N,
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
                  "\"written\": %zu, \"skipped\": %zu, \"failed\": %zu, \"not_done\": %zu,\n"
                  " \"written_because\": {",
            imgrad_version(), s->status, s->shard, s->inputs, s->written, s->skipped, s->failed,
            s->not_done);
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
