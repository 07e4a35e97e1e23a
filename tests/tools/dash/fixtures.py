#!/usr/bin/python3
"""fixtures: realistic inputs for dash-gen tests and benchmarks, in the formats of COMMON.md.

  fixtures.py backtest DIR [--years N] [--seed S]   equity.csv metrics.json weights.csv strategy.conf sweep.csv
  fixtures.py store ROOT [--days N] [--seed S]     a store: trading/, backtest/, data/, logs/
  fixtures.py grid DIR [--years N] [--seed S]      grid.csv grid-equity.csv: 100 points (lookback 10 x skip 10),
                                                   as backtest --grid and --grid-equity write them

Metrics follow ../shared/reference/metrics.md (quantstats conventions), computed with pandas, so the
numbers a page shows can be compared with the numbers written here."""
import json
import math
import os
import sys

import numpy as np
import pandas as pd

SYMBOLS = ["AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "BRK.B", "AT&T", "JPM", "XOM", "UNH", "JNJ",
           "V", "PG", "HD", "MA", "AVGO", "LLY", "COST", "PEP", "KO", "MRK", "ABBV", "WMT", "CVX", "ORCL"]


def trading_days(start, n):
    days = pd.bdate_range(start, periods=int(n * 1.05) + 10)
    # Drop a few fixed holidays so the calendar is not a pure weekday grid.
    days = days[~((days.month == 12) & (days.day == 25)) & ~((days.month == 1) & (days.day == 1))
                & ~((days.month == 7) & (days.day == 4))]
    return days[:n]


def metrics_of(r, bench=None, turnover=None, cost=None):
    r = pd.Series(r)
    n = len(r)
    w = (1 + r).cumprod()
    cum = w.iloc[-1] - 1
    cagr = w.iloc[-1] ** (252 / n) - 1
    sd = r.std(ddof=1)
    vol = sd * math.sqrt(252)
    sharpe = r.mean() / sd * math.sqrt(252)
    down = math.sqrt((r[r < 0] ** 2).sum() / n)
    sortino = r.mean() / down * math.sqrt(252)
    wp = pd.concat([pd.Series([1.0]), w], ignore_index=True)
    mdd = (wp / wp.cummax()).min() - 1
    m = {
        "cumulative_return": cum, "cagr": cagr, "volatility": vol, "sharpe": sharpe, "sortino": sortino,
        "max_drawdown": mdd, "calmar": cagr / abs(mdd), "omega": r[r > 0].sum() / -r[r < 0].sum(),
        "skew": r.skew(), "kurtosis": r.kurt(),
        "var_95": r.mean() + sd * -1.6448536269514722,
        "win_rate": (r > 0).sum() / (r != 0).sum(), "best_day": r.max(), "worst_day": r.min(),
        "total_turnover": float(np.sum(turnover)), "annual_turnover": float(np.sum(turnover)) / (n / 252),
        "total_cost": float(np.sum(cost)),
    }
    m["cvar_95"] = r[r < m["var_95"]].mean()
    if bench is not None:
        b = pd.Series(bench)
        beta = np.cov(r, b, ddof=1)[0, 1] / b.var(ddof=1)
        m["beta"] = beta
        m["alpha"] = (r.mean() - beta * b.mean()) * 252
    return {k: float(v) for k, v in m.items()}


def drawdowns(days, r):
    w = np.concatenate([[1.0], np.cumprod(1 + r)])
    dd = w / np.maximum.accumulate(w) - 1
    dd = dd[1:]
    out, i, n = [], 0, len(r)
    while i < n:
        if dd[i] < 0:
            j = i
            while j + 1 < n and dd[j + 1] < 0:
                j += 1
            v = i + int(np.argmin(dd[i:j + 1]))
            # quantstats' drawdown_details (and backtest(1)): an open period "ends" on the last date
            out.append({"start": str(days[i].date()), "valley": str(days[v].date()),
                        "end": str(days[j].date()),
                        "days": int((days[j] - days[i]).days + 1), "max_drawdown": float(dd[v])})
            i = j + 1
        else:
            i += 1
    out.sort(key=lambda d: d["max_drawdown"])
    return out[:10]


def backtest(out, years, seed):
    rng = np.random.default_rng(seed)
    n = int(years * 252)
    days = trading_days("2001-01-02", n)
    mkt = rng.standard_t(4, n) * 0.008 + 0.0003
    crash = rng.random(n) < 0.004
    mkt[crash] -= rng.random(crash.sum()) * 0.05
    gross = 1.15 * mkt + rng.normal(0.00015, 0.006, n)
    bgross = mkt + rng.normal(0, 0.002, n)
    turnover = np.zeros(n)
    bturn = np.zeros(n)
    rebal = list(range(1, n, 22))
    for k, i in enumerate(rebal):
        turnover[i] = 1.0 if k == 0 else round(float(rng.uniform(0.25, 0.9)), 6)
        bturn[i] = 1.0 if k == 0 else round(float(rng.uniform(0.02, 0.08)), 6)
    cost = turnover * 0.001
    bcost = bturn * 0.001
    gross = np.round(gross, 8)
    bgross = np.round(bgross, 8)
    net = gross - cost
    bnet = bgross - bcost
    eq = pd.DataFrame({
        "date": [str(d.date()) for d in days], "gross": gross, "net": net, "equity": np.cumprod(1 + net),
        "turnover": turnover, "cost": cost, "bench_gross": bgross, "bench_net": bnet,
        "bench_equity": np.cumprod(1 + bnet), "bench_turnover": bturn, "bench_cost": bcost})
    eq.to_csv(os.path.join(out, "equity.csv"), index=False, float_format="%.10g")
    eq = pd.read_csv(os.path.join(out, "equity.csv"))  # metrics from exactly what the file says
    net, bnet = eq["net"].to_numpy(), eq["bench_net"].to_numpy()
    idx = pd.DatetimeIndex(eq["date"])
    yearly = []
    for y, g in eq.groupby(idx.year):
        yearly.append({"year": int(y), "strategy": float((1 + g["net"]).prod() - 1),
                       "benchmark": float((1 + g["bench_net"]).prod() - 1)})
    monthly = []
    for (y, mo), g in eq.groupby([idx.year, idx.month]):
        monthly.append({"month": "%04d-%02d" % (y, mo), "strategy": float((1 + g["net"]).prod() - 1),
                        "benchmark": float((1 + g["bench_net"]).prod() - 1)})
    params = {"strategy": "lo-csmom", "lookback": 264, "skip": 22, "select": 90, "winsor": "2,98",
              "weighting": "equal", "rebalance_every": 22, "cost_bps": 10, "lag": 1}
    m = {"type": "metrics", "start": eq["date"].iloc[0], "end": eq["date"].iloc[-1], "days": len(eq),
         "params": params,
         "strategy": metrics_of(net, bnet, eq["turnover"], eq["cost"]),
         "benchmark": metrics_of(bnet, None, eq["bench_turnover"], eq["bench_cost"]),
         "yearly": yearly, "monthly": monthly, "drawdowns": drawdowns(idx, net),
         "rebalances": [{"date": eq["date"].iloc[i], "turnover": float(eq["turnover"].iloc[i]),
                         "cost": float(eq["cost"].iloc[i])} for i in rebal]}
    with open(os.path.join(out, "metrics.json"), "w") as f:
        json.dump(m, f)
        f.write("\n")
    rows = []
    for i in rebal[-3:]:
        held = np.append(rng.choice([k for k in range(len(SYMBOLS)) if k != 7], 19, replace=False), 7)  # AT&T
        raw = rng.uniform(0.5, 1.5, 20)
        for j, wgt in zip(held, raw / raw.sum()):
            rows.append({"date": eq["date"].iloc[i], "id": str(10001 + j), "symbol": SYMBOLS[j],
                         "weight": round(float(wgt), 8)})
    pd.DataFrame(rows).to_csv(os.path.join(out, "weights.csv"), index=False)
    with open(os.path.join(out, "strategy.conf"), "w") as f:
        f.write("# LO CSMOM, the seed's defaults\nstrategy = lo-csmom\nlookback = 264\nskip = 22\n"
                "select = 90\nwinsor = 2,98\nweighting = equal\nrebalance_every = 22\ncost_bps = 10\n")
    sw = []
    for lb in (126, 189, 252, 264, 378, 504):
        for sk in (0, 5, 10, 22, 44):
            s = 0.35 + 0.25 * math.exp(-((lb - 264) / 150) ** 2) - 0.004 * abs(sk - 22) + rng.normal(0, 0.03)
            sw.append({"lookback": lb, "skip": sk, "sharpe": round(s, 4), "cagr": round(0.02 + 0.12 * s, 4),
                       "max_drawdown": round(-0.55 + 0.2 * s, 4), "volatility": 0.18})
    pd.DataFrame(sw).to_csv(os.path.join(out, "sweep.csv"), index=False)


def nd(path, recs):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        for r in recs:
            f.write(json.dumps(r, separators=(",", ":")) + "\n")


def store(root, ndays, seed):
    rng = np.random.default_rng(seed)
    days = [str(d.date()) for d in trading_days("2026-10-01", ndays)]
    syms = SYMBOLS[:12]
    px = {s: float(rng.uniform(40, 400)) for s in syms}
    prices = []
    for d in days:
        for k, s in enumerate(syms):
            px[s] = round(px[s] * (1 + rng.normal(0.0004, 0.015)), 2)
            prices.append({"date": d, "id": str(10001 + k), "symbol": s, "open": px[s], "high": px[s],
                           "low": px[s], "close": px[s], "volume": 1000000, "ret": ""})
    # One missing close, on a date of the positions history for a name held then (the actual weights
    # history leaves that cell empty); the name's later closes are its last price.
    for p in prices:
        if p["date"] == days[-3] and p["symbol"] == syms[1]:
            p["close"] = ""
    os.makedirs(os.path.join(root, "data", "prices"), exist_ok=True)
    panel = pd.DataFrame(prices)  # the yearly partitions data/prices/YYYY.csv (sti-store(7))
    for y, part in panel.groupby(panel["date"].str[:4]):
        part.to_csv(os.path.join(root, "data", "prices", y + ".csv"), index=False)
    nav = 1_000_000.0
    bt_eq = []
    for i, d in enumerate(days):
        r = float(rng.normal(0.0005, 0.01))
        nav = round(nav * (1 + r), 2)
        bt_eq.append(1 + 0.0) if i == 0 else bt_eq.append(bt_eq[-1] * (1 + r + float(rng.normal(0, 0.001))))
        dir_ = os.path.join(root, "trading", d)
        nd(os.path.join(dir_, "account.ndjson"), [
            {"type": "account", "account": "DU1234567", "time": d + "T21:15:00Z", "currency": "USD",
             "net_liquidation": nav, "total_cash": round(nav * 0.02, 2), "available_funds": round(nav * 0.02, 2)}])
    last = days[-1]
    dir_ = os.path.join(root, "trading", last)
    positions, orders, status, fills = [], [], [], []
    for k, s in enumerate(syms[:10]):
        qty = int(rng.integers(50, 800))
        positions.append({"type": "position", "account": "DU1234567", "id": str(10001 + k), "symbol": s,
                          "qty": qty, "avg_cost": round(px[s] * float(rng.uniform(0.85, 1.1)), 4)})
    for k, s in enumerate(syms[6:12]):
        side = "BUY" if k % 2 == 0 else "SELL"
        cid = "%s:lo-csmom:%s:%s" % (last, s, side)
        qty = int(rng.integers(5, 60))
        ref = px[s]
        orders.append({"type": "order", "client_id": cid, "date": last, "id": str(10007 + k), "symbol": s,
                       "side": side, "qty": qty, "order_type": "MKT", "tif": "OPG", "ref_price": ref,
                       "target_weight": round(float(rng.uniform(0.02, 0.12)), 4)})
        st = ["Filled", "Filled", "Submitted", "Filled", "Cancelled", "Filled"][k]
        price = round(ref * (1 + float(rng.normal(0.0005, 0.002))), 2)
        status.append({"type": "open_order", "client_id": cid, "order_id": 17 + k, "symbol": s, "side": side,
                       "qty": qty, "order_type": "MKT", "tif": "OPG", "status": "PreSubmitted"})
        status.append({"type": "status", "client_id": cid, "order_id": 17 + k, "symbol": s, "side": side,
                       "status": st, "filled": qty if st == "Filled" else 0,
                       "remaining": 0 if st == "Filled" else qty, "avg_price": price if st == "Filled" else 0})
        if st == "Filled":
            fills.append({"type": "fill", "client_id": cid, "exec_id": "0001f4e8.%d" % k, "symbol": s,
                          "side": side, "qty": qty, "price": price, "commission": round(max(1.0, qty * 0.005), 2),
                          "time": last + "T14:30:0%dZ" % k})
    nd(os.path.join(dir_, "positions.ndjson"), positions)
    for back, d in enumerate(reversed(days[-5:-1]), 1):  # earlier dates: the positions history
        nd(os.path.join(root, "trading", d, "positions.ndjson"),
           [dict(p, qty=p["qty"] - 10 * back * (k % 3)) for k, p in enumerate(positions[:10 - back])])
    nd(os.path.join(dir_, "orders.ndjson"), orders)
    nd(os.path.join(dir_, "status.ndjson"), status)
    nd(os.path.join(dir_, "fills.ndjson"), fills)
    bdir = os.path.join(root, "backtest", last)
    os.makedirs(bdir, exist_ok=True)
    pd.DataFrame({"date": days, "gross": 0.0, "net": 0.0, "equity": bt_eq, "turnover": 0.0, "cost": 0.0}
                 ).to_csv(os.path.join(bdir, "equity.csv"), index=False, float_format="%.10g")
    pd.DataFrame([{"date": days[-2], "id": str(10001 + k), "symbol": s, "weight": 0.1}
                  for k, s in enumerate(syms[:10])]).to_csv(os.path.join(bdir, "weights.csv"), index=False)
    runs = []
    for d in days[-5:]:
        runs.append({"type": "run", "flow": "daily", "date": d, "start": d + "T21:00:00Z",
                     "end": d + "T21:14:10Z", "status": "ok"})
    runs[-2].update(status="failed", step="ib-submit", message="connection refused by <gateway> & retried")
    nd(os.path.join(root, "logs", "runs.ndjson"), runs)
    nd(os.path.join(root, "logs", "alerts.ndjson"), [
        {"type": "alert", "time": days[-2] + "T21:14:10Z", "priority": 1, "title": "daily flow failed",
         "message": "ib-submit: connection refused", "flow": "daily", "status": "sent"},
        {"type": "alert", "time": days[-1] + "T21:15:00Z", "priority": 0, "title": "orders placed",
         "message": "6 orders, 4 filled", "flow": "daily", "status": "sent"}])


def grid(out, years, seed):
    """A 100-point grid over the backtest fixture's calendar: the table (sti-backtest(5): the grid's columns,
    then sharpe, cagr, volatility, max_drawdown) and every point's daily net returns in long format."""
    rng = np.random.default_rng(seed)
    n = int(years * 252)
    days = [str(d.date()) for d in trading_days("2001-01-02", n)]
    mkt = rng.standard_t(4, n) * 0.008 + 0.0003
    rows, frames = [], []
    k = 0
    for lb in (63, 84, 105, 126, 168, 189, 210, 231, 252, 264):
        for sk in (0, 2, 5, 8, 10, 12, 15, 18, 20, 22):
            net = np.round(1.1 * mkt + rng.normal(0.0001 + lb * 1e-7, 0.006, n), 8)
            r = pd.Series(net)
            w = (1 + r).cumprod()
            rows.append({"lookback": lb, "skip": sk, "sharpe": r.mean() / r.std(ddof=1) * math.sqrt(252),
                         "cagr": w.iloc[-1] ** (252 / n) - 1, "volatility": r.std(ddof=1) * math.sqrt(252),
                         "max_drawdown": float((w / np.maximum.accumulate(np.maximum(w, 1)) - 1).min())})
            frames.append(pd.DataFrame({"point": k, "date": days, "net": net}))
            k += 1
    pd.DataFrame(rows).to_csv(os.path.join(out, "grid.csv"), index=False, float_format="%.10g")
    pd.concat(frames).to_csv(os.path.join(out, "grid-equity.csv"), index=False, float_format="%.10g")


def main(argv):
    if len(argv) < 3 or argv[1] not in ("backtest", "store", "grid"):
        sys.exit(__doc__)
    opts = dict(zip(argv[3::2], argv[4::2]))
    os.makedirs(argv[2], exist_ok=True)
    if argv[1] == "backtest":
        backtest(argv[2], float(opts.get("--years", 25)), int(opts.get("--seed", 1)))
    elif argv[1] == "grid":
        grid(argv[2], float(opts.get("--years", 25)), int(opts.get("--seed", 1)))
    else:
        store(argv[2], int(opts.get("--days", 40)), int(opts.get("--seed", 1)))


if __name__ == "__main__":
    main(sys.argv)
