#include "ib/conn.h"

#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "err.h"

int
bk_conn_init(tws_client_opts *o, const char **account, char *err, size_t errlen)
{
	const char *a = getenv("IB_ACCOUNT");

	*account = a && *a ? a : NULL;
	if (tws_client_opts_init(o) < 0)
		return err_ret(EX_USAGE, err, errlen,
		    "IB_PORT or IB_CLIENT_ID is not a number between 0 and 2147483647");
	return 0;
}

int
bk_conn_opt(int opt, const char *arg, tws_client_opts *o, double max_timeout)
{
	switch (opt) {
	case BK_OPT_CLIENT_ID: o->client_id = (int)cli_int(arg, 0, 2147483647, "client-id"); return 1;
	case BK_OPT_HOST: o->host = arg; return 1;
	case BK_OPT_PORT: o->port = (int)cli_int(arg, 1, 65535, "port"); return 1;
	case BK_OPT_TIMEOUT:
		o->request_timeout_ms = (int)(cli_double(arg, 0.001, max_timeout, "timeout") * 1000);
		return 1;
	}
	return 0;
}

int
bk_pick_account(const char *managed, const char *want, char *out, size_t n, char *err, size_t errlen)
{
	const char *p = managed, *comma;
	size_t len, count = 0;

	for (; *p; p = comma ? comma + 1 : p + strlen(p)) {
		comma = strchr(p, ',');
		len = comma ? (size_t)(comma - p) : strlen(p);
		if (len == 0)
			continue;
		count++;
		if (want && strlen(want) == len && strncmp(want, p, len) == 0) {
			err_fmt(out, n, "%s", want);
			return 0;
		}
		if (!want && count == 1)
			err_fmt(out, n, "%.*s", (int)len, p);
	}
	if (want)
		return err_ret(EX_USAGE, err, errlen, "account %s is not one TWS manages (%s)", want,
		    *managed ? managed : "none");
	if (count == 1)
		return 0;
	if (count == 0)
		return err_ret(EX_UNAVAILABLE, err, errlen, "TWS manages no account");
	return err_ret(EX_UNAVAILABLE, err, errlen,
	    "TWS manages several accounts (%s): choose one with --account or IB_ACCOUNT", managed);
}

int
bk_is_paper(const char *account)
{
	return strncmp(account, "DU", 2) == 0;
}

int
bk_trading_allowed(const char *account, int live_flag, const char *ib_live)
{
	if (bk_is_paper(account))
		return 1;
	return live_flag && ib_live != NULL && strcmp(ib_live, "yes") == 0;
}
