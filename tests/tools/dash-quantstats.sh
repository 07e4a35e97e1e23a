# dash-quantstats: the backtest page's quantstats-parity numbers (the "More metrics" table, rolling Sortino
# and beta, the benchmark and excess monthly heatmaps, the shaded drawdown periods) against an independent
# pandas re-implementation of quantstats 0.0.81's stats.py and reports.metrics (the formulas as written
# there: comp, cagr over trading periods, relativedelta windows, drawdown_details, recovery_factor,
# ulcer_index, exposure, profit_factor, tail_ratio, r_squared via linregress, rolling_sortino,
# rolling_greeks).
. "$TOP/tests/lib.sh"
T=$TOP/tests/tools/dash
PY=/usr/bin/python3

years=10
sanitized && years=4
t "fixtures: $years years; the page"
$PY "$T/fixtures.py" backtest bt --years $years --seed 3
dash-gen backtest -q --equity bt/equity.csv --metrics bt/metrics.json -o page.html

t "every number against pandas"
$PY - <<'EOF' || fail "quantstats parity"
import html.parser, math, re
import numpy as np
import pandas as pd

eq = pd.read_csv("bt/equity.csv", float_precision="round_trip")
idx = pd.DatetimeIndex(eq["date"])
page = open("page.html").read()

def table(tid):
    t = page[page.index('<table id="%s"' % tid):].split("</table>")[0]
    rows = {}
    for k, a, b in re.findall(r'<tr data-k="([^"]*)">.*?<td class="n[^"]*" data-v="([^"]*)">.*?<td class="n[^"]*" data-v="([^"]*)">', t):
        rows[k] = (float(a) if a else float("nan"), float(b) if b else float("nan"))
    return rows

def close(got, want, what, rel=1e-9):
    if (math.isnan(want) and math.isnan(got)) or got == want:
        return
    assert abs(got - want) <= rel * max(abs(want), 1e-12), (what, got, want)

def comp(r):
    return (1 + r).prod() - 1

def cagr(r):  # metrics.md: prod(1 + r)^(252 / N) - 1
    return abs((1 + r).prod()) ** (252 / len(r)) - 1

def drawdown_series(r):  # stats.to_drawdown_series: a phantom 1 before the first day
    w = pd.concat([pd.Series([1.0]), (1 + r).cumprod()], ignore_index=True)
    return (w / w.cummax() - 1).iloc[1:].set_axis(r.index)

def drawdown_details(dd):  # stats.drawdown_details
    no = dd == 0
    starts = list(dd.index[~no & no.shift(1, fill_value=True)])
    ends = list(dd.index[(no & (~no).shift(1, fill_value=False)).shift(-1, fill_value=False)])
    if ends and starts and starts[0] > ends[0]:
        starts.insert(0, dd.index[0])
    if starts and (not ends or starts[-1] > ends[-1]):
        ends.append(dd.index[-1])
    return pd.DataFrame([{"start": s, "end": e, "days": (e - s).days + 1, "max drawdown": dd[s:e].min()}
                         for s, e in zip(starts, ends)])

def metrics(r, b):
    today = r.index[-1]
    rd = pd.DateOffset
    m = {"mtd": comp(r[r.index >= pd.Timestamp(today.year, today.month, 1)]),
         "3m": comp(r[r.index >= today - rd(months=3)]), "6m": comp(r[r.index >= today - rd(months=6)]),
         "ytd": comp(r[r.index >= pd.Timestamp(today.year, 1, 1)]), "1y": comp(r[r.index >= today - rd(years=1)]),
         "3y": cagr(r[r.index >= today - rd(months=35)]), "5y": cagr(r[r.index >= today - rd(months=59)]),
         "10y": cagr(r[r.index >= today - rd(years=10)]), "all": cagr(r)}
    mo = (1 + r).groupby([r.index.year, r.index.month]).prod() - 1
    yr = (1 + r).groupby(r.index.year).prod() - 1
    m.update(best_month=mo.max(), worst_month=mo.min(), best_year=yr.max(), worst_year=yr.min())
    dd = drawdown_series(r)
    det = drawdown_details(dd)
    m.update(longest_dd_days=det["days"].max(), avg_dd=det["max drawdown"].mean(), avg_dd_days=det["days"].mean())
    m["recovery_factor"] = abs(r.sum()) / abs(dd.min())
    m["ulcer_index"] = math.sqrt((dd ** 2).sum() / (len(r) - 1))
    m["time_in_market"] = math.ceil(len(r[r != 0]) / len(r) * 100) / 100
    m["profit_factor"] = r[r >= 0].sum() / abs(r[r < 0].sum())
    m["tail_ratio"] = abs(r.quantile(0.95) / r.quantile(0.05))
    m["r_squared"] = float(np.corrcoef(r, b)[0, 1] ** 2) if b is not None else float("nan")
    return m

r = pd.Series(eq["net"].to_numpy(), index=idx)
b = pd.Series(eq["bench_net"].to_numpy(), index=idx)
more = table("metrics-more")
want = {"strategy": metrics(r, b), "benchmark": metrics(b, None)}
assert set(more) == set(want["strategy"]), sorted(set(more) ^ set(want["strategy"]))
for k, (gs, gb) in more.items():
    close(gs, want["strategy"][k], k + " strategy")
    close(gb, want["benchmark"][k], k + " benchmark")

# Rolling Sortino (stats.rolling_sortino, 126 days) and beta (rolling_greeks: corr x std / std) at their
# last point; the chart's tooltip rows carry 6 significant digits.
def last_row(fig):
    g = page[page.index('id="%s"' % fig):].split("</figure>")[0]
    return g.split('data-p="')[1].split('"')[0].split(";")[-1].split(",")

neg = r.rolling(126).apply(lambda x: (x[x < 0] ** 2).sum(), raw=True) / 126
sortino = r.rolling(126).mean() / np.sqrt(neg) * math.sqrt(252)
close(float(last_row("chart-rolling-sortino")[2]), sortino.iloc[-1], "rolling sortino", 1e-5)
df = pd.DataFrame({"r": r, "b": b})
corr = df.rolling(126).corr().unstack()["r"]["b"]
std = df.rolling(126).std()
beta = corr * std["r"] / std["b"]
close(float(last_row("chart-rolling-beta")[2]), beta.iloc[-1], "rolling beta", 1e-5)

# The volatility-matched view (_plotting/core.py: returns / returns.std() * benchmark.std(), compounded).
vm = (1 + r / r.std() * b.std()).cumprod()
row = last_row("chart-cum-volmatch")
close(float(row[2]), vm.iloc[-1], "volatility matched", 1e-5)
close(float(row[4]), (1 + b).cumprod().iloc[-1], "volatility matched: benchmark", 1e-5)
close(float(last_row("chart-daily")[2]), r.iloc[-1], "daily returns", 1e-8)

# Return quantiles (reports' plots: box plots of daily, weekly, monthly, quarterly, yearly compounded
# returns): each box's median, and its quartiles in its title.
g = page[page.index('id="chart-quantiles"'):].split("</figure>")[0]
boxes = re.findall(r'data-v="([^"]+)"[^>]*><title>(\w+): median [^,]*, quartiles ([^ ]+) to ([^,]+),', g)
assert [x[1] for x in boxes] == ["Daily", "Weekly", "Monthly", "Quarterly", "Yearly"], boxes
for (med, name, q1, q3), per in zip(boxes, [None, "W-SUN", "M", "Q", "Y"]):
    x = r if per is None else (1 + r).groupby(idx.to_period(per)).prod() - 1
    close(float(med), x.median(), name + " median", 1e-12)
    for got, q in ((q1, 0.25), (q3, 0.75)):
        want = round(x.quantile(q) * 100, 2)
        assert abs(float(got.replace("\u2212", "-").rstrip("%")) - want) < 0.0051, (name, q, got, want)

# Monthly heatmaps of the benchmark and of the excess (strategy minus benchmark, both compounded).
for fig, series in (("chart-monthly-bench", lambda s, bb: bb), ("chart-monthly-excess", lambda s, bb: s - bb)):
    ms = (1 + r).groupby([idx.year, idx.month]).prod() - 1
    mb = (1 + b).groupby([idx.year, idx.month]).prod() - 1
    ys = (1 + r).groupby(idx.year).prod() - 1
    yb = (1 + b).groupby(idx.year).prod() - 1
    want = sorted(list(series(ms, mb)) + list(series(ys, yb)))
    g = page[page.index('id="%s"' % fig):].split("</figure>")[0]
    got = sorted(float(v) for v in re.findall(r'data-v="([^"]+)"', g))
    assert len(got) == len(want), (fig, len(got), len(want))
    for x, y in zip(got, want):
        close(x, y, fig, 1e-12)

# The 5 worst drawdown periods shaded on the cumulative chart.
det = drawdown_details(drawdown_series(r)).sort_values("max drawdown", kind="stable").head(5)
g = page[page.index('id="chart-cum"'):].split("</figure>")[0]
shaded = re.findall(r"<title>Drawdown (\S+) to (\S+)</title>", g)
assert shaded == [(str(s.date()), str(e.date())) for s, e in zip(det["start"], det["end"])], shaded
print("quantstats parity: %d metrics x 2, rolling Sortino and beta, 2 heatmaps, %d shaded periods" %
      (len(more), len(shaded)))
EOF
tidy -errors -q page.html || fail "tidy"
