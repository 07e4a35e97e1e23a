/* ib/check: the second price. No order leaves with a notional checked only against the price that
 * sized it: before anything is placed, ib-submit asks the broker itself for each security's latest price,
 * either its latest daily bar (reqHistoricalData, TRADES, regular hours: the close) or a delayed
 * market-data snapshot (reqMarketDataType 3, reqMktData with snapshot 1: the last trade, else the previous
 * close), and checks every order against it.
 *
 * An order is refused when the broker has no price for it, when its ref_price (the close that sized it) is
 * missing or lies outside band (a fraction: 0.25 = 25%) of the broker's close, or when its notional at the
 * broker's price (a BUY limit order at the higher of the price and its limit) is over max_order. Those are
 * per order. The run's total notional at the broker's prices over max_run refuses the whole run. A close 100x
 * too low in the data thus becomes a refusal, not an order of 100x the shares. */
#ifndef STI_IB_CHECK_H
#define STI_IB_CHECK_H

#include "ib/order.h"
#include "tws/client.h"

enum bk_px_source { BK_PX_BAR, BK_PX_SNAPSHOT };

typedef struct bk_broker_px {
	double close;        /* the broker's latest price; NaN when it gave none */
	char date[16];       /* the bar's date, YYYY-MM-DD; "snapshot" for a snapshot's price */
	char why[160];       /* why there is no price */
} bk_broker_px;

/* The broker's latest price for every order of o (one request per distinct symbol, over c) from src. px
 * holds o->n entries. Returns 0, or a sysexits code with err set: tws_code(c) when the connection is gone
 * for good, EX_OSERR when memory ran out. */
int bk_broker_prices(tws_client *c, const bk_orders *o, enum bk_px_source src, bk_broker_px *px, char *err,
    size_t errlen);

/* Check every order of o against px (see above; max_order/max_run NaN: no limit). refused[i] is set for
 * each order refused; *run_refused when the run total is over max_run. refuse(ctx, msg) is called for each
 * refusal. Returns the number of refusals. */
size_t bk_ord_check_broker(const bk_orders *o, const bk_broker_px *px, double band, double max_order,
    double max_run, unsigned char *refused, int *run_refused, void (*refuse)(void *ctx, const char *msg),
    void *ctx);

#endif
