/* dash: the dashboard pages that dash-gen writes, from the files the other tools leave behind.
 *
 * A page is always written: an input that is absent, unreadable or malformed is named on the page (and in
 * the problem list the caller gets back), and the views that needed it say so instead of the tool
 * failing, because a dashboard that shows what is missing is more use to its reader than no dashboard. */
#ifndef STI_DASH_H
#define STI_DASH_H

#include <stdio.h>

#define DASH_MAXPROB 32

/* Problems met while reading the inputs. */
typedef struct dash_probs {
	char msg[DASH_MAXPROB][512]; /* "equity.csv: missing", "metrics.json:3: ...", in order met */
	char isbad[DASH_MAXPROB];    /* 1 when msg[i] is about a malformed input */
	int n;                       /* messages kept (at most DASH_MAXPROB) */
	int missing;                 /* inputs absent or unreadable */
	int bad;                     /* inputs present but malformed */
} dash_probs;

/* Record a problem (bad = 0: missing, 1: malformed). This function can't fail (extra ones are counted). */
void dash_prob(dash_probs *p, int bad, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The "Missing or unreadable inputs" section listing p's problems (none: nothing). This function can't fail. */
void dash_problems(FILE *fp, const dash_probs *p);

/* A card that says what is not available instead of its content ("Not available: WHAT."). Can't fail. */
void dash_missing(FILE *fp, const char *id, const char *title, int wide, const char *what);

/* A page's navigation for html_page_begin: pairs (link or section id, label), NULL-terminated in v. The
 * longest page, the backtest's, has 15 links; a pair beyond DASH_NAV_MAX is dropped. Can't fail. */
#define DASH_NAV_MAX 16
typedef struct dash_nav {
	const char *v[2 * DASH_NAV_MAX + 1];
	int n;
} dash_nav;
void dash_nav_add(dash_nav *nav, const char *target, const char *label);

/* ---- inputs shared by the pages ---- */

typedef struct csv_reader csv_reader;

/* Open path as a CSV and read its header: the reader, and in *fpp the file to give dash_csv_close. NULL
 * when it can't: absent or unreadable (a missing problem recorded, *rc = 0), or a malformed header or out
 * of memory (a bad problem recorded, *rc = -1). */
csv_reader *dash_csv_open(const char *path, FILE **fpp, dash_probs *p, int *rc);

#define DASH_CSV_OOM (-2) /* a reader's state for dash_csv_close: out of memory */

/* Close r and fp after reading: state is csv_next's last result (0 or 1: fine), -1 (a failed read or
 * check: csv_error(r) is recorded) or DASH_CSV_OOM ("out of memory" is recorded). Returns 1, or -1 when
 * a problem was recorded. */
int dash_csv_close(csv_reader *r, FILE *fp, int state, dash_probs *p);

/* An equity CSV (see backtest(1)): one row per trading day. */
typedef struct dash_equity {
	size_t n;             /* rows */
	int *day;             /* date of each row (day number), ascending */
	double *net, *equity; /* strategy: that day's net return, cumulative wealth from 1 */
	double *turnover;     /* strategy turnover charged that day (0 on most days) */
	double *bnet, *bequity; /* benchmark's, NaN when the file has no benchmark columns */
} dash_equity;

/* Read path into *e (zeroed first). Returns 1, 0 when the file is absent or unreadable, -1 when it is
 * malformed (rows not ascending, a bad number); both with a problem recorded. */
int dash_read_equity(const char *path, dash_equity *e, dash_probs *p);
void dash_equity_free(dash_equity *e);

/* One holding of a weights CSV. */
typedef struct dash_holding {
	char *id;      /* security id */
	char *symbol;  /* ticker */
	double weight; /* target weight */
} dash_holding;

/* The rows of the latest date of a weights CSV. */
typedef struct dash_weights {
	int day;         /* that date (day number) */
	size_t n;        /* holdings */
	dash_holding *h; /* sorted by weight, largest first */
} dash_weights;

/* Read the latest date's rows of path into *w (zeroed first). Returns like dash_read_equity. */
int dash_read_weights(const char *path, dash_weights *w, dash_probs *p);
void dash_weights_free(dash_weights *w);

/* The inputs of the backtest page; NULL paths were not given. */
typedef struct dash_backtest_in {
	const char *equity;  /* equity CSV (backtest) */
	const char *metrics; /* metrics JSON (backtest --metrics) */
	const char *weights; /* weights CSV: holdings are the rows of its latest date */
	const char *config;  /* strategy config (key = value lines, or one JSON object) */
	const char *sweep;   /* sweep CSV: lookback,skip,sharpe[,cagr,max_drawdown,...] */
	const char *grid_table;  /* grid CSV (backtest --grid): the parameter explorer, see dash/explorer.h */
	const char *grid_equity; /* grid equity CSV (backtest --grid-equity), NULL: no curves */
	const char *walkfwd; /* walk-forward curve (backtest --wf-out), NULL: none */
	const char *title;   /* page title, NULL for the default */
	const char *now;     /* generation time shown in the header ("2026-11-25 21:30 UTC") */
	int links;           /* 1: link the live and mock pages at ../live/, ../mock/ (pipelines/dashboards) */
} dash_backtest_in;

/* Write the backtest page to fp. Problems with inputs go to *probs and onto the page. Returns 0, or -1
 * when out of memory (the page may be partial). */
int dash_backtest(FILE *fp, const dash_backtest_in *in, dash_probs *probs);

/* The inputs of the live and mock pages. */
typedef struct dash_live_in {
	const char *root;  /* store root directory (trading/, backtest/, data/, logs/) */
	const char *title; /* page title */
	const char *label; /* account label in the subtitle ("paper account", "ib-sim") */
	const char *now;   /* generation time as text */
	int today;         /* day number of the generation date (the wall clock) */
	int simulated;     /* 1: a simulated account (ib-sim): its clock is the simulated day of its last run */
	int refresh;       /* seconds between automatic reloads; 0 = none */
	int links;         /* 1: link the other two pages at ../backtest/, ../live/, ../mock/ */
} dash_live_in;

/* Write the live (or mock) trading page to fp from the store under in->root. Same contract as
 * dash_backtest. */
int dash_live(FILE *fp, const dash_live_in *in, dash_probs *probs);

#endif
