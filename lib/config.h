/* config: the reference strategy's parameters (see sti-strategy.conf(5)).
 *
 * One struct holds every parameter of `weights` and `backtest`, so that a single file (etc/strategy.conf,
 * "key = value" lines, # comments) drives both: defaults first, then the file, then command-line options,
 * each through config_set(). Unknown keys are errors, so a typo never silently runs the default. */
#ifndef STI_CONFIG_H
#define STI_CONFIG_H

#include <stddef.h>
#include <stdio.h>

enum config_weighting { CONFIG_EQUAL, CONFIG_INVERSE_VOL };
enum config_rebalance { CONFIG_PERIODIC, CONFIG_MONTHLY };

struct strategy_config {
	int lookback;               /* TRI lookback in trading days (264) */
	int skip;                   /* most recent trading days left out of the signal (22) */
	int max_gap;                /* consecutive missing returns counted as 0 before the TRI is undefined (5) */
	double winsor_lo;           /* winsorisation percentiles of the z-scores (2, 98) */
	double winsor_hi;
	double select;              /* long those >= this percentile (90); long-short also shorts <= 100 - select */
	int long_short;             /* 0: long only, 1: long-short */
	enum config_weighting weighting; /* equal or inverse_vol */
	int vol_window;             /* daily returns in the inverse-vol std (63) */
	double max_weight;          /* cap on |weight| (1: none binds) */
	enum config_rebalance rebalance; /* every rebalance_every trading days, or monthly */
	int rebalance_every;        /* trading days between rebalances (22) */
	int lag;                    /* backtest: days between the decision and the first return earned (1) */
	double cost_bps;            /* backtest: cost per unit of turnover, in basis points (10) */
};

/* The defaults of ARCHITECTURE.md's reference strategy. This function can't fail. */
void config_defaults(struct strategy_config *c);

/* Set one parameter from its text value (the key as in the file: "lookback", "winsor" = "2,98", ...).
 * Returns 0, or EX_DATAERR with a message in err: "unknown key 'x'" or "key: 'v' is not ..." (no file:line;
 * the caller adds where the value came from). */
int config_set(struct strategy_config *c, const char *key, const char *value, char *err, size_t errlen);

/* Read a config file: "key = value" lines (blank lines and # comments; a value may be quoted "..."), or,
 * when its first non-blank character is '{', one JSON object with the same keys (strings or numbers;
 * "winsor" also [LO, HI], so the "params" that config_json() writes read back). Returns 0; EX_DATAERR with
 * err = "path:line: key: what is wrong" ("path: key: ..." for a JSON member); EX_NOINPUT with
 * "path: strerror" when it cannot be opened; EX_IOERR on a read error. Settings before the failing one stay applied. */
int config_load(struct strategy_config *c, const char *path, char *err, size_t errlen);

/* Check the parameters together (winsor_lo < winsor_hi, ...). Returns 0, or EX_DATAERR with a message. */
int config_check(const struct strategy_config *c, char *err, size_t errlen);

/* Write the parameters as a JSON object (keys as in the file, in a fixed order, no newline), e.g. for the
 * "params" of backtest's metrics. */
void config_json(const struct strategy_config *c, FILE *fp);

/* Write the parameters in the config file's own format, one "key = value" per line. */
void config_write(const struct strategy_config *c, FILE *fp);

#endif
