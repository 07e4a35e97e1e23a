# backtest-weights.py PRICES EVERY long|ls: a deterministic weights schedule for backtest tests.
# Every EVERY-th day from the 30th: 12 securities with a ret that day, picked with a fixed seed; long: random
# weights summing to 1; ls: six at +1/12 and six at -1/12.
import random
import sys

import pandas as pd

px = pd.read_csv(sys.argv[1], dtype={'id': str}, usecols=['date', 'id', 'ret'])
every, mode = int(sys.argv[2]), sys.argv[3]
rng = random.Random(5)
by = px.dropna(subset=['ret']).groupby('date')
dates = sorted(px.date.unique())
print('date,id,symbol,weight')
for k in range(30, len(dates), every):
    d = dates[k]
    pick = rng.sample(sorted(by.get_group(d).id), 12)
    if mode == 'ls':
        for i, x in enumerate(pick):
            print(f"{d},{x},,{(1 if i < 6 else -1) / 12!r}")
    else:
        w = [rng.random() for _ in pick]
        s = sum(w)
        for x, v in zip(pick, w):
            print(f"{d},{x},,{v / s!r}")
