/* aout: atomic output files.
 *
 * A tool writing FILE writes FILE.tmp.XXXXXX in the same directory, then fsyncs and renames it over FILE
 * on success, so a reader sees the old file or the whole new one, never a torn one. If the tool exits
 * before aout_commit (err_die, a signal-free exit path), an atexit handler removes the temporary:
 * nothing half-written is left behind. "-" means stdout, written directly; so is a target that exists and
 * is not a regular file (/dev/null, a FIFO), which a rename would replace. */
#ifndef STI_AOUT_H
#define STI_AOUT_H

#include <stdio.h>

typedef struct aout aout;

/* Open path for atomic writing ("-" or NULL: stdout). Returns NULL with errno set on failure. */
aout *aout_open(const char *path);
/* The stream to write to. */
FILE *aout_fp(aout *a);
/* Flush, fsync, close and rename into place (for stdout: flush). Frees a. Returns 0, or -1 with errno set
 * (the temporary is removed). */
int aout_commit(aout *a);
/* Close and remove the temporary without touching the target. Frees a. */
void aout_abort(aout *a);

/* Write the whole buffer to path atomically (same rules). Returns 0 or -1 with errno set. */
int aout_write_file(const char *path, const void *data, size_t len);

#endif
