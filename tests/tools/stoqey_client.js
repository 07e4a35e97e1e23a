// stoqey_client.js: @stoqey/ib (an independent TWS API client for Node.js, its own encoder and decoder) as
// a client of ib-sim, for the tool tests. One command per run; one line per answer on stdout.
//   node stoqey_client.js PORT CLIENT_ID contract SYMBOL    conId,symbol,primaryExch,currency,longName | error CODE
//   node stoqey_client.js PORT CLIENT_ID bars SYMBOL DURATION USE_RTH
//                                                          date,open,high,low,close,volume per bar, then "end"
//   node stoqey_client.js PORT CLIENT_ID order ID SYMBOL ACTION QTY TYPE TIF
//                                                          "warning CODE", "error CODE", "status ID STATUS"
//   node stoqey_client.js PORT CLIENT_ID pushed            "open REF CLIENT STATUS" for each order the gateway
//                                                          sends unasked at connect, then "end" at its openOrderEnd
//   node stoqey_client.js PORT CLIENT_ID completed         "done REF PERMID STATUS" per completed order, then "end"
//   node stoqey_client.js PORT CLIENT_ID account           reqAccountUpdates: "value KEY VALUE CURRENCY ACCOUNT",
//                                                          "portfolio SYMBOL POS PRICE VALUE AVGCOST UNRLZD RLZD
//                                                          ACCOUNT", "time HH:MM", then "end ACCOUNT"
//   node stoqey_client.js PORT CLIENT_ID execs             "comm SIDE SHARES PRICE COMMISSION REALIZEDPNL" per
//                                                          execution (REALIZEDPNL as stoqey decodes it:
//                                                          "undefined" for TWS's 1.7976931348623157E308), "end"
// Exit status 0 when the run answered, 1 on an error for the request, 2 on a timeout or a lost connection.
"use strict";
const path = require("path");
const { IBApi, EventName } = require(path.join(__dirname, "..", "node_modules", "@stoqey", "ib"));

const [port, clientId, cmd, ...args] = process.argv.slice(2);
const ib = new IBApi({ host: "127.0.0.1", port: Number(port) });
const REQ = 7001;
let status = 2;
const done = (rc) => { status = rc; ib.disconnect(); setTimeout(() => process.exit(status), 50); };
setTimeout(() => { console.log("timeout"); done(2); }, 15000);
const stock = (symbol) => ({ symbol, secType: "STK", exchange: "SMART", currency: "USD" });

ib.on(EventName.error, (err, code, reqId) => {
    if (code >= 2100 && code < 2200) return; // farm notices
    if (reqId === REQ || reqId === Number(args[0])) {
        console.log(`error ${code} ${err && err.message ? err.message : err}`);
        if (cmd !== "order" || code === 201 || code === 202) done(1);
    }
});
ib.on(EventName.disconnected, () => { if (status === 2) process.exit(2); });
ib.on(EventName.contractDetails, (reqId, d) => {
    const c = d.contract;
    console.log([c.conId, c.symbol, c.primaryExch, c.currency, d.longName].join(","));
});
ib.on(EventName.contractDetailsEnd, () => done(0));
ib.on(EventName.historicalData, (reqId, time, open, high, low, close, volume) => {
    if (String(time).startsWith("finished")) { console.log("end"); done(0); return; }
    console.log([time, open, high, low, close, volume].join(","));
});
ib.on(EventName.orderStatus, (id, st) => {
    console.log(`status ${id} ${st}`);
    if (st === "PreSubmitted" || st === "Submitted" || st === "Filled" || st === "Cancelled") done(0);
});

ib.on(EventName.openOrder, (id, c, o, st) => {
    if (cmd === "pushed") console.log(`open ${o.orderRef} ${o.clientId} ${st.status}`);
});
ib.on(EventName.openOrderEnd, () => { if (cmd === "pushed") { console.log("end"); done(0); } });
ib.on(EventName.completedOrder, (c, o, st) => {
    if (cmd === "completed") console.log(`done ${o.orderRef} ${o.permId} ${st.status}`);
});
ib.on(EventName.completedOrdersEnd, () => { if (cmd === "completed") { console.log("end"); done(0); } });

ib.on(EventName.updateAccountValue, (key, value, currency, account) => {
    if (cmd === "account") console.log(`value ${key} ${value} ${currency} ${account}`);
});
ib.on(EventName.updatePortfolio, (c, pos, price, value, avgCost, unrealized, realized, account) => {
    if (cmd === "account") console.log(`portfolio ${c.symbol} ${pos} ${price} ${value} ${avgCost} ${unrealized} ${realized} ${account}`);
});
ib.on(EventName.updateAccountTime, (t) => { if (cmd === "account") console.log(`time ${t}`); });
ib.on(EventName.accountDownloadEnd, (account) => {
    if (cmd === "account") { console.log(`end ${account}`); ib.reqAccountUpdates(false, account); done(0); }
});
const execs = {};
let execsEnded = false;
const execsDone = () => {
    if (!execsEnded || Object.values(execs).some((e) => e.comm === undefined)) return;
    for (const e of Object.values(execs)) console.log(`comm ${e.side} ${e.shares} ${e.price} ${e.comm} ${e.pnl}`);
    console.log("end");
    done(0);
};
ib.on(EventName.execDetails, (reqId, c, e) => {
    if (cmd !== "execs") return;
    const x = execs[e.execId] || (execs[e.execId] = {});
    Object.assign(x, { side: e.side, shares: e.shares, price: e.price });
});
ib.on(EventName.commissionReport, (r) => {
    if (cmd !== "execs") return;
    const x = execs[r.execId] || (execs[r.execId] = {});
    Object.assign(x, { comm: r.commission, pnl: r.realizedPNL });
    execsDone();
});
ib.on(EventName.execDetailsEnd, () => { if (cmd === "execs") { execsEnded = true; execsDone(); } });

ib.once(EventName.nextValidId, () => {
    if (cmd === "account") {
        ib.reqAccountUpdates(true, "");
    } else if (cmd === "execs") {
        ib.reqExecutions(REQ, {});
    } else if (cmd === "pushed") {
        // nothing to ask: the gateway's push follows the connection
    } else if (cmd === "completed") {
        ib.reqCompletedOrders(false);
    } else if (cmd === "contract") {
        ib.reqContractDetails(REQ, stock(args[0]));
    } else if (cmd === "bars") {
        ib.reqHistoricalData(REQ, stock(args[0]), "", args[1], "1 day", "TRADES", Number(args[2]), 1, false);
    } else if (cmd === "order") {
        const [id, symbol, action, qty, orderType, tif] = args;
        ib.placeOrder(Number(id), stock(symbol), { action, totalQuantity: Number(qty), orderType, tif,
            transmit: true, orderRef: "stoqey" });
    } else {
        console.log("unknown command " + cmd);
        done(2);
    }
});
ib.connect(Number(clientId));
