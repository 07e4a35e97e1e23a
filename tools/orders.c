/* orders: target weights, the account and last prices in; whole-share orders out, or nothing at all. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aout.h"
#include "cli.h"
#include "date.h"
#include "err.h"
#include "log.h"
#include "portfolio.h"

enum {
	OPT_ACCOUNT = 0x100, OPT_ASOF, OPT_BUFFER, OPT_CAPITAL, OPT_COMMIT_TOL, OPT_DATE, OPT_EXPLAIN, OPT_GROSS,
	OPT_MARGIN, OPT_MAX_GROSS, OPT_MAX_ORDER, OPT_MAX_MOVE, OPT_MAX_RET_GAP, OPT_MAX_SHARES, OPT_MAX_WEIGHT,
	OPT_MIN_NOTIONAL, OPT_MIN_WCHANGE, OPT_ORDER_TYPE, OPT_PRICES, OPT_REF_PRICES, OPT_SKIP_BAD,
	OPT_SKIP_STALE, OPT_STRATEGY, OPT_TIF, OPT_WEIGHTS
};

static void usage(int status);
static void refuse(void *ctx, const char *msg);
static int one_of(const char *s, const char *const *set);

static const struct option long_options[] = {
	{ "account", required_argument, NULL, OPT_ACCOUNT },
	{ "asof", required_argument, NULL, OPT_ASOF },
	{ "buffer", required_argument, NULL, OPT_BUFFER },
	{ "capital", required_argument, NULL, OPT_CAPITAL },
	{ "commit-tolerance", required_argument, NULL, OPT_COMMIT_TOL },
	{ "date", required_argument, NULL, OPT_DATE },
	{ "explain", optional_argument, NULL, OPT_EXPLAIN },
	{ "gross", required_argument, NULL, OPT_GROSS },
	{ "margin", required_argument, NULL, OPT_MARGIN },
	{ "max-gross", required_argument, NULL, OPT_MAX_GROSS },
	{ "max-order-notional", required_argument, NULL, OPT_MAX_ORDER },
	{ "max-price-move", required_argument, NULL, OPT_MAX_MOVE },
	{ "max-ret-gap", required_argument, NULL, OPT_MAX_RET_GAP },
	{ "max-shares", required_argument, NULL, OPT_MAX_SHARES },
	{ "max-weight", required_argument, NULL, OPT_MAX_WEIGHT },
	{ "min-notional", required_argument, NULL, OPT_MIN_NOTIONAL },
	{ "min-weight-change", required_argument, NULL, OPT_MIN_WCHANGE },
	{ "order-type", required_argument, NULL, OPT_ORDER_TYPE },
	{ "output", required_argument, NULL, 'o' },
	{ "prices", required_argument, NULL, OPT_PRICES },
	{ "ref-prices", required_argument, NULL, OPT_REF_PRICES },
	{ "skip-bad-prices", no_argument, NULL, OPT_SKIP_BAD },
	{ "skip-stale", no_argument, NULL, OPT_SKIP_STALE },
	{ "strategy", required_argument, NULL, OPT_STRATEGY },
	{ "tif", required_argument, NULL, OPT_TIF },
	{ "weights", required_argument, NULL, OPT_WEIGHTS },
	CLI_COMMON_OPTIONS
};

static const char *const order_types[] = { "MKT", "MOC", NULL };
static const char *const tifs[] = { "OPG", "DAY", "GTC", "IOC", NULL };

int
main(int argc, char *argv[])
{
	const char *weights = "-", *account = NULL, *prices = NULL, *ref_prices = NULL, *out = "-";
	const char *strategy = "lo-csmom", *order_type = "MKT", *tif = "OPG", *explain = NULL;
	struct pf_params p;
	struct pf_account acct = { .have = 0 };
	double capital = NAN;
	int opt, asof = INT_MAX, trade = INT_MIN, decided, do_explain = 0, rc;
	char d1[DATE_LEN + 1], d2[DATE_LEN + 1], err[1024];
	size_t nbad;
	pf_book *b;
	FILE *fp, *efp = stderr;
	aout *o, *eo = NULL;

	err_init(argv[0]);
	pf_params_init(&p);
	while ((opt = getopt_long(argc, argv, "o:" CLI_COMMON_SHORT, long_options, NULL)) != -1) {
		switch (opt) {
		case OPT_ACCOUNT: account = optarg; break;
		case OPT_ASOF: asof = cli_date(optarg, "asof"); break;
		case OPT_BUFFER: p.buffer = cli_double(optarg, 0, 0.99, "buffer"); break;
		case OPT_CAPITAL: capital = cli_double(optarg, 0.01, 1e15, "capital"); break;
		case OPT_COMMIT_TOL: p.commit_tol = cli_double(optarg, 0, 1, "commit-tolerance"); break;
		case OPT_DATE: trade = cli_date(optarg, "date"); break;
		case OPT_EXPLAIN: do_explain = 1; explain = optarg; break;
		case OPT_GROSS: p.gross = cli_double(optarg, 0, 10, "gross"); break;
		case OPT_MARGIN: p.margin = cli_double(optarg, 0, 10, "margin"); break;
		case OPT_MAX_GROSS: p.max_gross = cli_double(optarg, 0, 10, "max-gross"); break;
		case OPT_MAX_ORDER: p.max_order_notional = cli_double(optarg, 0, 1e15, "max-order-notional"); break;
		case OPT_MAX_MOVE: p.max_price_move = cli_double(optarg, 0, 10, "max-price-move"); break;
		case OPT_MAX_RET_GAP: p.max_ret_gap = cli_double(optarg, 0, 1, "max-ret-gap"); break;
		case OPT_MAX_SHARES: p.max_shares = (double)cli_int(optarg, 1, 1000000000000LL, "max-shares"); break;
		case OPT_MAX_WEIGHT: p.max_weight = cli_double(optarg, 0, 10, "max-weight"); break;
		case OPT_MIN_NOTIONAL: p.min_notional = cli_double(optarg, 0, 1e15, "min-notional"); break;
		case OPT_MIN_WCHANGE: p.min_weight_change = cli_double(optarg, 0, 1, "min-weight-change"); break;
		case OPT_ORDER_TYPE: order_type = optarg; break;
		case 'o': out = optarg; break;
		case OPT_PRICES: prices = optarg; break;
		case OPT_REF_PRICES: ref_prices = optarg; break;
		case OPT_SKIP_BAD: p.skip_bad = 1; break;
		case OPT_SKIP_STALE: p.skip_stale = 1; break;
		case OPT_STRATEGY: strategy = optarg; break;
		case OPT_TIF: tif = optarg; break;
		case OPT_WEIGHTS: weights = optarg; break;
		default: cli_common(opt, usage);
		}
	}
	cli_done();
	if (optind != argc || prices == NULL || (account == NULL && isnan(capital)))
		usage(EX_USAGE);
	if (*strategy == '\0' || strchr(strategy, ':') != NULL)
		err_die(EX_USAGE, "--strategy: '%s' must be non-empty and without ':' (it is part of client_id)",
		    strategy);
	if (!one_of(order_type, order_types))
		err_die(EX_USAGE, "--order-type: '%s' is not one of MKT, MOC", order_type);
	if (!one_of(tif, tifs))
		err_die(EX_USAGE, "--tif: '%s' is not one of OPG, DAY, GTC, IOC", tif);
	if (!strcmp(weights, "-") + (account && !strcmp(account, "-")) + !strcmp(prices, "-") +
	    (ref_prices && !strcmp(ref_prices, "-")) > 1)
		err_die(EX_USAGE, "only one input can be read from stdin");
	if (trade != INT_MIN && !cal_is_trading_day(trade))
		err_die(EX_USAGE, "--date: %s is not a trading day (%s)", date_fmt(trade, d1), cal_closure(trade));

	if ((b = pf_new()) == NULL)
		err_die(EX_OSERR, "out of memory");
	fp = cli_open_in(weights);
	if ((rc = pf_read_weights(b, fp, cli_in_name(weights), asof, &decided, err, sizeof err)) != 0)
		err_die(rc, "%s", err);
	if (fp != stdin)
		fclose(fp);
	/* the session after the decision (or after --asof: a later run reconciles the same decision) */
	if (trade == INT_MIN)
		trade = cal_next(asof != INT_MAX ? asof : decided);
	if (trade <= decided)
		err_die(EX_USAGE, "--date: %s is not after the weights' date %s", date_fmt(trade, d1),
		    date_fmt(decided, d2));
	if (account != NULL) {
		fp = cli_open_in(account);
		if ((rc = pf_read_account(b, fp, cli_in_name(account), &acct, err, sizeof err)) != 0)
			err_die(rc, "%s", err);
		if (fp != stdin)
			fclose(fp);
	}
	fp = cli_open_in(prices);
	if ((rc = pf_read_prices(b, fp, cli_in_name(prices), trade, 0, err, sizeof err)) != 0)
		err_die(rc, "%s", err);
	if (fp != stdin)
		fclose(fp);
	if (ref_prices != NULL) {
		fp = cli_open_in(ref_prices);
		if ((rc = pf_read_prices(b, fp, cli_in_name(ref_prices), trade, 1, err, sizeof err)) != 0)
			err_die(rc, "%s", err);
		if (fp != stdin)
			fclose(fp);
		p.use_ref = 1;
	}

	if (!isnan(capital))
		p.capital = capital;
	else if (acct.have && acct.net_liquidation > 0)
		p.capital = acct.net_liquidation;
	else
		err_die(EX_DATAERR, "%s: no account record with a positive net_liquidation (give --capital)",
		    cli_in_name(account));
	if (acct.have && acct.net_liquidation > 0 && isfinite(acct.net_liquidation))
		p.nav = acct.net_liquidation; /* the invariant is against what the account is worth */
	if (acct.have && isfinite(acct.available_funds))
		p.funds = acct.available_funds;
	else if (account == NULL)
		p.funds = p.capital; /* all cash */
	p.stale_before = cal_prev(trade);
	p.strategy = strategy;
	p.decided = decided;
	if ((rc = pf_plan(b, &p, err, sizeof err)) != 0)
		err_die(rc, "%s", err);

	if (do_explain) {
		if (explain != NULL && (eo = aout_open(explain)) == NULL)
			err_die(EX_CANTCREAT, "%s:", explain);
		efp = eo ? aout_fp(eo) : stderr;
		if ((rc = pf_explain(b, &p, efp, err, sizeof err)) != 0)
			err_die(rc, "%s: %s", explain ? explain : "<stderr>", err);
		if (eo != NULL && aout_commit(eo) != 0)
			err_die(EX_IOERR, "%s:", explain);
	}
	nbad = pf_check(b, &p, refuse, NULL);
	if (nbad > 0)
		err_die(EX_DATAERR, "refused: %zu risk check%s failed; no orders written", nbad, nbad > 1 ? "s" : "");
	for (size_t i = 0; pf_order(b, i) != NULL; i++) {
		const struct pf_name *x = pf_order(b, i);

		if (x->why == PF_SHRUNK)
			log_warn("%s: BUY shrunk from %lld to %lld shares to fit the funds", x->symbol, x->want, x->qty);
	}
	for (size_t i = 0; i < pf_count(b); i++) {
		const struct pf_name *x = pf_name(b, i);

		if (x->why == PF_SHRUNK && x->qty == 0)
			log_warn("%s: BUY of %lld shares shrunk to 0: no funds left", x->symbol, x->want);
		if (x->why == PF_STALE)
			log_warn("%s: price from %s is stale: not traded (--skip-stale)", x->symbol,
			    date_fmt(x->price_date, d1));
		if (x->why == PF_BAD_PRICE)
			log_warn("%s: %s: not traded (--skip-bad-prices)", x->symbol, x->bad);
		if (x->why == PF_SHRUNK_DUST)
			log_warn("%s: BUY of %lld shares shrunk to the funds fell below the dust rules: skipped", x->symbol,
			    x->want);
	}

	if ((o = aout_open(out)) == NULL)
		err_die(EX_CANTCREAT, "%s:", out);
	if ((rc = pf_write_orders(b, aout_fp(o), decided, trade, strategy, order_type, tif, err, sizeof err)) != 0)
		err_die(rc, "%s: %s", strcmp(out, "-") ? out : "<stdout>", err);
	if (aout_commit(o) != 0)
		err_die(EX_IOERR, "%s:", strcmp(out, "-") ? out : "<stdout>");
	if (pf_totals(b)->supersede > 0)
		log_info("%zu working order%s of older decisions of %s to be superseded", pf_totals(b)->supersede,
		    pf_totals(b)->supersede > 1 ? "s" : "", strategy);
	log_info("%s: %zu SELL and %zu BUY orders for %s (decided %s)", strcmp(out, "-") ? out : "<stdout>",
	    pf_totals(b)->sells, pf_totals(b)->buys, date_fmt(trade, d1), date_fmt(decided, d2));
	pf_free(b);
	err_exit_flush(0);
}

static void
refuse(void *ctx, const char *msg)
{
	err_warn("refused: %s", msg);
}

static int
one_of(const char *s, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(s, *set) == 0)
			return 1;
	return 0;
}

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: orders --prices FILE (--account FILE | --capital X) [--weights FILE] [-o FILE]\n"
	    "              [--asof DATE] [--date DATE] [--strategy NAME] [--ref-prices FILE]\n"
	    "              [--buffer X] [--min-notional X] [--min-weight-change X]\n"
	    "              [--max-weight X] [--max-gross X] [--gross X] [--max-order-notional X]\n"
	    "              [--max-price-move X] [--order-type MKT|MOC] [--tif OPG|DAY|GTC|IOC]\n"
	    "              [--max-shares N] [--max-ret-gap X] [--margin X] [--commit-tolerance X]\n"
	    "              [--skip-stale] [--skip-bad-prices] [--explain[=FILE]]\n"
	    "Turn target weights into whole-share orders (NDJSON), reconciled against the account.\n");
	exit(status);
}
