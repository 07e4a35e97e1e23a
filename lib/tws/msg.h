/* tws/msg: the TWS API messages we speak, as C structs, with an encoder and a decoder for each.
 *
 * Field orders are those of server version 178 (see man/man7/sti-tws.7 and the reference in
 * ../shared/reference/tws-api.md). Encoders append one complete frame to a tws_wbuf and return 0, or -1
 * when out of memory. Decoders read a parsed tws_msg positioned at its first field (the message id) and
 * return 0, or -1 with m->err naming the field that is missing or malformed. Strings are copied into the
 * structs' fixed arrays (a longer value is a decode error), so decoded structs own nothing.
 *
 * Both directions exist for every message so that the client (lib/tws/client.c) and the simulated broker
 * (ib-sim) share one definition and the unit tests can round-trip each message. */
#ifndef STI_TWS_MSG_H
#define STI_TWS_MSG_H

#include "tws/codes.h"
#include "tws/wire.h"

/* The server versions at which a layout we speak changed, under the official client's names
 * (server_versions.py, EClient.java MIN_SERVER_VER_*). Every encoder and decoder whose layout differs
 * between TWS_MIN_VERSION and TWS_MAX_VERSION takes the negotiated version and follows these gates. */
enum tws_version {
	TWS_V_ENCODE_MSG_ASCII7 = 153,       /* error texts and longName arrive \uXXXX-escaped */
	TWS_V_SIZE_RULES = 164,              /* CONTRACT_DATA: no version field; minSize, sizeIncrement,
	                                      * suggestedSizeIncrement instead of mdSizeMultiplier, sizeMinTick */
	TWS_V_FRACTIONAL_SIZE_SUPPORT = 163, /* CONTRACT_DATA: sizeMinTick (until 164) */
	TWS_V_DURATION = 158,                /* PLACE_ORDER/OPEN_ORDER: duration */
	TWS_V_POST_TO_ATS = 160,             /* PLACE_ORDER/OPEN_ORDER: postToAts */
	TWS_V_AUTO_CANCEL_PARENT = 162,      /* PLACE_ORDER/OPEN_ORDER: autoCancelParent */
	TWS_V_ADVANCED_ORDER_REJECT = 166,   /* PLACE_ORDER advancedErrorOverride, ERR_MSG advancedOrderRejectJson */
	TWS_V_MANUAL_ORDER_TIME = 169,       /* PLACE_ORDER manualOrderTime, CANCEL_ORDER manualOrderCancelTime */
	TWS_V_PEGBEST_PEGMID_OFFSETS = 170,  /* OPEN_ORDER: minTradeQty .. midOffsetAtHalf */
	TWS_V_BOND_ISSUERID = 176,           /* REQ_CONTRACT_DATA: issuerId */
	TWS_V_FA_PROFILE_DESUPPORT = 177,    /* PLACE_ORDER/OPEN_ORDER: no faProfile from here on */
	TWS_V_PENDING_PRICE_REVISION = 178,  /* EXECUTION_DATA: pendingPriceRevision */
};

/* Outgoing (client to server) message ids. */
enum tws_out_id {
	TWS_OUT_REQ_HISTORICAL_DATA = 20,
	TWS_OUT_CANCEL_HISTORICAL_DATA = 25,
	TWS_OUT_PLACE_ORDER = 3,
	TWS_OUT_CANCEL_ORDER = 4,
	TWS_OUT_REQ_OPEN_ORDERS = 5,
	TWS_OUT_REQ_EXECUTIONS = 7,
	TWS_OUT_REQ_IDS = 8,
	TWS_OUT_REQ_CONTRACT_DATA = 9,
	TWS_OUT_REQ_ALL_OPEN_ORDERS = 16,
	TWS_OUT_REQ_CURRENT_TIME = 49,
	TWS_OUT_REQ_POSITIONS = 61,
	TWS_OUT_REQ_ACCOUNT_SUMMARY = 62,
	TWS_OUT_CANCEL_ACCOUNT_SUMMARY = 63,
	TWS_OUT_CANCEL_POSITIONS = 64,
	TWS_OUT_START_API = 71,
	TWS_OUT_REQ_COMPLETED_ORDERS = 99,
	TWS_OUT_REQ_MKT_DATA = 1,
	TWS_OUT_CANCEL_MKT_DATA = 2,
	TWS_OUT_REQ_MARKET_DATA_TYPE = 59,
	TWS_OUT_REQ_ACCOUNT_DATA = 6,      /* reqAccountUpdates */
	TWS_OUT_SET_SERVER_LOGLEVEL = 14,
	TWS_OUT_REQ_MANAGED_ACCTS = 17,
	TWS_OUT_REQ_GLOBAL_CANCEL = 58,
};

/* Incoming (server to client) message ids. */
enum tws_in_id {
	TWS_IN_ORDER_STATUS = 3,
	TWS_IN_ERR_MSG = 4,
	TWS_IN_OPEN_ORDER = 5,
	TWS_IN_NEXT_VALID_ID = 9,
	TWS_IN_CONTRACT_DATA = 10,
	TWS_IN_EXECUTION_DATA = 11,
	TWS_IN_MANAGED_ACCTS = 15,
	TWS_IN_HISTORICAL_DATA = 17,
	TWS_IN_CURRENT_TIME = 49,
	TWS_IN_CONTRACT_DATA_END = 52,
	TWS_IN_OPEN_ORDER_END = 53,
	TWS_IN_EXECUTION_DATA_END = 55,
	TWS_IN_COMMISSION_REPORT = 59,
	TWS_IN_POSITION_DATA = 61,
	TWS_IN_POSITION_END = 62,
	TWS_IN_ACCOUNT_SUMMARY = 63,
	TWS_IN_ACCOUNT_SUMMARY_END = 64,
	TWS_IN_COMPLETED_ORDER = 101,
	TWS_IN_COMPLETED_ORDERS_END = 102,
	TWS_IN_TICK_PRICE = 1,
	TWS_IN_TICK_SIZE = 2,
	TWS_IN_TICK_SNAPSHOT_END = 57,
	TWS_IN_MARKET_DATA_TYPE = 58,
	TWS_IN_TICK_REQ_PARAMS = 81,
	TWS_IN_ACCT_VALUE = 6,
	TWS_IN_PORTFOLIO_VALUE = 7,
	TWS_IN_ACCT_UPDATE_TIME = 8,
	TWS_IN_ACCT_DOWNLOAD_END = 54,
};

/* The message id of a parsed message (its first field), or -1 when it is not an integer. Does not move
 * m->pos. */
int tws_msg_id(const tws_msg *m);

/* ---- shared pieces ---- */

typedef struct tws_contract {
	int con_id;             /* IB contract id, 0 when unknown (then symbol + secType + exchange decide) */
	char symbol[32];        /* ticker, e.g. "AAPL" */
	char sec_type[8];       /* "STK" */
	char last_trade[16];    /* lastTradeDateOrContractMonth, "" for stocks */
	double strike;          /* TWS_UNSET_DOUBLE or 0 for stocks */
	char right[8];          /* "" for stocks */
	char multiplier[16];    /* "" for stocks */
	char exchange[16];      /* "SMART" */
	char primary_exch[16];  /* "NASDAQ", "NYSE" or "" */
	char currency[8];       /* "USD" */
	char local_symbol[32];  /* "" or the exchange's symbol */
	char trading_class[32]; /* "" or e.g. "NMS" */
} tws_contract;

/* A US stock on SMART in USD: the contract every tool of this project trades. This function can't fail
 * (a symbol longer than the field is cut). */
void tws_contract_stock(tws_contract *c, const char *symbol);

/* ---- session set-up ---- */

/* START_API: 71|2|clientId|optionalCapabilities| */
int tws_enc_start_api(tws_wbuf *b, int client_id, const char *capabilities);
int tws_dec_start_api(tws_msg *m, int *client_id, char *cap, size_t caplen);
/* MANAGED_ACCTS: 15|1|acct1,acct2| */
int tws_enc_managed_accts(tws_wbuf *b, const char *accounts);
int tws_dec_managed_accts(tws_msg *m, char *accounts, size_t n);
/* The same into a malloc'd copy of any length (advisor logins list many sub-accounts); *accounts is
 * replaced (the old copy freed) only on success. Returns 0, or -1 (malformed, or out of memory). */
int tws_dec_managed_accts_dup(tws_msg *m, char **accounts);
/* NEXT_VALID_ID: 9|1|orderId| */
int tws_enc_next_valid_id(tws_wbuf *b, long long order_id);
int tws_dec_next_valid_id(tws_msg *m, long long *order_id);
/* REQ_IDS: 8|1|numIds| */
int tws_enc_req_ids(tws_wbuf *b, int num_ids);
int tws_dec_req_ids(tws_msg *m, int *num_ids);
/* REQ_CURRENT_TIME: 49|1| ; CURRENT_TIME: 49|1|epochSeconds| */
int tws_enc_req_current_time(tws_wbuf *b);
int tws_enc_current_time(tws_wbuf *b, long long t);
int tws_dec_current_time(tws_msg *m, long long *t);

/* ERR_MSG: 4|2|id|code|msg|advancedOrderRejectJson| (id -1 for notices). */
typedef struct tws_error {
	int id;              /* request or order id, -1 for a notice */
	int code;            /* 162, 200, 201, 326, 2104 ... */
	char msg[512];       /* text; cut when longer */
	char advanced[256];  /* advancedOrderRejectJson, usually "" */
} tws_error;
int tws_enc_error(tws_wbuf *b, const tws_error *e);
/* For a peer at version (< 166: without advancedOrderRejectJson). */
int tws_enc_error_v(tws_wbuf *b, const tws_error *e, int version);
/* A message longer than e->msg is cut, not an error: error text is free-form. From version 153 on the
 * texts are unescaped as the official decoder does (each \uXXXX becomes that character, in UTF-8);
 * tws_dec_error reads as version 178. */
int tws_dec_error(tws_msg *m, tws_error *e);
int tws_dec_error_v(tws_msg *m, tws_error *e, int version);
/* Replace each \uXXXX in s (NUL-terminated, in place) by the character's UTF-8 bytes, pairing
 * surrogates; a malformed escape stays as it is. This function can't fail. */
void tws_unescape(char *s);
/* Which codes are failures, warnings or notices: tws/codes.h (tws_error_is_notice, tws_code_kind). */

/* ---- historical data ---- */

typedef struct tws_hist_req {
	int req_id;             /* chosen by the client */
	tws_contract contract;  /* which security */
	int include_expired;    /* 0 for stocks */
	char end[32];           /* "" (now), "yyyymmdd HH:MM:SS [TZ]" or "yyyymmdd-HH:MM:SS" (UTC) */
	char bar_size[16];      /* "1 day" */
	char duration[16];      /* "N S|D|W|M|Y", e.g. "1 Y" */
	int use_rth;            /* 1: regular trading hours only */
	char what[24];          /* "TRADES", "ADJUSTED_LAST", "MIDPOINT" ... */
	int format_date;        /* 1: yyyymmdd[ HH:MM:SS]; 2: epoch seconds */
	int keep_up_to_date;    /* 0: one answer */
} tws_hist_req;
/* REQ_HISTORICAL_DATA: the 23 fields of version 178 (barSize before duration, useRTH before whatToShow). */
int tws_enc_hist_req(tws_wbuf *b, const tws_hist_req *r);
int tws_dec_hist_req(tws_msg *m, tws_hist_req *r);
/* CANCEL_HISTORICAL_DATA: 25|1|reqId| */
int tws_enc_cancel_hist(tws_wbuf *b, int req_id);
int tws_dec_cancel_hist(tws_msg *m, int *req_id);

typedef struct tws_bar {
	char date[32];  /* "yyyymmdd" for daily bars */
	double open, high, low, close;
	double volume;  /* -1 when not applicable (MIDPOINT) */
	double wap;     /* volume-weighted average price, -1 when not applicable */
	int count;      /* trades in the bar, -1 when not applicable */
} tws_bar;

typedef struct tws_hist_data {
	int req_id;       /* the request's id */
	char start[32];   /* first date of the period covered */
	char end[32];     /* last */
	int nbars;        /* bars in bars[] */
	tws_bar *bars;    /* malloc'd by the decoder (tws_hist_data_free), borrowed by the encoder */
} tws_hist_data;
/* HISTORICAL_DATA: 17|reqId|start|end|count|{date|open|high|low|close|volume|wap|count|}... */
int tws_enc_hist_data(tws_wbuf *b, const tws_hist_data *d);
/* Allocates d->bars (free with tws_hist_data_free, also after a failure). A count that does not match the
 * fields present is an error. */
int tws_dec_hist_data(tws_msg *m, tws_hist_data *d);
void tws_hist_data_free(tws_hist_data *d);

/* ---- orders ---- */

typedef struct tws_order {
	long long order_id;   /* client-chosen, >= the last NEXT_VALID_ID */
	char action[8];       /* "BUY" or "SELL" (also "SSHORT") */
	double qty;           /* totalQuantity (a decimal at version >= 157) */
	char order_type[16];  /* "MKT", "LMT", "MOC", "LOC" ... */
	double lmt_price;     /* TWS_UNSET_DOUBLE when not a limit order */
	double aux_price;     /* TWS_UNSET_DOUBLE */
	char tif[8];          /* "DAY", "OPG", "GTC" */
	char oca_group[32];   /* "" */
	char account[32];     /* "" = the only account */
	char order_ref[128];  /* free text kept by the broker: our deterministic client_id */
	int transmit;         /* 0 = stage in TWS only (status Inactive) */
	long long parent_id;  /* 0 */
	int outside_rth;      /* 0 */
	int client_id;        /* in OPEN_ORDER: the API client that placed it */
	long long perm_id;    /* in OPEN_ORDER: the broker's permanent id */
} tws_order;

/* Defaults for a new order: transmit 1, unset prices, tif "DAY". This function can't fail. */
void tws_order_init(tws_order *o);

/* PLACE_ORDER: the 114 fields of version 178 for a stock order (no combo legs, algo, conditions). */
int tws_enc_place_order(tws_wbuf *b, const tws_contract *c, const tws_order *o);
/* The same at version: faProfile below 177; duration, postToAts, autoCancelParent, advancedErrorOverride
 * and manualOrderTime from 158, 160, 162, 166 and 169 (the official encoder's gates). */
int tws_enc_place_order_v(tws_wbuf *b, const tws_contract *c, const tws_order *o, int version);
/* Decodes what a version-178 client sends, including the optional groups (combo legs, delta-neutral,
 * scale, hedge, algo params) which are read and ignored; order conditions are refused (-1). */
int tws_dec_place_order(tws_msg *m, tws_contract *c, tws_order *o);
/* The same for a client that negotiated version (the gates of tws_enc_place_order_v). */
int tws_dec_place_order_v(tws_msg *m, tws_contract *c, tws_order *o, int version);
/* CANCEL_ORDER: 4|1|orderId|manualOrderCancelTime| (the last field from version 169) */
int tws_enc_cancel_order(tws_wbuf *b, long long order_id);
int tws_enc_cancel_order_v(tws_wbuf *b, long long order_id, int version);
int tws_dec_cancel_order(tws_msg *m, long long *order_id);
/* REQ_OPEN_ORDERS 5|1| · REQ_ALL_OPEN_ORDERS 16|1| · OPEN_ORDER_END 53|1| · REQ_POSITIONS 61|1| ·
 * CANCEL_POSITIONS 64|1| · POSITION_END 62|1|: an id and the version 1. */
int tws_enc_simple(tws_wbuf *b, int msg_id);

typedef struct tws_order_status {
	long long order_id;
	char status[24];        /* PendingSubmit, PreSubmitted, Submitted, Filled, Cancelled, Inactive ... */
	double filled;          /* shares filled so far */
	double remaining;       /* shares left */
	double avg_fill_price;  /* 0 before the first fill */
	long long perm_id;
	long long parent_id;
	double last_fill_price;
	int client_id;
	char why_held[32];
	double mkt_cap_price;
} tws_order_status;
/* ORDER_STATUS: 3|orderId|status|filled|remaining|avgFillPrice|permId|parentId|lastFillPrice|clientId|
 * whyHeld|mktCapPrice| (no version field at >= 131). */
int tws_enc_order_status(tws_wbuf *b, const tws_order_status *s);
int tws_dec_order_status(tws_msg *m, tws_order_status *s);

typedef struct tws_open_order {
	tws_contract contract;
	tws_order order;
	char status[24];        /* the order state's status */
	double commission;      /* TWS_UNSET_DOUBLE until known */
	char warning[128];      /* the order state's warning text */
} tws_open_order;
/* OPEN_ORDER at version 178 (the long form that the official decoder reads, without faProfile). */
int tws_enc_open_order(tws_wbuf *b, const tws_open_order *o);
/* For a client that negotiated version (< 177: with faProfile; duration, postToAts, autoCancelParent and
 * the five PEG BEST/PEG MID fields from 158, 160, 162 and 170). */
int tws_enc_open_order_v(tws_wbuf *b, const tws_open_order *o, int version);
/* tws_dec_open_order reads version 178; tws_dec_open_order_v what a server at version sends. */
int tws_dec_open_order(tws_msg *m, tws_open_order *o);
int tws_dec_open_order_v(tws_msg *m, tws_open_order *o, int version);

/* REQ_COMPLETED_ORDERS: 99|apiOnly| (no version field). apiOnly 1: only orders placed through the API. */
int tws_enc_req_completed_orders(tws_wbuf *b, int api_only);
int tws_dec_req_completed_orders(tws_msg *m, int *api_only);

/* An order that is done (filled, cancelled, rejected) as COMPLETED_ORDER reports it: no order id and no
 * client id (order.order_id and order.client_id stay 0), the permId and the orderRef identify it. */
typedef struct tws_completed_order {
	tws_contract contract;  /* 11 fields: no primaryExchange */
	tws_order order;        /* action .. orderRef, perm_id, outside_rth */
	char status[24];        /* the order state's status: "Filled", "Cancelled" ... */
	double filled;          /* filledQuantity; TWS_UNSET_DOUBLE when not sent */
	long long parent_perm_id;
	char completed_time[40];   /* e.g. "20231122 10:30:00 America/New_York" */
	char completed_status[128];/* free text, e.g. "Filled Size: 100" or "Cancelled by Trader" */
} tws_completed_order;
/* COMPLETED_ORDER (101), no version field, as ib_async 2.0.1's decoder reads it (decoder.py
 * completedOrder): contract, action .. orderRef, permId, outsideRth .. faPercentage, faProfile below 177,
 * modelCode .. deltaNeutralAuxPrice, the combo groups, the scale, hedge and algo groups, solicited, status,
 * randomize flags, conditions, trailStopPrice .. parentPermId, completedTime, completedStatus, and from
 * version 170 minTradeQty .. midOffsetAtHalf. The decoder needs the negotiated version. */
int tws_enc_completed_order_v(tws_wbuf *b, const tws_completed_order *x, int version);
int tws_dec_completed_order(tws_msg *m, tws_completed_order *x, int version);
/* COMPLETED_ORDERS_END: 102| (nothing else; the official decoder reads no field). */
int tws_enc_completed_orders_end(tws_wbuf *b);

/* ---- market data: one snapshot ---- */

/* Tick types (IB's TickType): live and delayed. */
enum {
	TWS_TICK_BID = 1, TWS_TICK_ASK = 2, TWS_TICK_LAST = 4, TWS_TICK_HIGH = 6, TWS_TICK_LOW = 7,
	TWS_TICK_VOLUME = 8, TWS_TICK_CLOSE = 9, TWS_TICK_OPEN = 14,
	TWS_TICK_DELAYED_BID = 66, TWS_TICK_DELAYED_ASK = 67, TWS_TICK_DELAYED_LAST = 68,
	TWS_TICK_DELAYED_HIGH = 72, TWS_TICK_DELAYED_LOW = 73, TWS_TICK_DELAYED_VOLUME = 74,
	TWS_TICK_DELAYED_CLOSE = 75, TWS_TICK_DELAYED_OPEN = 76,
};

typedef struct tws_mkt_req {
	int req_id;
	tws_contract contract;     /* 12 fields, primaryExchange included */
	char generic_ticks[64];    /* "" for a snapshot */
	int snapshot;              /* 1: one snapshot, ended by TICK_SNAPSHOT_END */
	int regulatory;            /* 1: a regulatory snapshot (billed): never sent by us */
} tws_mkt_req;
/* REQ_MKT_DATA: 1|11|reqId|contract|deltaNeutralContract (0)|genericTickList|snapshot|regulatorySnapshot|
 * mktDataOptions| (ib_async client.py reqMktData; a BAG's legs are not supported). */
int tws_enc_mkt_req(tws_wbuf *b, const tws_mkt_req *r);
int tws_dec_mkt_req(tws_msg *m, tws_mkt_req *r);
/* REQ_MARKET_DATA_TYPE: 59|1|type| (1 live, 2 frozen, 3 delayed, 4 delayed frozen). CANCEL_MKT_DATA:
 * 2|2|reqId|. */
int tws_enc_market_data_type_req(tws_wbuf *b, int type);
int tws_dec_market_data_type_req(tws_msg *m, int *type);
int tws_enc_cancel_mkt(tws_wbuf *b, int req_id);

typedef struct tws_tick {
	int req_id;
	int type;        /* TWS_TICK_* */
	double price;    /* TICK_PRICE; TWS_UNSET_DOUBLE for a size tick */
	double size;     /* TICK_PRICE's size or TICK_SIZE's; TWS_UNSET_DOUBLE when none */
	int attr;        /* TICK_PRICE's attribute mask */
} tws_tick;
/* TICK_PRICE: 1|6|reqId|tickType|price|size|attrMask| ; TICK_SIZE: 2|6|reqId|tickType|size| */
int tws_enc_tick_price(tws_wbuf *b, const tws_tick *t);
int tws_enc_tick_size(tws_wbuf *b, const tws_tick *t);
/* Either message into t (the other's fields unset). */
int tws_dec_tick(tws_msg *m, tws_tick *t);
/* TICK_SNAPSHOT_END: 57|1|reqId| ; MARKET_DATA_TYPE: 58|1|reqId|type| ;
 * TICK_REQ_PARAMS: 81|reqId|minTick|bboExchange|snapshotPermissions| */
int tws_enc_tick_snapshot_end(tws_wbuf *b, int req_id);
int tws_enc_market_data_type(tws_wbuf *b, int req_id, int type);
int tws_enc_tick_req_params(tws_wbuf *b, int req_id, double min_tick, const char *bbo, int permissions);

/* ---- contract details ---- */

/* REQ_CONTRACT_DATA: 9|8|reqId|conId|symbol|secType|lastTradeDate|strike|right|multiplier|exchange|
 * primaryExchange|currency|localSymbol|tradingClass|includeExpired|secIdType|secId|issuerId| (issuerId from
 * version 176; client.py reqContractDetails). */
int tws_enc_req_contract_v(tws_wbuf *b, int req_id, const tws_contract *c, int version);
int tws_dec_req_contract_v(tws_msg *m, int *req_id, tws_contract *c, int version);

typedef struct tws_contract_details {
	int req_id;
	tws_contract contract;   /* conId, symbol, secType ... primaryExchange (the answer's) */
	char market_name[32];
	double min_tick;
	char long_name[128];     /* "APPLE INC" (unescaped) */
	char industry[64], category[64];
	char time_zone[48];      /* "US/Eastern" */
	char stock_type[16];     /* "COMMON", "ETF", "PREFERRED" ... */
} tws_contract_details;
/* CONTRACT_DATA for a stock, as decoder.py processContractDataMsg reads it at versions 157..178: a version
 * field below 164, then reqId, the contract, marketName .. liquidHours, evRule, evMultiplier, secIdList,
 * aggGroup, underSymbol, underSecType, marketRuleIds, realExpirationDate, stockType, and sizeMinTick (163)
 * or minSize, sizeIncrement, suggestedSizeIncrement (from 164). Fields we do not keep are written empty
 * or 0 and skipped when read; a secIdList is read and ignored. */
int tws_enc_contract_data_v(tws_wbuf *b, const tws_contract_details *d, int version);
int tws_dec_contract_data_v(tws_msg *m, tws_contract_details *d, int version);
/* CONTRACT_DATA_END: 52|1|reqId| (read with tws_dec_id_version_req) */
int tws_enc_contract_data_end(tws_wbuf *b, int req_id);

/* ---- executions ---- */

typedef struct tws_exec_filter {
	int client_id;      /* 0 = every client */
	char account[32];   /* "" = every account */
	char time[48];      /* "yyyymmdd HH:MM:SS ZONE" (e.g. US/Eastern), or "yyyymmdd-HH:MM:SS" in UTC:
	                     * executions from then on, "" = all. A time without a zone is the gateway's
	                     * local time, which IB warns about (2174): always give one. */
	char symbol[32];    /* "" = all */
	char sec_type[8];
	char exchange[16];
	char side[8];       /* "BUY", "SELL" or "" */
} tws_exec_filter;
/* REQ_EXECUTIONS: 7|3|reqId|clientId|acctCode|time|symbol|secType|exchange|side| */
int tws_enc_req_executions(tws_wbuf *b, int req_id, const tws_exec_filter *f);
int tws_dec_req_executions(tws_msg *m, int *req_id, tws_exec_filter *f);

typedef struct tws_exec {
	int req_id;             /* the request's id, -1 for a fill reported as it happens */
	long long order_id;
	tws_contract contract;
	char exec_id[64];       /* unique per execution; joins COMMISSION_REPORT */
	char time[40];          /* "yyyymmdd HH:MM:SS US/Eastern" */
	char account[32];
	char exchange[16];
	char side[8];           /* "BOT" or "SLD" */
	double shares;
	double price;
	long long perm_id;
	int client_id;
	int liquidation;
	double cum_qty;
	double avg_price;
	char order_ref[128];    /* the order's orderRef */
	char ev_rule[32];
	double ev_multiplier;
	char model_code[32];
	int last_liquidity;
	int pending_price_revision; /* version 178 */
} tws_exec;
/* EXECUTION_DATA: 11|reqId|orderId|contract(12)|execId|time|acct|exchange|side|shares|price|permId|
 * clientId|liquidation|cumQty|avgPrice|orderRef|evRule|evMultiplier|modelCode|lastLiquidity|
 * pendingPriceRevision| */
int tws_enc_exec(tws_wbuf *b, const tws_exec *e);
/* For a client that negotiated version (< 178: without pendingPriceRevision). */
int tws_enc_exec_v(tws_wbuf *b, const tws_exec *e, int version);
int tws_dec_exec(tws_msg *m, tws_exec *e);
/* EXECUTION_DATA_END: 55|1|reqId| */
int tws_enc_exec_end(tws_wbuf *b, int req_id);
int tws_dec_exec_end(tws_msg *m, int *req_id);

typedef struct tws_commission {
	char exec_id[64];
	double commission;
	char currency[8];
	double realized_pnl;   /* TWS_UNSET_DOUBLE when the fill opened a position */
	double yield;          /* TWS_UNSET_DOUBLE */
	int yield_redemption_date; /* 0 */
} tws_commission;
/* COMMISSION_REPORT: 59|1|execId|commission|currency|realizedPNL|yield|yieldRedemptionDate|, written as TWS
 * writes it: an unset realizedPNL or yield as 1.7976931348623157E308, no redemption date as "". */
int tws_enc_commission(tws_wbuf *b, const tws_commission *c);
int tws_dec_commission(tws_msg *m, tws_commission *c);

/* ---- portfolio ---- */

typedef struct tws_position {
	char account[32];
	tws_contract contract;
	double position;   /* shares, negative when short */
	double avg_cost;   /* per share, commissions included */
} tws_position;
/* POSITION_DATA: 61|3|account|contract (11: no primaryExchange)|position|avgCost| */
int tws_enc_position(tws_wbuf *b, const tws_position *p);
int tws_dec_position(tws_msg *m, tws_position *p);

/* REQ_ACCOUNT_SUMMARY: 62|1|reqId|group|tags| (tags comma-separated, e.g. "NetLiquidation,TotalCashValue") */
int tws_enc_req_account_summary(tws_wbuf *b, int req_id, const char *group, const char *tags);
int tws_dec_req_account_summary(tws_msg *m, int *req_id, char *group, size_t glen, char *tags, size_t tlen);
/* CANCEL_ACCOUNT_SUMMARY: 63|1|reqId| ; ACCOUNT_SUMMARY_END: 64|1|reqId| */
int tws_enc_cancel_account_summary(tws_wbuf *b, int req_id);
int tws_enc_account_summary_end(tws_wbuf *b, int req_id);
/* Both read "id|1|reqId|". */
int tws_dec_id_version_req(tws_msg *m, int *req_id);

typedef struct tws_account_value {
	int req_id;
	char account[32];
	char tag[48];       /* "NetLiquidation", "TotalCashValue", "AvailableFunds" ... */
	char value[48];     /* a decimal as text */
	char currency[8];
} tws_account_value;
/* ACCOUNT_SUMMARY: 63|1|reqId|account|tag|value|currency| */
int tws_enc_account_summary(tws_wbuf *b, const tws_account_value *v);
int tws_dec_account_summary(tws_msg *m, tws_account_value *v);

/* ---- account updates (reqAccountUpdates), in the layouts of the official EDecoder ---- */

/* REQ_ACCOUNT_DATA: 6|2|subscribe|acctCode| */
int tws_enc_req_account_updates(tws_wbuf *b, int subscribe, const char *account);
int tws_dec_req_account_updates(tws_msg *m, int *subscribe, char *account, size_t n);
/* ACCT_VALUE: 6|2|key|value|currency|accountName| (key in tag; req_id unused) */
int tws_enc_acct_value(tws_wbuf *b, const tws_account_value *v);
int tws_dec_acct_value(tws_msg *m, tws_account_value *v);

typedef struct tws_portfolio_value {
	tws_contract contract;  /* conId, symbol, secType, lastTrade, strike, right, multiplier, primaryExch,
	                         * currency, localSymbol, tradingClass */
	double position;
	double market_price;
	double market_value;
	double avg_cost;
	double unrealized_pnl;
	double realized_pnl;
	char account[32];
} tws_portfolio_value;
/* PORTFOLIO_VALUE: 7|8|conId|symbol|secType|lastTrade|strike|right|multiplier|primaryExch|currency|
 * localSymbol|tradingClass|position|marketPrice|marketValue|averageCost|unrealizedPNL|realizedPNL|
 * accountName| */
int tws_enc_portfolio_value(tws_wbuf *b, const tws_portfolio_value *p);
int tws_dec_portfolio_value(tws_msg *m, tws_portfolio_value *p);
/* ACCT_UPDATE_TIME: 8|1|HH:MM| ; ACCT_DOWNLOAD_END: 54|1|accountName| */
int tws_enc_acct_update_time(tws_wbuf *b, const char *hhmm);
int tws_enc_acct_download_end(tws_wbuf *b, const char *account);

#endif
