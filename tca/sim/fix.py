"""A small FIX 4.4 drop-copy log of some orders' fills, for demos of FIX ingestion.

It reports the same executions as ``fills.csv`` for a few orders, but as a
broker's drop copy would: with the broker's own ExecIDs (``FX...``), so it is
a different *source*. Ingest one or the other for those orders, not both,
or their fills count twice. Besides fills (150=F) it holds a heartbeat and an
order acknowledgement (150=0) per order, which an ingest counts and skips.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

SOH = "\x01"
LIQUIDITY_IND = {"ADD": "1", "REMOVE": "2", "AUCTION": "4"}  # 851; OTHER has no code
BUY_SIDE = "FOOTPRINT"


def message(fields: Iterable[tuple[int, str]], separator: str = SOH) -> str:
    """A FIX 4.4 message with correct BodyLength (9) and CheckSum (10)."""
    body = "".join(f"{tag}={value}{separator}" for tag, value in fields)
    head = f"8=FIX.4.4{separator}9={len(body.encode('ascii'))}{separator}"
    checksum = sum((head + body).encode("ascii")) % 256
    return f"{head}{body}10={checksum:03d}{separator}"


def _fix_time(ts: pl.Series) -> list[str]:
    return ts.dt.to_string("%Y%m%d-%H:%M:%S%.9f").to_list()


def _number(x: float) -> str:
    return f"{x:.10g}"


def execution_reports(orders: pl.DataFrame, fills: pl.DataFrame, n_orders: int) -> str:
    """Log text for the first ``n_orders`` orders that have fills, one message per line."""
    chosen = fills["order_id"].unique(maintain_order=True).head(n_orders).to_list()
    lines: list[str] = []
    seq = 1
    for oid in chosen:
        order_frame = orders.filter(pl.col("order_id") == oid)
        order = order_frame.row(0, named=True)
        own = fills.filter(pl.col("order_id") == oid).sort("time")
        broker = order["broker"] or "BROKER"
        header = [(35, "8"), (49, broker), (56, BUY_SIDE)]
        side = "1" if order["side"] > 0 else "2"
        qty = order["quantity"]
        times = _fix_time(own["time"])
        first_time = _fix_time(order_frame["arrival_time"])[0]
        lines.append(
            message([(35, "0"), (49, broker), (56, BUY_SIDE), (34, str(seq)), (52, first_time)])
        )
        seq += 1
        lines.append(
            message(
                [
                    *header,
                    (34, str(seq)),
                    (52, first_time),
                    (37, f"B-{oid}"),
                    (11, oid),
                    (17, f"FXA{seq:08d}"),
                    (150, "0"),
                    (39, "0"),
                    (55, order["symbol"]),
                    (54, side),
                    (38, _number(qty)),
                    (32, "0"),
                    (31, "0"),
                    (151, _number(qty)),
                    (14, "0"),
                    (6, "0"),
                    (60, first_time),
                ]
            )
        )
        seq += 1
        cum, notional = 0.0, 0.0
        for row, when in zip(own.iter_rows(named=True), times, strict=True):
            cum += row["quantity"]
            notional += row["quantity"] * row["price"]
            status = "2" if cum >= qty else "1"
            fields = [
                *header,
                (34, str(seq)),
                (52, when),
                (37, f"B-{oid}"),
                (11, oid),
                (17, f"FX{seq:09d}"),
                (150, "F"),
                (39, status),
                (55, row["symbol"]),
                (54, side),
                (38, _number(qty)),
                (32, _number(row["quantity"])),
                (31, _number(row["price"])),
                (151, _number(max(qty - cum, 0.0))),
                (14, _number(cum)),
                (6, _number(notional / cum)),
                (60, when),
                (30, row["venue"]),
            ]
            if row["liquidity"] in LIQUIDITY_IND:
                fields.append((851, LIQUIDITY_IND[row["liquidity"]]))
            fields += [(12, _number(row["fee"] or 0.0)), (13, "3")]
            lines.append(message(fields))
            seq += 1
    return "\n".join(lines) + ("\n" if lines else "")
