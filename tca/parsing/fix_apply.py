"""Applying FIX trade events to fills: new fills, cancels, corrections, held amendments.

A state machine over one batch of events in log order. Each event depends on
what came before it (a correction names the fill or the earlier correction it
replaces), so this is a loop over events rather than a column expression; it
does constant work per event and per stored fill, so it stays O(n).

Nothing is stored here: the caller passes the stored fills the events may
touch and the amendments still waiting from earlier batches, and stores the
upserts and the new pending list this returns.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

import polars as pl
import pyarrow as pa

from tca.frames import TIME
from tca.parsing.columns import LINE
from tca.parsing.fix import CANCEL, EVENT_SCHEMA, FILL
from tca.parsing.values import DECIMAL

# Fill fields a correction may replace (those it carries; absent ones stay).
CORRECTABLE = (
    "order_id",
    "symbol",
    "side",
    "quantity",
    "price",
    "time",
    "venue",
    "liquidity",
    "fee",
    "currency",
)

FILL_STATE_SCHEMA: dict[str, pl.DataType] = {
    "exec_id": pl.String(),  # ExecID of the original fill: the key
    "order_id": pl.String(),
    "symbol": pl.String(),
    "side": pl.Int8(),
    "quantity": DECIMAL,
    "price": DECIMAL,
    "time": TIME,
    "venue": pl.String(),
    "liquidity": pl.String(),
    "fee": DECIMAL,
    "currency": pl.String(),
    "is_cancelled": pl.Boolean(),
    "last_exec_id": pl.String(),  # ExecID of the latest event applied to the fill
    "applied_exec_ids": pl.List(pl.String()),  # every ExecID applied: fill, corrections, cancel
    "raw": pl.String(),  # the fill message
    "amendments": pl.List(pl.String()),  # raw correction/cancel messages, in order applied
    LINE: pl.Int64(),  # line of the fill message in this batch, null for stored fills
}


@dataclass(frozen=True, slots=True)
class FixApplyResult:
    """What one batch changes.

    ``upserts`` (``FILL_STATE_SCHEMA``): the final state of every fill the
    batch created or changed, keyed by original exec_id. ``pending``
    (``EVENT_SCHEMA``): cancels and corrections whose fill has not arrived;
    pass them back in the next batch. Counts: ``new_fills``,
    ``corrections`` and ``cancels`` applied, ``released`` (held amendments,
    from ``pending`` or earlier in the batch, applied once their fill came),
    ``duplicates`` (events whose ExecID was already applied or held; they
    change nothing, which makes re-sending a log harmless).
    """

    upserts: pl.DataFrame
    pending: pl.DataFrame
    new_fills: int
    corrections: int
    cancels: int
    released: int
    duplicates: int


def apply_fix_events(
    events: pl.DataFrame, existing: pl.DataFrame, pending: pl.DataFrame
) -> FixApplyResult:
    """Apply ``events`` (``parse_fix_log`` order) after ``pending`` to ``existing`` fills.

    ``existing`` holds the stored fills the events may refer to, in
    ``FILL_STATE_SCHEMA`` (``raw``, ``amendments``, ``applied_exec_ids``,
    ``last_exec_id``, ``is_cancelled`` and ``line`` may be absent). For a
    chain of corrections to resolve, include every stored fill whose exec_id
    or applied_exec_ids contains an ExecRefID of the events.
    """
    machine = _Machine(_as_rows(_normalise_existing(existing)))
    for event in _as_rows(_conform(pending)):
        machine.handle(event, from_pending=True)
    for event in _as_rows(_conform(events)):
        machine.handle(event, from_pending=False)
    return machine.result()


def _conform(events: pl.DataFrame) -> pl.DataFrame:
    return events.select(pl.col(name).cast(dtype) for name, dtype in EVENT_SCHEMA.items())


def _as_rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts, times as integer nanoseconds (Python datetimes stop at microseconds)."""
    return frame.with_columns(pl.col("time").dt.epoch("ns")).to_dicts()


def _frame(rows: list[dict[str, Any]], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """The inverse of ``_as_rows``."""
    raw_schema = {name: pl.Int64() if name == "time" else dtype for name, dtype in schema.items()}
    columns: dict[str, pl.Series] = {}
    for name, dtype in raw_schema.items():
        values = [row.get(name) for row in rows]
        if isinstance(dtype, pl.List):
            # polars builds one Series per inner list; Arrow converts them in bulk.
            columns[name] = pl.Series(name, pa.array(values, type=pa.list_(pa.large_string())))
        else:
            columns[name] = pl.Series(name, values, dtype=dtype)
    frame = pl.DataFrame(columns)
    return frame.with_columns(pl.from_epoch("time", time_unit="ns").dt.replace_time_zone("UTC"))


class _Machine:
    def __init__(self, existing: list[dict[str, Any]]) -> None:
        self.fills: dict[str, dict[str, Any]] = {}
        self.alias: dict[str, str] = {}  # any applied ExecID -> original fill ExecID
        self.touched: dict[str, None] = {}  # ordered set of changed fills
        self.held: dict[str, list[tuple[int, dict[str, Any], bool]]] = {}
        self.held_ids: set[str] = set()
        self.sequence = 0
        self.counts = dict.fromkeys(
            ("new_fills", "corrections", "cancels", "released", "duplicates"), 0
        )
        for row in existing:
            self.fills[row["exec_id"]] = row
            for exec_id in (row["exec_id"], *row["applied_exec_ids"]):
                self.alias[exec_id] = row["exec_id"]

    def handle(self, event: dict[str, Any], *, from_pending: bool) -> None:
        work: deque[tuple[dict[str, Any], bool]] = deque([(event, from_pending)])
        while work:
            current, released = work.popleft()
            registered = self._apply(current, released=released)
            if registered is not None:
                for _, waiting, _ in self.held.pop(registered, []):
                    self.held_ids.discard(waiting["exec_id"])
                    work.append((waiting, True))

    def _apply(self, event: dict[str, Any], *, released: bool) -> str | None:
        """Apply one event; return its ExecID if it can now be referred to."""
        exec_id = event["exec_id"]
        if exec_id in self.alias or exec_id in self.held_ids:
            self.counts["duplicates"] += 1
            return None
        if event["kind"] == FILL:
            self.fills[exec_id] = _new_fill(event)
            self.alias[exec_id] = exec_id
            self.touched[exec_id] = None
            self.counts["new_fills"] += 1
            return exec_id
        target = self.alias.get(event["exec_ref_id"])
        if target is None:
            self.sequence += 1
            self.held.setdefault(event["exec_ref_id"], []).append((self.sequence, event, released))
            self.held_ids.add(exec_id)
            return None
        fill = self.fills[target]
        if event["kind"] == CANCEL:
            fill["is_cancelled"] = True
            self.counts["cancels"] += 1
        else:
            for name in CORRECTABLE:
                if event[name] is not None:
                    fill[name] = event[name]
            self.counts["corrections"] += 1
        fill["last_exec_id"] = exec_id
        fill["applied_exec_ids"] = [*fill["applied_exec_ids"], exec_id]
        fill["amendments"] = [*fill["amendments"], event["raw"]]
        self.alias[exec_id] = target
        self.touched[target] = None
        self.counts["released"] += released
        return exec_id

    def result(self) -> FixApplyResult:
        upserts = _frame([self.fills[exec_id] for exec_id in self.touched], FILL_STATE_SCHEMA)
        waiting = sorted(
            (entry for entries in self.held.values() for entry in entries), key=lambda e: e[0]
        )
        pending = _frame([event for _, event, _ in waiting], EVENT_SCHEMA)
        return FixApplyResult(upserts, pending, **self.counts)


def _new_fill(event: dict[str, Any]) -> dict[str, Any]:
    fill = dict(event)  # keys outside FILL_STATE_SCHEMA are dropped by ``_frame``
    fill.update(
        is_cancelled=False,
        last_exec_id=event["exec_id"],
        applied_exec_ids=[event["exec_id"]],
        amendments=[],
    )
    return fill


def _normalise_existing(existing: pl.DataFrame) -> pl.DataFrame:
    """Stored fills in ``FILL_STATE_SCHEMA``, with defaults for the bookkeeping columns."""
    defaults: dict[str, pl.Expr] = {
        "is_cancelled": pl.lit(False),
        "last_exec_id": pl.col("exec_id"),
        "applied_exec_ids": pl.concat_list(pl.col("exec_id")),
        "amendments": pl.lit([], dtype=pl.List(pl.String())),
    }
    columns = []
    for name, dtype in FILL_STATE_SCHEMA.items():
        if name in existing.columns:
            expr = pl.col(name)
            if name in defaults:
                expr = pl.coalesce(expr, defaults[name])
        else:
            expr = defaults.get(name, pl.lit(None))
        columns.append(expr.cast(dtype).alias(name))
    return existing.select(columns)
