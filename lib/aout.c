#include "aout.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct aout {
	FILE *fp;         /* the temporary (or stdout) */
	char *path;       /* target, NULL for stdout */
	char *tmp;        /* temporary's path */
	int direct;       /* fp is the target itself: a device or FIFO (path and tmp are NULL) */
	struct aout *next; /* pending list, for the atexit cleanup */
};

static struct aout *pending;
static pthread_mutex_t pending_lock = PTHREAD_MUTEX_INITIALIZER;
static int handler_installed;

static void
cleanup_pending(void)
{
	for (struct aout *a = pending; a != NULL; a = a->next)
		if (a->tmp != NULL)
			unlink(a->tmp);
}

static void
unlink_pending(aout *a)
{
	pthread_mutex_lock(&pending_lock);
	for (struct aout **pp = &pending; *pp != NULL; pp = &(*pp)->next)
		if (*pp == a) {
			*pp = a->next;
			break;
		}
	pthread_mutex_unlock(&pending_lock);
}

aout *
aout_open(const char *path)
{
	aout *a = calloc(1, sizeof *a);
	int fd, saved;
	struct stat st;
	mode_t um;

	if (a == NULL)
		return NULL;
	if (path == NULL || strcmp(path, "-") == 0) {
		a->fp = stdout;
		return a;
	}
	/* -o /dev/null, /dev/stderr, a named pipe: renaming over the target would replace the device node
	 * with a regular file (as root, for everyone), so such targets are written in place */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if ((a->fp = fopen(path, "w")) == NULL)
			goto fail;
		a->direct = 1;
		return a;
	}
	a->path = strdup(path);
	a->tmp = malloc(strlen(path) + 16);
	if (a->path == NULL || a->tmp == NULL)
		goto fail;
	sprintf(a->tmp, "%s.tmp.XXXXXX", path);
	fd = mkstemp(a->tmp);
	if (fd < 0)
		goto fail;
	/* mkstemp makes 0600; give the file the mode a plain open() would have. */
	um = umask(0);
	umask(um);
	fchmod(fd, 0666 & ~um);
	a->fp = fdopen(fd, "w");
	if (a->fp == NULL) {
		saved = errno;
		close(fd);
		unlink(a->tmp);
		errno = saved;
		goto fail;
	}
	pthread_mutex_lock(&pending_lock);
	if (!handler_installed) {
		atexit(cleanup_pending);
		handler_installed = 1;
	}
	a->next = pending;
	pending = a;
	pthread_mutex_unlock(&pending_lock);
	return a;
fail:
	saved = errno;
	free(a->path);
	free(a->tmp);
	free(a);
	errno = saved;
	return NULL;
}

FILE *
aout_fp(aout *a)
{
	return a->fp;
}

int
aout_commit(aout *a)
{
	int rc = 0, saved = 0;

	if (a->path == NULL) {
		rc = fflush(a->fp) == EOF || ferror(a->fp) ? -1 : 0;
		if (a->direct && fclose(a->fp) == EOF)
			rc = -1;
		free(a);
		return rc;
	}
	if (fflush(a->fp) == EOF || ferror(a->fp) || fsync(fileno(a->fp)) != 0)
		rc = -1, saved = errno ? errno : EIO;
	if (fclose(a->fp) == EOF && rc == 0)
		rc = -1, saved = errno;
	if (rc == 0 && rename(a->tmp, a->path) != 0)
		rc = -1, saved = errno;
	if (rc != 0)
		unlink(a->tmp);
	unlink_pending(a);
	free(a->path);
	free(a->tmp);
	free(a);
	errno = saved;
	return rc;
}

void
aout_abort(aout *a)
{
	if (a->path != NULL) {
		fclose(a->fp);
		unlink(a->tmp);
		unlink_pending(a);
	} else if (a->direct)
		fclose(a->fp);
	free(a->path);
	free(a->tmp);
	free(a);
}

int
aout_write_file(const char *path, const void *data, size_t len)
{
	aout *a = aout_open(path);

	if (a == NULL)
		return -1;
	if (len > 0 && fwrite(data, 1, len, a->fp) != len) {
		int saved = errno;

		aout_abort(a);
		errno = saved;
		return -1;
	}
	return aout_commit(a);
}
