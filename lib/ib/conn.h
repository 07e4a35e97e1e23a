/* ib/conn: what the three broker tools share about the connection: options from the environment
 * (IB_HOST, IB_PORT, IB_CLIENT_ID, IB_ACCOUNT), the account to act on, and the live-account guard. */
#ifndef STI_IB_CONN_H
#define STI_IB_CONN_H

#include <getopt.h>
#include <stddef.h>

#include "tws/client.h"

/* The connection's options, the same in every broker tool: a tool appends BK_CONN_OPTIONS to its getopt_long
 * table (and --account, BK_OPT_ACCOUNT, when it acts on one account) and passes each option to
 * bk_conn_opt() before its own. */
enum { BK_OPT_ACCOUNT = 0x200, BK_OPT_CLIENT_ID, BK_OPT_HOST, BK_OPT_PORT, BK_OPT_TIMEOUT };
#define BK_CONN_OPTIONS                                                   \
	{ "client-id", required_argument, NULL, BK_OPT_CLIENT_ID },       \
	{ "host", required_argument, NULL, BK_OPT_HOST },                 \
	{ "port", required_argument, NULL, BK_OPT_PORT },                 \
	{ "timeout", required_argument, NULL, BK_OPT_TIMEOUT }

/* Apply opt (with its argument arg) to o when it is one of BK_CONN_OPTIONS: --timeout in seconds up to
 * max_timeout. Returns 1 when it was, else 0. A bad number exits with EX_USAGE (cli.h). */
int bk_conn_opt(int opt, const char *arg, tws_client_opts *o, double max_timeout);

/* tws_client_opts_init() and the account from IB_ACCOUNT (NULL when unset). Returns 0, or EX_USAGE with
 * err set when IB_PORT or IB_CLIENT_ID is not a number. */
int bk_conn_init(tws_client_opts *o, const char **account, char *err, size_t errlen);

/* The account to use: want (from --account or IB_ACCOUNT) when it is one of managed (TWS's comma-separated
 * list), else the only managed account. Returns 0 with out set, or a sysexits code with err set:
 * EX_USAGE when want is not managed, EX_UNAVAILABLE for several accounts and no choice, or none at all. */
int bk_pick_account(const char *managed, const char *want, char *out, size_t n, char *err, size_t errlen);

/* 1 when account is a paper account (its id starts with "DU"), else 0. */
int bk_is_paper(const char *account);

/* Whether trading in account is allowed: paper accounts always; a live one only when live_flag (--live)
 * is set and ib_live (the value of IB_LIVE, NULL when unset) is exactly "yes". Returns 1 or 0. */
int bk_trading_allowed(const char *account, int live_flag, const char *ib_live);

#endif
