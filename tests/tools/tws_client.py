#!/usr/bin/python3
"""An independent TWS API client for testing ib-sim: raw sockets, written from the protocol facts in
../shared/reference/tws-api.md (not from our C code), so that ib-sim is checked against the protocol
itself rather than against our own encoder.

usage: tws_client.py --port P [--client-id N] COMMAND ...
  hello                               connect, print server version, accounts, next id, notices
  bars SYMBOL DURATION [WHAT] [END]   print daily bars as CSV (date,open,high,low,close,volume)
  order ID SYMBOL ACTION QTY TYPE TIF [LMT] [REF] [TRANSMIT]   place one order, print status lines
  cancel ID                           cancel an order, print what comes back
  open [all]                          print open orders: order_id,symbol,action,qty,type,tif,status,ref
  execs                               print executions: exec_id,order_id,symbol,side,shares,price,ref,commission
  positions                           print positions: account,symbol,qty,avg_cost
  summary                             print account values: tag,value
  time                                print the server's current time (epoch seconds)
  load CLIENTS ORDERS SYMBOLS         CLIENTS concurrent connections place ORDERS orders in all (MKT OPG BUY 1
                                      of each comma-separated symbol in turn), wait for every acknowledgement,
                                      print "acked N in S seconds"
  barsload CLIENTS REQUESTS SYMBOLS   CLIENTS connections request REQUESTS daily-bar series in all, print
                                      "bars N requests R in S seconds"
Exit status: 0, 1 on an error answer, 2 on a protocol or connection failure.
"""
import socket
import struct
import sys
import threading
import time


class ProtocolError(Exception):
    pass


class Tws:
    def __init__(self, host, port, client_id, timeout=20.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.backlog = []  # messages received during the handshake that are not part of it
        # 1. "API\0", 2. framed version range without a NUL.
        rng = b"v100..178"
        self.sock.sendall(b"API\0" + struct.pack(">I", len(rng)) + rng)
        # 3. One framed message of two fields: version and connection time.
        first = self.recv()
        if len(first) != 2:
            raise ProtocolError("handshake answer has %d fields: %r" % (len(first), first))
        self.server_version = int(first[0])
        self.conn_time = first[1]
        # 4. START_API: 71|2|clientId|optionalCapabilities|
        self.send(71, 2, client_id, "")
        # 5. Ready after NEXT_VALID_ID (9) and MANAGED_ACCTS (15).
        self.next_id = None
        self.accounts = None
        while self.next_id is None or self.accounts is None:
            f = self.recv()
            if f[0] == "9":
                self.next_id = int(f[2])
            elif f[0] == "15":
                self.accounts = f[2]
            else:
                if f[0] == "4" and f[3] == "326":
                    raise ProtocolError("error 326: " + f[4])
                self.backlog.append(f)

    def send(self, *fields):
        payload = b"".join(str(x).encode() + b"\0" for x in fields)
        self.sock.sendall(struct.pack(">I", len(payload)) + payload)

    def recv(self):
        while True:
            if len(self.buf) >= 4:
                n = struct.unpack(">I", self.buf[:4])[0]
                if len(self.buf) >= 4 + n:
                    payload, self.buf = self.buf[4:4 + n], self.buf[4 + n:]
                    if not payload.endswith(b"\0"):
                        raise ProtocolError("message without a final NUL: %r" % payload[:60])
                    return payload[:-1].decode().split("\0")
            data = self.sock.recv(65536)
            if not data:
                raise ProtocolError("connection closed")
            self.buf += data

    def messages(self):
        while self.backlog:
            yield self.backlog.pop(0)
        while True:
            yield self.recv()

    def sync(self):
        """Skip what the gateway sent unasked so far (at connect: the client's own open orders, their
        statuses and an OPEN_ORDER_END): a REQ_CURRENT_TIME is answered after them (TWS answers in order)."""
        self.send(49, 1)
        for f in self.messages():
            if f[0] == "49":
                return

    def close(self):
        self.sock.close()

    # ---- requests, field by field as the reference lists them ----

    def req_bars(self, req_id, symbol, duration, what="TRADES", end=""):
        self.send(20, req_id, 0, symbol, "STK", "", "", "", "", "SMART", "", "USD", "", "", 0,
                  end, "1 day", duration, 1, what, 1, 0, "")

    def place(self, order_id, symbol, action, qty, otype, tif, lmt="", ref="", transmit=1):
        f = [""] * 114  # PLACE_ORDER at version 178: 114 fields, 1-based positions below
        f[0], f[1] = 3, order_id
        f[2:14] = [0, symbol, "STK", "", "", "", "", "SMART", "", "USD", "", ""]
        f[16], f[17], f[18], f[19], f[21] = action, qty, otype, lmt, tif
        f[26], f[27], f[28] = ref, transmit, 0
        f[89] = 0  # no order conditions
        if self.server_version < 177:
            f.insert(42, "")  # faProfile, after faPercentage, until version 177
        self.send(*f)


def die(msg, code=2):
    sys.stderr.write("tws_client.py: %s\n" % msg)
    sys.exit(code)


def errors_for(f, ids):
    """An ERR_MSG (4|2|id|code|msg|) for one of ids that is not a notice."""
    return f[0] == "4" and int(f[2]) in ids and not (2100 <= int(f[3]) < 2200)


def cmd_bars(t, args):
    symbol, duration = args[0], args[1]
    what = args[2] if len(args) > 2 else "TRADES"
    end = args[3] if len(args) > 3 else ""
    rid = t.next_id
    t.req_bars(rid, symbol, duration, what, end)
    for f in t.messages():
        if f[0] == "17" and int(f[1]) == rid:
            # 17|reqId|start|end|count|{date|open|high|low|close|volume|wap|barCount|}
            n = int(f[4])
            if len(f) != 5 + 8 * n:
                die("HISTORICAL_DATA: %d bars announced, %d fields" % (n, len(f) - 5))
            print("date,open,high,low,close,volume")
            for i in range(n):
                b = f[5 + 8 * i:13 + 8 * i]
                print(",".join([b[0], b[1], b[2], b[3], b[4], b[5]]))
            return 0
        if errors_for(f, [rid]):
            print("error %s %s" % (f[3], f[4]))
            return 1


def cmd_order(t, args):
    oid, symbol, action, qty, otype, tif = args[:6]
    lmt = args[6] if len(args) > 6 else ""
    ref = args[7] if len(args) > 7 else ""
    transmit = args[8] if len(args) > 8 else "1"
    t.sync()
    t.place(int(oid), symbol, action, qty, otype, tif, lmt, ref, transmit)
    for f in t.messages():
        if f[0] == "3" and f[1] == oid:
            # 3|orderId|status|filled|remaining|avgFillPrice|permId|parentId|lastFillPrice|clientId|whyHeld|mktCapPrice|
            print("status %s %s filled=%s remaining=%s" % (f[1], f[2], f[3], f[4]))
            return 0 if f[2] not in ("Cancelled",) else 1
        if errors_for(f, [int(oid)]):
            print("error %s %s" % (f[3], f[4]))
            if f[3] not in ("201", "202", "399"):  # those are followed by the order's status
                return 1


def cmd_cancel(t, args):
    oid = args[0]
    t.sync()
    t.send(4, 1, oid, "")
    for f in t.messages():
        if f[0] == "3" and f[1] == oid:
            print("status %s %s" % (f[1], f[2]))
            return 0
        if errors_for(f, [int(oid)]):
            print("error %s %s" % (f[3], f[4]))
            if f[3] != "202":
                return 1


def cmd_open(t, args):
    t.sync()
    t.send(16 if args and args[0] == "all" else 5, 1)
    for f in t.messages():
        if f[0] == "5":
            # 5|orderId|contract (11 fields: conId..tradingClass)|action|totalQuantity|orderType|lmtPrice|
            # auxPrice|tif|ocaGroup|account|openClose|origin|orderRef|clientId|permId|... The order state's
            # status comes after the variable groups; with none of them present (no delta-neutral order
            # type, no combo legs, no scale increment, no hedge, no delta-neutral contract, no algo) it is
            # field 85 (0-based).
            # Before version 177 a faProfile field follows faPercentage (field 33): later ones move by one.
            k = 1 if t.server_version < 177 else 0
            if f[61 + k] or f[70 + k:73 + k] != ["0", "0", "0"] or f[75 + k] or f[76 + k] or \
                    f[81 + k] != "0" or f[82 + k]:
                die("OPEN_ORDER with optional groups this client does not read: %r" % f[61:84])
            print(",".join([f[1], f[3], f[13], f[14], f[15], f[18], f[85 + k], f[23]]))
        elif f[0] == "53":
            return 0


def cmd_execs(t, args):
    rid = t.next_id
    t.send(7, 3, rid, 0, "", "", "", "", "", "")
    execs = {}
    order = []
    for f in t.messages():
        if f[0] == "11" and int(f[1]) == rid:
            # 11|reqId|orderId|contract(11)|execId|time|acct|exchange|side|shares|price|permId|clientId|
            # liquidation|cumQty|avgPrice|orderRef|...
            execs[f[14]] = [f[14], f[2], f[4], f[18], f[19], f[20], f[26]]
            order.append(f[14])
        elif f[0] == "59":
            if f[2] in execs:
                execs[f[2]].append(f[3])
        elif f[0] == "55" and int(f[2]) == rid:
            break
    # Commission reports follow their executions; read what is already there.
    t.sock.settimeout(0.3)
    try:
        while any(len(execs[e]) < 8 for e in order):
            f = t.recv()
            if f[0] == "59" and f[2] in execs:
                execs[f[2]].append(f[3])
    except (socket.timeout, ProtocolError):
        pass
    for e in order:
        print(",".join(execs[e] + ([""] if len(execs[e]) < 8 else [])))
    return 0


def cmd_positions(t, args):
    t.send(61, 1)
    for f in t.messages():
        if f[0] == "61":
            # 61|3|account|conId|symbol|secType|lastTradeDate|strike|right|multiplier|exchange|currency|
            # localSymbol|tradingClass|position|avgCost|
            print(",".join([f[2], f[4], f[14], f[15]]))
        elif f[0] == "62":
            t.send(64, 1)
            return 0


def cmd_summary(t, args):
    rid = t.next_id
    t.send(62, 1, rid, "All", "NetLiquidation,TotalCashValue,AvailableFunds,GrossPositionValue")
    for f in t.messages():
        if f[0] == "63" and int(f[2]) == rid:
            print("%s,%s" % (f[4], f[5]))
        elif f[0] == "64" and int(f[2]) == rid:
            t.send(63, 1, rid)
            return 0


def cmd_time(t, args):
    t.send(49, 1)
    for f in t.messages():
        if f[0] == "49":
            print(f[2])
            return 0


def cmd_snapshot(t, args):
    # reqMarketDataType(type), then reqMktData with snapshot=1 (ib_async client.py: 1|11|reqId|contract|
    # deltaNeutral|genericTicks|snapshot|regulatory|options|); prints "tick TYPE PRICE" / "size TYPE SIZE" /
    # "error CODE TEXT" lines until TICK_SNAPSHOT_END (57) or an error that is not 10167.
    symbol, mdtype = args[0], args[1] if len(args) > 1 else "3"
    rid = t.next_id
    t.send(59, 1, mdtype)
    t.send(1, 11, rid, 0, symbol, "STK", "", "", "", "", "SMART", "", "USD", "", "", 0, "", 1, 0, "")
    for f in t.messages():
        if f[0] == "1" and f[2] == str(rid):    # 1|6|reqId|tickType|price|size|attrMask|
            print("tick %s %s" % (f[3], f[4]))
        elif f[0] == "2" and f[2] == str(rid):  # 2|6|reqId|tickType|size|
            print("size %s %s" % (f[3], f[4]))
        elif f[0] == "58" and f[2] == str(rid):
            print("type %s" % f[3])
        elif f[0] == "57" and f[2] == str(rid):
            return 0
        elif errors_for(f, [rid]):
            print("error %s %s" % (f[3], f[4]))
            if f[3] != "10167":
                return 1


def run_load(host, port, base_id, nclients, total, worker):
    errors = []
    results = [0] * nclients

    def one(i):
        try:
            t = Tws(host, port, base_id + i, timeout=60)
            results[i] = worker(t, i)
            t.close()
        except Exception as e:  # reported below; the thread must not die silently
            errors.append("client %d: %r" % (base_id + i, e))

    start = time.time()
    threads = [threading.Thread(target=one, args=(i,)) for i in range(nclients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if errors:
        die("; ".join(errors[:5]))
    return sum(results), time.time() - start


def main():
    argv = sys.argv[1:]
    host, port, cid = "127.0.0.1", 4002, 0
    while argv and argv[0].startswith("--"):
        if argv[0] == "--port":
            port = int(argv[1])
        elif argv[0] == "--host":
            host = argv[1]
        elif argv[0] == "--client-id":
            cid = int(argv[1])
        else:
            die("unknown option " + argv[0])
        argv = argv[2:]
    if not argv:
        die(__doc__)
    cmd, args = argv[0], argv[1:]
    if cmd in ("load", "barsload"):
        nclients, total, symbols = int(args[0]), int(args[1]), args[2].split(",")
        per = total // nclients

        def place_all(t, i):
            oid = t.next_id + i * 1000000  # clients share one id sequence: keep theirs apart
            want = set()
            for k in range(per):
                sym = symbols[(i * per + k) % len(symbols)]
                t.place(oid + k, sym, "BUY", 1, "MKT", "OPG", "", "load:%d:%d" % (i, k), 1)
                want.add(str(oid + k))
            acked = set()
            for f in t.messages():
                if f[0] == "3" and f[1] in want:
                    acked.add(f[1])
                    if len(acked) == len(want):
                        return len(acked)
                elif f[0] == "4" and f[2] in want and f[3] not in ("399",):
                    raise ProtocolError("order %s: error %s %s" % (f[2], f[3], f[4]))

        def bars_all(t, i):
            nbars = 0
            pending = set()
            for k in range(per):
                rid = t.next_id + k
                t.req_bars(rid, symbols[(i * per + k) % len(symbols)], "1 Y")
                pending.add(str(rid))
            for f in t.messages():
                if f[0] == "17" and f[1] in pending:
                    nbars += int(f[4])
                    pending.discard(f[1])
                elif f[0] == "4" and f[2] in pending:
                    raise ProtocolError("bars %s: error %s %s" % (f[2], f[3], f[4]))
                if not pending:
                    return nbars

        if cmd == "load":
            n, secs = run_load(host, port, cid, nclients, total, place_all)
            print("acked %d in %.3f seconds" % (n, secs))
        else:
            n, secs = run_load(host, port, cid, nclients, total, bars_all)
            print("bars %d requests %d in %.3f seconds" % (n, per * nclients, secs))
        return 0
    try:
        t = Tws(host, port, cid)
    except (OSError, ProtocolError) as e:
        die(str(e))
    try:
        if cmd == "hello":
            print("version %d accounts %s next_id %d" % (t.server_version, t.accounts, t.next_id))
            t.sock.settimeout(0.3)
            try:
                while True:
                    f = t.backlog.pop(0) if t.backlog else t.recv()
                    if f[0] == "4":
                        print("notice %s %s" % (f[3], f[4]))
            except (socket.timeout, ProtocolError):
                pass
            return 0
        handler = {"bars": cmd_bars, "order": cmd_order, "cancel": cmd_cancel, "open": cmd_open,
                   "execs": cmd_execs, "positions": cmd_positions, "summary": cmd_summary,
                   "time": cmd_time, "snapshot": cmd_snapshot}.get(cmd)
        if handler is None:
            die("unknown command " + cmd)
        return handler(t, args)
    except ProtocolError as e:
        die(str(e))
    finally:
        t.close()


if __name__ == "__main__":
    sys.exit(main())
