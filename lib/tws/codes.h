/* tws/codes: what the codes of TWS's ERR_MSG mean.
 *
 * TWS sends errors, warnings and status notices through the one ERR_MSG message. Treating them all as
 * failures is the classic mistake: a market-data farm reconnecting (2104), an order whose time in force a
 * preset changed (10349) or a short sale waiting for a locate (404) is not a failure, and the order it
 * names is working. The table is built from IB's message-code list (the official API documentation,
 * message_codes: system codes 1100-1300, warning codes 2100-2169) and ib_async's handling (wrapper.py
 * error(): 2100-2199 and 105, 110, 165, 321, 329, 399, 404, 434, 492, 10167 are warnings there); where the
 * two disagree for what we do (a new order or a request, never a modification), the comment in codes.c
 * says why. Only final states end an order (Filled, Cancelled, ApiCancelled, Inactive) or a failure code:
 * a warning never does. */
#ifndef STI_TWS_CODES_H
#define STI_TWS_CODES_H

enum tws_code_kind {
	TWS_CODE_FAILURE = 0, /* the request or order it names failed, or (id -1) something is wrong */
	TWS_CODE_NOTICE,      /* status information: nothing failed (2104 farm connection OK ...) */
	TWS_CODE_WARNING,     /* about an order or a request that goes on: the order is working */
	TWS_CODE_LINK_LOST,   /* 1100: TWS lost its connection to IB; the socket to TWS stays up */
	TWS_CODE_LINK_BACK,   /* 1101 (restored, subscriptions lost) and 1102 (restored, data kept) */
};

/* The kind of a code; codes not in the table are failures. This function can't fail. */
enum tws_code_kind tws_code_kind(int code);
/* A short description for messages ("order warning", "data farm status" ...), "error" when unknown. */
const char *tws_code_what(int code);
/* 1 when the code is not a failure of what it names: notices, warnings and 1101/1102. 1100 is not: the
 * link is down. */
int tws_error_is_notice(int code);

#endif
