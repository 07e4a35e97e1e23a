/* Unit tests for lease on the local store: the C API the flows' store-lease and ib-submit use.
 * Expectations: lib/lease.h's contract and ARCHITECTURE.md "The store" (created only if absent; owner, host
 * and expiry inside; an expired lease taken over; released only by its holder), and the invariant the
 * issue asks for: at any moment at most one holder, over a long random sequence of acquires, releases,
 * crashes (a holder that never releases) and take-overs by several processes at once. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lease.h"

static char root[256];

static void
setup(void)
{
	snprintf(root, sizeof root, "%s/check_lease.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(root));
}

static void
teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_acquire_release)
{
	char err[LEASE_ERRLEN];
	struct lease *a = NULL, *b = NULL, *r = NULL;

	ck_assert_int_eq(lease_acquire_as(root, "pipeline", 60, "daily", 4242, &a, err, sizeof err), 0);
	ck_assert_str_eq(a->owner, "daily");
	ck_assert_int_eq(a->pid, 4242);
	/* whole seconds in the record, the expiry rounded up: held at least the TTL */
	ck_assert_msg(a->expires - a->acquired == 60 || a->expires - a->acquired == 61, "%ld",
	    (long)(a->expires - a->acquired));
	ck_assert_int_eq(strlen(a->token), 32);
	/* held: 75, naming the holder and the expiry */
	ck_assert_int_eq(lease_acquire(root, "pipeline", 60, &b, err, sizeof err), 75);
	ck_assert_ptr_null(b);
	ck_assert_msg(strstr(err, "locks/pipeline: held by daily (pid 4242 on ") != NULL, "%s", err);
	ck_assert_msg(strstr(err, ", until ") != NULL, "%s", err);
	/* as stored */
	ck_assert_int_eq(lease_read(root, "pipeline", &r, err, sizeof err), 0);
	ck_assert_str_eq(r->token, a->token);
	ck_assert_int_eq(r->expires, a->expires);
	lease_free(r);
	/* another token cannot release it; ours can, once; then it is gone and free */
	ck_assert_int_eq(lease_release_token(root, "pipeline", "0123456789abcdef0123456789abcdef", err, sizeof err), 69);
	ck_assert_int_eq(lease_release(a, err, sizeof err), 0);
	ck_assert_int_eq(lease_read(root, "pipeline", &r, err, sizeof err), 66);
	ck_assert_int_eq(lease_acquire(root, "pipeline", 60, &b, err, sizeof err), 0);
	ck_assert_int_eq(lease_release(b, err, sizeof err), 0);
}
END_TEST

START_TEST(test_refused)
{
	static const char *const bad[] = { "", "..", "a/..", "./a", "a//b", "/a", "a\\b", "a\nb", "a/" };
	char err[LEASE_ERRLEN];
	struct lease *l = NULL;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(lease_acquire(root, bad[i], 60, &l, err, sizeof err) == 64, "accepted '%s'", bad[i]);
	ck_assert_int_eq(lease_acquire(root, "x", 0, &l, err, sizeof err), 64);
	ck_assert_int_eq(lease_acquire(root, "x", LEASE_TTL_MAX + 1, &l, err, sizeof err), 64);
	ck_assert_int_eq(lease_release_token(root, "x", "not-a-token", err, sizeof err), 64);
}
END_TEST

START_TEST(test_takeover_and_renew)
{
	char err[LEASE_ERRLEN];
	struct lease *old = NULL, *taker = NULL;
	char old_token[33];

	ck_assert_int_eq(lease_acquire_as(root, "t", 1, "dead", 1, &old, err, sizeof err), 0);
	snprintf(old_token, sizeof old_token, "%s", old->token);
	/* renewed in time, it stays ours past the first expiry */
	ck_assert_int_eq(lease_renew(old, 3, err, sizeof err), 0);
	usleep(1200000);
	ck_assert_int_eq(lease_acquire(root, "t", 60, &taker, err, sizeof err), 75);
	/* not renewed: taken over once expired (3 s from the renewal, rounded up to the second) */
	usleep(2900000);
	ck_assert_int_eq(lease_acquire_as(root, "t", 60, "alive", 2, &taker, err, sizeof err), 0);
	ck_assert_str_ne(taker->token, old_token);
	ck_assert_int_eq(lease_renew(old, 60, err, sizeof err), 69);
	ck_assert_int_eq(lease_release(old, err, sizeof err), 69); /* the old holder's release leaves it */
	ck_assert_int_eq(lease_release(taker, err, sizeof err), 0);
}
END_TEST

static long long
now_us(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (long long)tv.tv_sec * 1000000 + tv.tv_usec;
}

struct span {
	long long from, to;
	int who;
};

static int
span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return (x->from > y->from) - (x->from < y->from);
}

/* Six processes, each until it has held the lease PER_WORKER times (or 24 s passed): each loops acquire
 * (TTL 1 s), works up to 30 ms, and releases, or one time in thirty "crashes" (never releases, so the next
 * holder must take the expired lease over); worker 0's first hold always crashes, so at least one takeover
 * happens. The spans during which each process held the lease, all merged, never overlap. The test counts
 * holds, not seconds: a time budget made the count depend on how the crashes fell (CI once saw 18 in 4 s). */
START_TEST(test_one_holder_at_a_time)
{
	enum { WORKERS = 6, PER_WORKER = 5 };
	char path[300], line[128];
	struct span *all = NULL;
	size_t n = 0, cap = 0, takeovers = 0;
	long long stop = now_us() + 24000000;

	for (int w = 0; w < WORKERS; w++) {
		pid_t pid = fork();

		ck_assert_int_ne(pid, -1);
		if (pid == 0) {
			char err[LEASE_ERRLEN];
			FILE *fp;

			snprintf(path, sizeof path, "%s/spans.%d", root, w);
			fp = fopen(path, "w");
			srand((unsigned)getpid());
			for (int held = 0; fp != NULL && held < PER_WORKER && now_us() < stop;) {
				struct lease *l = NULL;
				long long from;
				int rc = lease_acquire(root, "inv", 1, &l, err, sizeof err);

				if (rc == 75) {
					usleep(1000 + rand() % 5000);
					continue;
				}
				if (rc != 0)
					_exit(2);
				int crash = rand() % 30 == 0 || (w == 0 && held == 0);

				held++;
				from = now_us();
				usleep(rand() % 30000);
				fprintf(fp, "%lld %lld %d\n", from, now_us(), crash);
				fflush(fp);
				if (crash) /* the lease stays until it expires */
					lease_free(l);
				else if (lease_release(l, err, sizeof err) != 0)
					_exit(3);
			}
			_exit(fp != NULL ? 0 : 4);
		}
	}
	for (int w = 0; w < WORKERS; w++) {
		int st;

		ck_assert_int_ne(wait(&st), -1);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "worker failed: %d", st);
	}
	for (int w = 0; w < WORKERS; w++) {
		FILE *fp;

		snprintf(path, sizeof path, "%s/spans.%d", root, w);
		ck_assert_ptr_nonnull(fp = fopen(path, "r"));
		while (fgets(line, sizeof line, fp) != NULL) {
			int crash;

			if (n == cap) {
				cap = cap ? 2 * cap : 256;
				ck_assert_ptr_nonnull(all = realloc(all, cap * sizeof *all));
			}
			ck_assert_int_eq(sscanf(line, "%lld %lld %d", &all[n].from, &all[n].to, &crash), 3);
			all[n++].who = w;
		}
		fclose(fp);
	}
	qsort(all, n, sizeof *all, span_cmp);
	for (size_t i = 1; i < n; i++) {
		ck_assert_msg(all[i].from >= all[i - 1].to, "workers %d and %d held the lease at once (%lld < %lld)",
		    all[i - 1].who, all[i].who, all[i].from, all[i - 1].to);
		if (all[i].from - all[i - 1].to > 500000)
			takeovers++; /* waited out an expiry */
	}
	ck_assert_msg(n == WORKERS * PER_WORKER, "%zu holds, not %d: a worker ran out of time", n,
	    WORKERS * PER_WORKER);
	ck_assert_msg(takeovers >= 1, "no hold came after an expiry");
	printf("lease invariant: %zu acquisitions by %d processes, %zu after an expiry, no overlap\n", n, WORKERS,
	    takeovers);
	free(all);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("lease");
	TCase *tc = tcase_create("local");
	SRunner *sr;
	int nfail;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 40);
	tcase_add_test(tc, test_acquire_release);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_takeover_and_renew);
	tcase_add_test(tc, test_one_holder_at_a_time);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail == 0 ? 0 : 1;
}
