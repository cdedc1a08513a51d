/* test_runs.c - the pure parts of issue 11: cgroup v2 cpu.max quotas, the
 * process's cgroup path, and --shard's K/N from job array variables. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/cli/cli.h"
#include "../../src/cli/batch.h"

static char dir[] = "/tmp/imgrad-test-runs.XXXXXX";

static void put(const char *name, const char *text)
{
    char path[256];
    FILE *fp;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static int quota_of(const char *text)
{
    char path[256];
    int q = -1;

    put("cpu.max", text);
    snprintf(path, sizeof path, "%s/cpu.max", dir);
    return cli_cgroup_quota(path, &q) ? q : 0;
}

static void cgroup_quota(void **state)
{
    (void)state;
    assert_int_equal(quota_of("max 100000\n"), 0);
    assert_int_equal(quota_of("200000 100000\n"), 2);
    assert_int_equal(quota_of("150000 100000\n"), 2); /* rounded up */
    assert_int_equal(quota_of("50000 100000\n"), 1);
    assert_int_equal(quota_of("800000 100000\n"), 8);
    assert_int_equal(quota_of("garbage\n"), 0);
    assert_int_equal(quota_of("0 100000\n"), 0);
}

static void own_cgroup(void **state)
{
    char path[256], out[512];

    (void)state;
    snprintf(path, sizeof path, "%s/cgroup", dir);
    put("cgroup", "4:memory:/x\n0::/slurm/uid_0/job_7/step_0\n");
    assert_true(cli_own_cgroup_cpu_max(path, "/sys/fs/cgroup", out, sizeof out));
    assert_string_equal(out, "/sys/fs/cgroup/slurm/uid_0/job_7/step_0/cpu.max");
    put("cgroup", "0::/\n");
    assert_true(cli_own_cgroup_cpu_max(path, "/sys/fs/cgroup", out, sizeof out));
    assert_string_equal(out, "/sys/fs/cgroup/cpu.max");
    put("cgroup", "1:cpu:/a\n");
    assert_false(cli_own_cgroup_cpu_max(path, "/sys/fs/cgroup", out, sizeof out));
}

static const char *const array_vars[] = {
    "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_MAX",
    "SLURM_ARRAY_TASK_STEP", "SLURM_ARRAY_TASK_COUNT", "SGE_TASK_ID", "SGE_TASK_FIRST",
    "SGE_TASK_LAST", "SGE_TASK_STEPSIZE", "AWS_BATCH_JOB_ARRAY_INDEX",
    "AWS_BATCH_JOB_ARRAY_SIZE", "PBS_ARRAY_INDEX", "LSB_JOBINDEX", "JOB_COMPLETION_INDEX",
};

static void clear_env(void)
{
    size_t i;
    for (i = 0; i < sizeof array_vars / sizeof array_vars[0]; i++)
        unsetenv(array_vars[i]);
}

/* K of the shard for arg, or 0 when refused; *n set. */
static int shard(const char *arg, int *n)
{
    char why[160];
    int k = 0;
    return cli_parse_shard(arg, &k, n, why, sizeof why) ? k : 0;
}

static void shard_auto(void **state)
{
    int n = 0;

    (void)state;
    clear_env();
    assert_int_equal(shard("2/5", &n), 2);
    assert_int_equal(n, 5);
    assert_int_equal(shard("6/5", &n), 0);
    assert_int_equal(shard("auto", &n), 1); /* no array: every input */
    assert_int_equal(n, 1);
    /* Slurm --array=1-7:2: tasks 1 3 5 7 are shards 1..4 of 4 */
    setenv("SLURM_ARRAY_TASK_ID", "5", 1);
    setenv("SLURM_ARRAY_TASK_MIN", "1", 1);
    setenv("SLURM_ARRAY_TASK_MAX", "7", 1);
    setenv("SLURM_ARRAY_TASK_STEP", "2", 1);
    setenv("SLURM_ARRAY_TASK_COUNT", "4", 1);
    assert_int_equal(shard("auto", &n), 3);
    assert_int_equal(n, 4);
    /* auto/N: (index mod N) + 1 */
    assert_int_equal(shard("auto/4", &n), 2);
    assert_int_equal(n, 4);
    clear_env();
    setenv("JOB_COMPLETION_INDEX", "0", 1);
    assert_int_equal(shard("auto", &n), 0); /* no size: auto/N needed */
    assert_int_equal(shard("auto/3", &n), 1);
    setenv("JOB_COMPLETION_INDEX", "5", 1);
    assert_int_equal(shard("auto/3", &n), 3);
    setenv("JOB_COMPLETION_INDEX", "x", 1);
    assert_int_equal(shard("auto/3", &n), 0);
    clear_env();
    setenv("SGE_TASK_ID", "undefined", 1);
    assert_int_equal(shard("auto/2", &n), 0);
    clear_env();
    assert_int_equal(shard("auto/0", &n), 0);
    assert_int_equal(shard("autox", &n), 0);
}

static void record_path(void **state)
{
    char *p;

    (void)state;
    p = cli_record_path("out/sub/cat.magnitude.png");
    assert_string_equal(p, "out/sub/.cat.magnitude.png.imgrad");
    free(p);
    p = cli_record_path("x.npy");
    assert_string_equal(p, ".x.npy.imgrad");
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cgroup_quota),
        cmocka_unit_test(own_cgroup),
        cmocka_unit_test(shard_auto),
        cmocka_unit_test(record_path),
    };
    int rc;

    if (mkdtemp(dir) == NULL)
        return 1;
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    put("cpu.max", "");
    {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            rc = 1;
    }
    return rc;
}
