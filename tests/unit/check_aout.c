/* Unit tests for lib/aout: a committed file appears whole; an aborted or crashed one leaves nothing. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aout.h"

static char dir[] = "/tmp/check_aout.XXXXXX";

static int
entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void
setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(strcpy(dir, "/tmp/check_aout.XXXXXX")));
}

static void
teardown(void)
{
	char cmd[64];

	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_commit_and_abort)
{
	char path[128], buf[64] = { 0 };
	FILE *fp;
	aout *a;

	snprintf(path, sizeof path, "%s/out.csv", dir);
	ck_assert_int_eq(aout_write_file(path, "old\n", 4), 0);
	a = aout_open(path);
	ck_assert_ptr_nonnull(a);
	fputs("new\n", aout_fp(a));
	ck_assert_int_eq(entries(), 2);         /* the target and the temporary */
	aout_abort(a);
	ck_assert_int_eq(entries(), 1);
	fp = fopen(path, "r");
	ck_assert_ptr_nonnull(fgets(buf, sizeof buf, fp));
	fclose(fp);
	ck_assert_str_eq(buf, "old\n");          /* untouched by the aborted write */
	a = aout_open(path);
	fputs("new\n", aout_fp(a));
	ck_assert_int_eq(aout_commit(a), 0);
	fp = fopen(path, "r");
	ck_assert_ptr_nonnull(fgets(buf, sizeof buf, fp));
	fclose(fp);
	ck_assert_str_eq(buf, "new\n");
	ck_assert_int_eq(entries(), 1);
}
END_TEST

/* A tool that dies half-way (exit without commit) leaves no temporary and no target. */
START_TEST(test_exit_removes_temporary)
{
	char path[128];
	pid_t pid;
	int status;

	snprintf(path, sizeof path, "%s/half.csv", dir);
	pid = fork();
	if (pid == 0) {
		aout *a = aout_open(path);

		fputs("half a record", aout_fp(a));
		fflush(aout_fp(a));
		exit(65);
	}
	waitpid(pid, &status, 0);
	ck_assert_int_eq(WEXITSTATUS(status), 65);
	ck_assert_int_eq(entries(), 0);
}
END_TEST

START_TEST(test_device_written_in_place)
{
	struct stat st;
	aout *a;

	/* renaming a temporary over /dev/null would turn it into a regular file */
	ck_assert_int_eq(aout_write_file("/dev/null", "x\n", 2), 0);
	a = aout_open("/dev/null");
	ck_assert_ptr_nonnull(a);
	fputs("y\n", aout_fp(a));
	aout_abort(a);
	ck_assert_int_eq(stat("/dev/null", &st), 0);
	ck_assert(S_ISCHR(st.st_mode));
}
END_TEST

START_TEST(test_errors)
{
	ck_assert_ptr_null(aout_open("/nonexistent-dir/x.csv"));
	ck_assert_int_eq(aout_write_file("/nonexistent-dir/x.csv", "x", 1), -1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("aout");
	TCase *core = tcase_create("Core"), *errors = tcase_create("Errors");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(core, setup, teardown);
	tcase_add_test(core, test_commit_and_abort);
	tcase_add_test(core, test_exit_removes_temporary);
	tcase_add_test(core, test_device_written_in_place);
	tcase_add_test(errors, test_errors);
	suite_add_tcase(s, core);
	suite_add_tcase(s, errors);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
