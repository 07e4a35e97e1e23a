#include "tws/codes.h"

#include <stddef.h>

/* The table: the first entry whose range holds the code decides. Sources: IB = the official message-code
 * list (docs/content/errors/message_codes of the TWS API); ib_async = wrapper.py error() 2.0.1; issue 15 =
 * the audit of real gateways behind issue 15. */
static const struct code {
	int lo, hi;
	enum tws_code_kind kind;
	const char *what;
} codes[] = {
	/* IB: "Connectivity between IB and the TWS has been lost" / "... restored - data lost" (market data
	 * requests must be re-submitted) / "... restored - data maintained". */
	{ 1100, 1100, TWS_CODE_LINK_LOST, "TWS lost its connection to IB" },
	{ 1101, 1101, TWS_CODE_LINK_BACK, "connection to IB restored, data lost" },
	{ 1102, 1102, TWS_CODE_LINK_BACK, "connection to IB restored, data kept" },
	/* IB, warning codes: 2109 "Attribute Outside Regular Trading Hours is ignored ... PlaceOrder is now
	 * processed", 2137 cross side warning: the order goes on. */
	{ 2109, 2109, TWS_CODE_WARNING, "order warning" },
	{ 2137, 2137, TWS_CODE_WARNING, "order warning" },
	/* IB: 2100-2169 are warnings and farm status (2103/2105 farm disconnected, 2104/2106/2158 connected,
	 * 2107/2108 inactive, 2110 TWS-server connectivity broken, restored automatically); ib_async takes
	 * 2100-2199 as warnings. */
	{ 2100, 2199, TWS_CODE_NOTICE, "status notice" },
	/* ib_async: 399 "Order message error" carries warnings about a working order ("your order will not be
	 * placed at the exchange until ..."); IB: 404 "Shares for this order are not immediately available
	 * for short sale. The order will be held while we attempt to locate the shares"; issue 15: 10349
	 * "Order TIF was set to DAY based on order preset" arrives for a live order. */
	{ 399, 399, TWS_CODE_WARNING, "order warning" },
	{ 404, 404, TWS_CODE_WARNING, "order held for a locate" },
	{ 10349, 10349, TWS_CODE_WARNING, "order warning" },
	/* ib_async: 105 (order being modified does not match) and 329 (order modify failed) leave the
	 * original order working. 110, 321, 434 and 492 are warnings there only for modifications (ib_async
	 * itself fails a new order's 110): we place new orders and requests, for which they are failures. */
	{ 105, 105, TWS_CODE_WARNING, "order warning" },
	{ 329, 329, TWS_CODE_WARNING, "order warning" },
	/* ib_async: 165 "Historical market Data Service query message" and 10167 "displaying delayed market
	 * data" are information. */
	{ 165, 165, TWS_CODE_NOTICE, "historical data notice" },
	{ 10167, 10167, TWS_CODE_NOTICE, "delayed market data" },
};

static const struct code *
find(int code)
{
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
		if (code >= codes[i].lo && code <= codes[i].hi)
			return &codes[i];
	return NULL;
}

enum tws_code_kind
tws_code_kind(int code)
{
	const struct code *c = find(code);

	return c ? c->kind : TWS_CODE_FAILURE;
}

const char *
tws_code_what(int code)
{
	const struct code *c = find(code);

	return c ? c->what : "error";
}

int
tws_error_is_notice(int code)
{
	enum tws_code_kind k = tws_code_kind(code);

	return k == TWS_CODE_NOTICE || k == TWS_CODE_WARNING || k == TWS_CODE_LINK_BACK;
}
