#!/usr/bin/python3
"""check: read a dash-gen page back and compare its numbers with the inputs it was made from.

  check.py explorer BROWSER.json GRID.csv   the explorer's picks against the grid CSV
  check.py backtest PAGE DIR    DIR holds equity.csv metrics.json weights.csv sweep.csv
  check.py live PAGE ROOT       ROOT is the store the page was made from
  check.py offline PAGE         the page asks for nothing over the network
  check.py browser REPORT URL FIGURES TABLES   a dash-browser.js report

Every table cell and chart mark carries data-v (the raw number); the cell text is the same number
formatted for people, which is checked too. Exits 1 with a message on the first difference."""
import csv
import html.parser
import json
import math
import os
import re
import sys

import pandas as pd

MINUS = "\u2212"


class Page(html.parser.HTMLParser):
    """Tables (id -> rows of (text, data-v) cells), elements by id, data-v of chart marks by figure id."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.tables, self.marks, self.byid, self.attrs_of, self.keys = {}, {}, {}, [], {}
        self._table = self._row = self._cell = None
        self._figure = None
        self._head = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.byid[a["id"]] = a
        self.attrs_of.append((tag, a))
        if tag == "tr" and self._table is not None and "data-k" in a:
            self.keys.setdefault(self._tid, []).append(a["data-k"])
        if tag == "table":
            self._table = self.tables.setdefault(a.get("id"), [])
            self._tid = a.get("id")
        elif tag == "thead":
            self._head = True
        elif tag == "tr" and self._table is not None:
            self._row = []
            if not self._head:  # header rows are not data
                self._table.append(self._row)
        elif tag in ("td", "th") and self._row is not None:
            self._cell = [a.get("data-v"), ""]
        elif tag == "figure":
            self._figure = a.get("id")
            self.marks[self._figure] = []
        elif tag == "rect" and self._figure and "data-v" in a:
            self.marks[self._figure].append(float(a["data-v"]))
        elif tag == "g" and self._figure and "data-p" in a:
            self.marks[self._figure + ":p"] = a["data-p"]

    def handle_endtag(self, tag):
        if tag == "thead":
            self._head = False
        elif tag in ("td", "th") and self._cell is not None:
            self._row.append((self._cell[1].strip(), self._cell[0]))
            self._cell = None
        elif tag == "table":
            self._table = None
        elif tag == "figure":
            self._figure = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[1] += data


def fail(msg):
    sys.exit("check: " + msg)


def same(a, b, what, rel=0.0):
    if a is None or b is None or (isinstance(b, float) and math.isnan(b)):
        if not ((a is None or a == "") and (b is None or (isinstance(b, float) and math.isnan(b)))):
            fail("%s: page %r, input %r" % (what, a, b))
        return
    a = float(a)
    if rel == 0.0 and a != b:
        fail("%s: page %r, input %r" % (what, a, b))
    if rel and abs(a - b) > rel * max(abs(b), 1e-12):
        fail("%s: page %r, input %r" % (what, a, b))


def num(text):
    """A number as the page shows it: '−1,234.5%' -> -1234.5."""
    t = text.replace(MINUS, "-").replace(",", "").replace("$", "").replace("%", "").replace("\u00d7", "")
    t = t.replace(" bp", "")
    return float(t)


def shown(text, value, scale, dec, what):
    """The text shows value*scale rounded to dec decimals."""
    want = round(value * scale, dec)
    got = num(text)
    if abs(got - want) > 0.51 * 10 ** -dec:
        fail("%s: shows %r, input %r" % (what, text, value))


def check_backtest(path, d):
    page = Page(open(path, encoding="utf-8").read())
    m = json.load(open(os.path.join(d, "metrics.json")))
    # Metrics table: every metric of both columns, exactly.
    body = [r for r in page.tables["metrics"] if len(r) == 3 and r[1][1] is not None]
    keys = page.keys["metrics"]
    if len(body) != len(keys) or len(keys) < 18:
        fail("metrics table has %d rows, %d keys" % (len(body), len(keys)))
    for k, r in zip(keys, body):
        same(r[1][1], m["strategy"].get(k, float("nan")), "metrics %s strategy" % k)
        same(r[2][1], m["benchmark"].get(k, float("nan")), "metrics %s benchmark" % k)
        if k in ("cagr", "max_drawdown", "volatility", "cumulative_return"):
            shown(r[1][0], m["strategy"][k], 100, 2, "metrics %s text" % k)
        if k in ("sharpe", "sortino", "calmar"):
            shown(r[1][0], m["strategy"][k], 1, 2, "metrics %s text" % k)
    # More metrics: a metric the metrics JSON has (backtest(1) writes quantstats' whole report) is its number.
    more = [r for r in page.tables.get("metrics-more", []) if len(r) == 3 and r[0][0] != "Metric"]
    for k, r in zip(page.keys.get("metrics-more", []), more):
        for col, who in ((1, "strategy"), (2, "benchmark")):
            if k in m[who]:
                same(r[col][1], m[who][k] if m[who][k] is not None else float("nan"), "more %s %s" % (k, who))
    for k in ("cagr", "sharpe", "max_drawdown", "cumulative_return"):
        kpi = [a for t, a in page.attrs_of if t == "div" and a.get("class", "").startswith("v")]
        ids = [a["id"] for t, a in page.attrs_of if t == "div" and a.get("class") == "kpi"]
        same(kpi[ids.index("kpi-" + k)]["data-v"], m["strategy"][k], "kpi " + k)
    # Yearly table and bars.
    yr = [r for r in page.tables["yearly"] if len(r) == 4 and r[1][1] is not None]
    if len(yr) != len(m["yearly"]):
        fail("yearly rows %d, input %d" % (len(yr), len(m["yearly"])))
    for r, y in zip(yr, m["yearly"]):
        if int(r[0][0].rstrip("*")) != y["year"]:
            fail("yearly year %s vs %s" % (r[0][0], y["year"]))
        same(r[1][1], y["strategy"], "yearly %d strategy" % y["year"])
        same(r[2][1], y["benchmark"], "yearly %d benchmark" % y["year"])
        shown(r[1][0], y["strategy"], 100, 2, "yearly %d text" % y["year"])
    bars = page.marks["chart-yearly"]
    want = [v for y in m["yearly"] for v in (y["strategy"], y["benchmark"])]
    if bars != want:
        fail("yearly bars differ from the metrics")
    # Monthly heatmap: every month's cell, plus the year column.
    cells = page.marks["chart-monthly"]
    want = sorted([x["strategy"] for x in m["monthly"]] + [y["strategy"] for y in m["yearly"]])
    if sorted(cells) != want:
        fail("monthly heatmap cells differ from the metrics (%d vs %d)" % (len(cells), len(want)))
    # Worst drawdowns. An open one (its "end" is the series' last date, as quantstats' drawdown_details
    # fills it) has no recovery; a closed one recovered on the next trading date after its end.
    dd = [r for r in page.tables["drawdowns"] if len(r) == 7 and r[0][1] is not None]
    if len(dd) != len(m["drawdowns"]):
        fail("drawdowns rows %d, input %d" % (len(dd), len(m["drawdowns"])))
    eqd = pd.read_csv(os.path.join(d, "equity.csv"))["date"].tolist()
    for r, x in zip(dd, m["drawdowns"]):
        if r[1][0] != x["start"] or r[2][0] != x["valley"] or r[3][0] != x["end"]:
            fail("drawdown dates %r vs %r" % ([c[0] for c in r], x))
        if x["end"] == m["end"]:
            if not r[4][0].startswith("not yet (open"):
                fail("open drawdown shown as %r" % r[4][0])
        elif r[4][0] != eqd[eqd.index(x["end"]) + 1]:
            fail("drawdown recovered %r, want the day after %s" % (r[4][0], x["end"]))
        same(r[5][1], x["days"], "drawdown days")
        same(r[6][1], x["max_drawdown"], "drawdown depth")
    # Turnover bars: one per rebalance.
    same(len(page.marks["chart-turnover"]), len(m["rebalances"]), "rebalance count")
    if page.marks["chart-turnover"] != [r["turnover"] for r in m["rebalances"]]:
        fail("turnover bars differ from the rebalances")
    # Holdings: the rows of the latest date of the weights file.
    w = pd.read_csv(os.path.join(d, "weights.csv"), dtype={"id": str}, float_precision="round_trip")
    w = w[w["date"] == w["date"].max()]
    hold = [r for r in page.tables["holdings"] if len(r) == 3 and r[2][1] is not None]
    got = {r[0][0]: float(r[2][1]) for r in hold}
    want = dict(zip(w["symbol"], w["weight"]))
    if got != want:
        fail("holdings %r vs weights %r" % (got, want))
    # Sweep heatmap cells equal the sweep file's Sharpe ratios.
    if "chart-sweep" in page.marks:  # (the browser check asserts it is there when --sweep was given)
        sw = pd.read_csv(os.path.join(d, "sweep.csv"), float_precision="round_trip")
        if sorted(page.marks["chart-sweep"]) != sorted(sw["sharpe"].tolist()):
            fail("sweep heatmap differs from sweep.csv")
    # The cumulative chart's last tooltip row is the last equity row (6 significant digits).
    eq = pd.read_csv(os.path.join(d, "equity.csv"), float_precision="round_trip")
    last = page.marks["chart-cum:p"].split(";")[-1].split(",")
    day = pd.Timestamp("1970-01-01") + pd.Timedelta(days=int(last[1]))
    if str(day.date()) != eq["date"].iloc[-1]:
        fail("cumulative chart ends on %s, equity on %s" % (day.date(), eq["date"].iloc[-1]))
    same(last[2], eq["equity"].iloc[-1], "cumulative chart last strategy value", rel=1e-5)
    same(last[4], eq["bench_equity"].iloc[-1], "cumulative chart last benchmark value", rel=1e-5)


def nd(path):
    if not os.path.exists(path):
        return []
    return [json.loads(x) for x in open(path) if x.strip()]


def check_live(path, root):
    page = Page(open(path, encoding="utf-8").read())
    days = sorted(os.listdir(os.path.join(root, "trading")))
    last = days[-1]
    def account(d):  # ib-account writes account, position and fill records: the last account one
        return [x for x in nd(os.path.join(root, "trading", d, "account.ndjson")) if x.get("type") == "account"][-1]
    acc, prev = account(last), account(days[-2])
    kpi = {a["id"]: None for t, a in page.attrs_of if t == "div" and a.get("class") == "kpi"}
    vals = [a for t, a in page.attrs_of if t == "div" and a.get("class", "").startswith("v")]
    for (k, _), v in zip(list(kpi.items()), vals):
        kpi[k] = v.get("data-v")
    same(kpi["kpi-nav"], acc["net_liquidation"], "NAV")
    same(kpi["kpi-day-pnl"], acc["net_liquidation"] - prev["net_liquidation"], "daily P&L", rel=1e-12)
    same(kpi["kpi-cash"], acc["total_cash"], "cash")
    # NAV chart: one point per trading date, the last one the account's NAV.
    p = page.marks["chart-nav:p"].split(";")
    same(len(p), len(days), "NAV chart points")
    same(p[-1].split(",")[2], acc["net_liquidation"], "NAV chart last", rel=1e-6)
    same(len(page.marks["chart-pnl"]), len(days) - 1, "daily P&L bars")
    # Positions: qty, avg cost, last price (each symbol's last close in the whole panel, the yearly
    # partitions data/prices/YYYY.csv read in year order, which the page reads from data/last.csv), market value, weight, unrealised P&L.
    pos = nd(os.path.join(root, "trading", last, "positions.ndjson"))
    # Orders (and their statuses) of the latest date that has them (rebalance days only), fills likewise.
    oday = [d for d in days if nd(os.path.join(root, "trading", d, "orders.ndjson"))][-1]
    fday = [d for d in days if nd(os.path.join(root, "trading", d, "fills.ndjson"))][-1]
    orders = nd(os.path.join(root, "trading", oday, "orders.ndjson"))
    if os.path.exists(os.path.join(root, "data", "last.csv")):
        pdir = os.path.join(root, "data", "prices")
        files = ([os.path.join(pdir, f) for f in sorted(os.listdir(pdir)) if re.fullmatch(r"[0-9]{4}\.csv", f)]
                 if os.path.isdir(pdir) else [os.path.join(root, "data", "prices.csv")])  # a store before the split
        prices = pd.concat([pd.read_csv(f, float_precision="round_trip") for f in files])
        lastpx = prices.groupby("symbol")["close"].last().to_dict()
    else:  # without prices: the day's last fill, else the order's reference price
        lastpx = {o["symbol"]: o["ref_price"] for o in orders}
        lastpx.update({f["symbol"]: f["price"] for f in nd(os.path.join(root, "trading", fday, "fills.ndjson"))})
    tw = {o["symbol"]: o["target_weight"] for o in orders}
    bw = pd.read_csv(os.path.join(root, "backtest", sorted(os.listdir(os.path.join(root, "backtest")))[-1],
                                  "weights.csv"), float_precision="round_trip")
    bw = dict(zip(bw["symbol"], bw["weight"]))
    rows_ = [r for r in page.tables["positions"] if len(r) == 9]
    same(len(rows_), len(pos), "position rows")
    upnl = 0
    for r, x in zip(rows_, pos):
        if r[0][0] != x["symbol"]:
            fail("position symbol %r vs %r" % (r[0][0], x["symbol"]))
        px = lastpx.get(x["symbol"], float("nan"))
        same(r[1][1], x["qty"], x["symbol"] + " qty")
        same(r[2][1], x["avg_cost"], x["symbol"] + " avg cost")
        same(r[3][1], px, x["symbol"] + " last price")
        same(r[4][1], x["qty"] * px, x["symbol"] + " market value", rel=1e-12)
        same(r[5][1], x["qty"] * px / acc["net_liquidation"], x["symbol"] + " weight", rel=1e-12)
        same(r[6][1], tw.get(x["symbol"], bw.get(x["symbol"], 0)), x["symbol"] + " target")
        same(r[8][1], (px - x["avg_cost"]) * x["qty"], x["symbol"] + " unrealised", rel=1e-9)
        if not math.isnan(px):
            shown(r[4][0], x["qty"] * px, 1, 2, x["symbol"] + " market value text")
            upnl += (px - x["avg_cost"]) * x["qty"]
    same(kpi["kpi-upnl"], upnl, "unrealised P&L total", rel=1e-9)
    # Orders with their last status.
    st = {}
    for s in nd(os.path.join(root, "trading", oday, "status.ndjson")):
        st[s["client_id"]] = s["status"]
    orows = [r for r in page.tables["orders"] if len(r) == 10]
    same(len(orows), len(orders), "order rows")
    for r, o in zip(orows, orders):
        if r[0][0] != o["symbol"] or r[1][0] != o["side"] or r[7][0] != st.get(o["client_id"], "not reported"):
            fail("order row %r vs %r" % ([c[0] for c in r], o))
        same(r[2][1], o["qty"], "order qty")
        same(r[5][1], o["ref_price"], "order ref price")
    # Fills: slippage in bps against the order's reference price, positive = worse.
    ref = {o["client_id"]: o["ref_price"] for o in orders}
    fills = nd(os.path.join(root, "trading", fday, "fills.ndjson"))
    frows = [r for r in page.tables["fills"] if len(r) == 8]
    same(len(frows), len(fills), "fill rows")
    for r, f in zip(frows, fills):
        if f["client_id"] not in ref:  # an execution of an order the page has no record of
            same(r[6][1], float("nan"), f["symbol"] + " slippage")
            continue
        s = (f["price"] - ref[f["client_id"]]) / ref[f["client_id"]] * (-1 if f["side"] == "SELL" else 1)
        same(r[6][1], s, f["symbol"] + " slippage", rel=1e-12)
        shown(r[6][0], s, 1e4, 1, f["symbol"] + " slippage text")
        same(r[4][1], f["price"], "fill price")
    # The blotter: every order of every date, newest date first; fills joined by client_id from any date.
    allo = [(d, o) for d in reversed(days) for o in nd(os.path.join(root, "trading", d, "orders.ndjson"))
            if o.get("type") == "order"]
    allf = [f for d in days for f in nd(os.path.join(root, "trading", d, "fills.ndjson")) if f.get("type") == "fill"]
    brows = [r for r in page.tables["blotter"] if len(r) == 11]
    same(len(brows), len(allo), "blotter rows")
    realised = 0
    for r, (d, o) in zip(brows, allo):
        if r[0][0] != d or r[1][0] != o["symbol"]:
            fail("blotter row %r vs %s %r" % ([c[0] for c in r], d, o))
        fl = [f for f in allf if f["client_id"] == o["client_id"]]
        if fl:
            q = sum(f["qty"] for f in fl)
            same(r[6][1], q, "blotter filled")
            same(r[7][1], sum(f["qty"] * f["price"] for f in fl) / q, "blotter avg fill", rel=1e-12)
            same(r[9][1], sum(f.get("commission", 0) for f in fl), "blotter commission", rel=1e-12)
            # a sale's realised P&L: against the average cost held on the order's date (before the fill)
            cost = {p["symbol"]: p["avg_cost"] for p in nd(os.path.join(root, "trading", d, "positions.ndjson"))
                    if p.get("type") == "position"}
            if o["side"] == "SELL" and o["symbol"] in cost:
                real = (sum(f["qty"] * f["price"] for f in fl) / q - cost[o["symbol"]]) * q
                same(r[10][1], real, "blotter realised", rel=1e-9)
                realised += real
            else:
                same(r[10][1], float("nan"), "blotter realised (not a sale of a holding)")
    same(page.byid["blotter-summary"]["data-realised"], realised, "blotter realised total", rel=1e-9)
    ids = {o["client_id"] for _, o in allo}
    same(page.byid["blotter-summary"]["data-commission"],
         sum(f.get("commission", 0) for f in allf if f["client_id"] in ids), "blotter commissions", rel=1e-9)
    # Runs and alerts, newest first.
    def records(kind):  # logs/KIND.ndjson (the old form), then logs/KIND/NAME.json in name (time) order
        d = os.path.join(root, "logs", kind)
        one = [os.path.join(d, f) for f in sorted(os.listdir(d)) if f.endswith(".json")] if os.path.isdir(d) else []
        return nd(os.path.join(root, "logs", kind + ".ndjson")) + [r for f in one for r in nd(f)]
    runs = records("runs")
    rrows = [r for r in page.tables["runs"] if len(r) == 7]
    if [r[1][0] for r in rrows] != [x["date"] for x in reversed(runs)][:10]:
        fail("run rows out of order")
    alerts = records("alerts")
    arows = [r for r in page.tables["alerts"] if len(r) == 4]
    if [r[2][0] for r in arows] != [a["title"] for a in reversed(alerts)][:20]:
        fail("alert rows differ")


def check_offline(path):
    text = open(path, encoding="utf-8").read()
    # (links to the other two dashboards, ../NAME/index.html, are addresses a reader follows, not requests)
    for pat in (r'(?:src|href|action|poster|data)\s*=\s*"(?!#|\.\./(?:backtest|live|mock)/index\.html")[^"]*"', r"(?<![\w.])url\(", r"@import", r"https?://",
                r"<link\b", r"<iframe\b", r"<img\b", r"fetch\(", r"XMLHttpRequest", r"\bimport\("):
        hit = re.search(pat, text, re.I)
        if hit:
            fail("%s: external reference %r" % (path, hit.group(0)[:80]))


def check_browser(path, url, figs, tables):
    """The report of dash-browser.js: no console error, no request but the page, every chart and table."""
    r = json.load(open(path))
    figs, tables = set(figs.split()), set(tables.split())
    bad = [c for c in r["console"] if c["type"] in ("error", "warning", "assert")] + r["exceptions"] \
        + [x for x in r["log"] if x["level"] in ("error", "warning")]
    if bad:
        fail("console: %r" % bad)
    other = [u for u in r["requests"] if u != url]
    if other:
        fail("network requests: %r" % other)
    for w, v in r["views"].items():
        if not figs <= set(v["figures"]):
            fail("%s px: figures missing: %r" % (w, figs - set(v["figures"])))
        if not tables <= set(v["tables"]):
            fail("%s px: tables missing: %r" % (w, tables - set(v["tables"])))
        if v["svgs"] != len(v["figures"]):
            fail("%s px: %d svgs for %d figures" % (w, v["svgs"], len(v["figures"])))
        if v["scrollWidth"] > v["clientWidth"]:
            fail("%s px: page wider than the screen (%d > %d)" % (w, v["scrollWidth"], v["clientWidth"]))
        if v["paths"] and not (v.get("tooltip") and re.match(r"\d{4}-\d{2}-\d{2}", v["tooltip"])):
            fail("%s px: hover tooltip %r" % (w, v.get("tooltip")))
        if v["wideCharts"]:
            fail("%s px: charts wider than the screen or their card: %r" % (w, v["wideCharts"]))
        if v["wideTables"]:
            fail("%s px: tables wider than their card: %r" % (w, v["wideTables"]))
        if "taps" in v:  # the phone: a tap shows the tooltip (a line chart's date and values, a bar's title)
            if v["paths"] and not re.match(r"\d{4}-\d{2}-\d{2}", v["taps"].get("svg.ch .pts") or ""):
                fail("%s px: tap on a line chart: tooltip %r" % (w, v["taps"].get("svg.ch .pts")))
            if "svg.ch rect[data-v]" in v["taps"] and not re.search(r"\d", v["taps"]["svg.ch rect[data-v]"] or ""):
                fail("%s px: tap on a bar: tooltip %r" % (w, v["taps"]["svg.ch rect[data-v]"]))
    c = r["views"].get("1280", {}).get("controls")
    if c is not None:
        want = len(c["csv"])
        if c["buttons"] != want or any(not v or not v.endswith("\n") for v in c["csv"].values()):
            fail("CSV: %d buttons for %d tables and charts; empty: %r" % (c["buttons"], want,
                 [k for k, v in c["csv"].items() if not v or not v.endswith("\n")]))
        if "range" in c and (c["range"]["shown"] != [c["range"]["key"]] or not c["range"]["figure"].endswith(
                "-" + c["range"]["key"]) or c["range"]["width"] < 100):
            fail("range button: %r" % c["range"])
        if "sort" in c and not (c["sort"]["sorted"] and c["sort"]["aria"] == "ascending"):
            fail("sorting: %r" % c["sort"])
    if not r["dark"]["dark"] or r["dark"]["bg"] in ("rgb(255, 255, 255)", "rgb(245, 246, 248)"):
        fail("dark theme not applied: %r" % r["dark"])
    if r["print"]["bg"] != "rgb(255, 255, 255)" or r["print"]["nav"] != "none":
        fail("print style not applied: %r" % r["print"])
    print("browser ok: %s px, %d figures, %d tables" % ("/".join(sorted(r["views"])), len(figs), len(tables)))


def check_explorer(path, grid, sweep=False):
    """The explorer in Chromium (browser.js): the point first shown is the production one; choosing each
    grid point through the selects shows that point's Sharpe ratio, as the grid CSV (backtest --grid, the
    expectation) has it to 2 decimals, and its curve; no explorer chart reaches past the screen. With sweep
    (the grid is also the page's --sweep): that point's heatmap cell alone is outlined, a click on a cell
    chooses its point, and the legend spans the grid's lowest to highest Sharpe ratio in 5 steps."""
    r = json.load(open(path))
    rows = list(csv.DictReader(open(grid)))
    cols = list(rows[0].keys())
    ncol = cols.index("sharpe")
    for w, v in r["views"].items():
        e = v.get("explorer")
        if not e:
            fail("%s px: no explorer" % w)
        if len(e["picks"]) != len(rows):
            fail("%s px: explorer has %d points, the grid %d" % (w, len(e["picks"]), len(rows)))
        if e["prod"] >= 0 and "production" not in e["first"]["status"]:
            fail("%s px: the production point is not the one shown first: %r" % (w, e["first"]))
        for i, (p, row) in enumerate(zip(e["picks"], rows)):
            if p["g"] != [row[c] for c in cols[:ncol]]:
                fail("%s px: point %d: selects show %r, the grid has %r" % (w, i, p["g"], row))
            want = "%.2f" % float(row["sharpe"])
            if p["sharpe"] != want:
                fail("%s px: point %d %r: Sharpe shown %r, the grid CSV has %s" % (w, i, p["g"], p["sharpe"], want))
            if not re.match(r"^\d+\.\d%$", p["psr"]) or not re.match(r"^\d+\.\d%$", p["dsr"]) or p["curve"] < 100:
                fail("%s px: point %d: PSR %r, DSR %r, curve %d chars" % (w, i, p["psr"], p["dsr"], p["curve"]))
            if float(p["dsr"][:-1]) > float(p["psr"][:-1]) + 1e-9:
                fail("%s px: point %d: DSR %s above PSR %s (the deflated bar is higher)" % (w, i, p["dsr"], p["psr"]))
            if sweep and [float(x) for x in p["cells"]] != [float(row["sharpe"])]:
                fail("%s px: point %d: heatmap cells outlined %r, want the one of Sharpe %s" % (w, i, p["cells"], row["sharpe"]))
        if sweep:
            sh = [float(row["sharpe"]) for row in rows]
            if not e.get("click") or e["click"]["sharpe"] != "%.2f" % float(e["click"]["v"]) or e["click"]["cells"] != [e["click"]["v"]]:
                fail("%s px: a click on a heatmap cell: %r" % (w, e.get("click")))
            if not e["legend"] or e["legend"]["steps"] != 5 or float(e["legend"]["lo"]) != min(sh) or float(e["legend"]["hi"]) != max(sh):
                fail("%s px: heatmap legend %r, Sharpe ratios from %s to %s" % (w, e["legend"], min(sh), max(sh)))
        if any(x > e["clientWidth"] + 0.5 for x in e["widths"]) or not e["widths"]:
            fail("%s px: explorer charts past the screen: %r > %d" % (w, e["widths"], e["clientWidth"]))
    print("explorer ok: %d points, %s px" % (len(rows), "/".join(sorted(r["views"]))))


def main(argv):
    if len(argv) >= 6 and argv[1] == "browser":
        check_browser(*argv[2:6])
        return
    if len(argv) >= 4 and argv[1] == "backtest":
        check_backtest(argv[2], argv[3])
    elif len(argv) >= 4 and argv[1] == "live":
        check_live(argv[2], argv[3])
    elif len(argv) >= 4 and argv[1] == "explorer":
        check_explorer(argv[2], argv[3], len(argv) >= 5 and argv[4] == "sweep")
    elif len(argv) >= 3 and argv[1] == "offline":
        check_offline(argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
