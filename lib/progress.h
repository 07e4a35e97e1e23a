/* progress: one line of progress on a terminal for long work, nothing in a pipe.
 *
 * A process has one progress line (a terminal has one line to redraw): progress_begin starts it when
 * log_progress_wanted() says so (standard error is a terminal and not -q), else every call here does
 * nothing. The line is "prog: DONE [of TOTAL (P%)], RATE/s[, ETA M:SS]", in items or bytes (KiB, MiB,
 * GiB), redrawn in place with \r at most every PROGRESS_EVERY_MS, and cleared by progress_end, so that
 * what follows on standard error starts on a clean line. The ETA is said only when the total is known.
 * The functions may be called from any thread. */
#ifndef STI_PROGRESS_H
#define STI_PROGRESS_H

#include <stddef.h>

#define PROGRESS_EVERY_MS 200

enum progress_unit {
	PROGRESS_ITEMS, /* counted things, named by the noun ("rows", "securities") */
	PROGRESS_BYTES, /* bytes, shown in binary units */
};

/* Start the line for work counted in unit (noun: what the items are; ignored for bytes), total items
 * or bytes (< 0: not known yet). A second begin ends the first. This function can't fail (out of memory
 * or not wanted: no line). */
void progress_begin(const char *noun, enum progress_unit unit, long long total);

/* The total, once known. */
void progress_total(long long total);

/* done so far (redrawn when PROGRESS_EVERY_MS have passed since the last drawing, or done reaches the
 * total). */
void progress_update(long long done);

/* Both at once, for callbacks of this shape (ctx unused). */
void progress_of(void *ctx, size_t done, size_t total);

/* Clear the line and stop. */
void progress_end(void);

/* The text of the line (without the program name) for done of total (< 0: unknown) after secs seconds,
 * into buf; returns buf. This function can't fail (truncates to n). */
char *progress_format(char *buf, size_t n, const char *noun, enum progress_unit unit, long long done,
    long long total, double secs);

#endif
