/* err: the one error routine and exit-code table of the suite.
 *
 * Messages go to stderr as "prog: message"; data errors as "prog: file:line: field: message".
 * Exit codes are the sysexits.h names (64 usage, 65 data, 66 no input, 69 unavailable, 70 software,
 * 74 I/O, 75 temporary failure, 77 no permission). Only tools call the err_die family; library
 * functions return errors.
 *
 * The library's one error convention. A lib/ function that can fail takes the caller's message buffer as
 * its last two parameters (char *err, size_t errlen) and returns 0 on success or the sysexits code the
 * tool should exit with, having written the message (no program name, no newline) into the buffer:
 *
 *	if ((rc = config_load(path, &conf, err, sizeof err)) != 0)
 *		err_die(rc, "%s", err);
 *
 * A function that makes an object returns it through an out-parameter (int x_open(struct x **out, ...,
 * char *err, size_t errlen)); a function that yields a count or a row returns it through an out-parameter
 * too, or returns a negative/EOF sentinel documented in its header and keeps the code in the object. So
 * a tool never learns a code by matching message text, and never probes a file (access()) only to choose
 * one. Library code fills the buffer with err_ret(). */
#ifndef STI_ERR_H
#define STI_ERR_H

#include <stdarg.h>
#include <stdio.h>
#include <sysexits.h>

/* Exit status for "ran fine, but the answer is no" (trading-day on a holiday, universe-diff on a change). */
#define EX_FALSE 1

/* Remember the program name (basename of argv0) for messages, and restore SIGPIPE's default action so
 * that a closed pipe (`| head`) ends the tool quietly. Call first in main(). This function can't fail. */
void err_init(const char *argv0);

/* The program name given to err_init(), or "sti" before it. */
const char *err_prog(void);

/* Print "prog: message" to stderr. A format ending with ':' appends ": strerror(errno)". */
void err_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* err_warn(), then exit(code) (which removes pending atomic outputs, see aout.h). */
_Noreturn void err_die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print "prog: file:line: field: message"; line <= 0 or field NULL drop their parts. */
void err_at(const char *file, long line, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Flush and close stdout and exit(code), or exit EX_IOERR if the output could not be written. */
_Noreturn void err_exit_flush(int code);

/* Format into a caller's buffer (truncating safely); used by modules that keep an error message. */
void err_fmt(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* err_fmt() into buf, then return code: `return err_ret(EX_DATAERR, err, errlen, "%s: bad", f);`. A
 * buffer of NULL or size 0 is left alone. */
int err_ret(int code, char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
