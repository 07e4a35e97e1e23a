/* log: levelled progress and diagnostics on stderr.
 *
 * On a terminal a line reads "prog: message"; otherwise each line is one JSON object
 * {"time":"...","level":"info","tool":"prog","msg":"..."} so that flows can collect and search logs.
 * STI_LOG_FORMAT=text|json forces either. Errors that end a tool go through err.h, not here. */
#ifndef STI_LOG_H
#define STI_LOG_H

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Set the threshold from -v/-q counts: 0 = info, -1 = warnings only, -2 = errors only, 1+ = debug. */
void log_init(int verbosity);

/* Whether messages at level are printed (to skip building expensive ones). */
int log_enabled(enum log_level level);

/* 1 when progress lines (counters that rewrite themselves) are wanted: not -q, and stderr is a terminal or
 * STI_PROGRESS=1 (a flow's run() passing the tool's stderr on to a terminal through a pipe); STI_PROGRESS=0
 * never. */
int log_progress_wanted(void);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
