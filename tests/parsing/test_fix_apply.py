"""The FIX trade-event state machine: fills, corrections, cancels, held amendments."""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from tca.parsing.fix import EVENT_SCHEMA, parse_fix_log
from tca.parsing.fix_apply import FILL_STATE_SCHEMA, apply_fix_events
from tests.parsing.helpers import fix_message

NO_FILLS = pl.DataFrame(schema=FILL_STATE_SCHEMA)
NO_EVENTS = pl.DataFrame(schema=EVENT_SCHEMA)


def trade(exec_id: str, qty: str, px: str, time: str = "20240301-14:30:00.000000001") -> bytes:
    return fix_message(
        [
            (35, "8"),
            (17, exec_id),
            (11, "O1"),
            (55, "AAPL"),
            (54, "1"),
            (32, qty),
            (31, px),
            (60, time),
            (150, "F"),
            (30, "XNAS"),
        ]
    )


def correct(exec_id: str, ref: str, qty: str, px: str, time: str | None = None) -> bytes:
    fields = [(35, "8"), (17, exec_id), (19, ref), (150, "G"), (32, qty), (31, px)]
    if time is not None:
        fields.append((60, time))
    return fix_message(fields)


def cancel(exec_id: str, ref: str) -> bytes:
    return fix_message([(35, "8"), (17, exec_id), (19, ref), (150, "H")])


def events(*messages: bytes) -> pl.DataFrame:
    result = parse_fix_log(b"\n".join(messages))
    assert result.events is not None, result.errors
    return result.events


def by_id(frame: pl.DataFrame) -> dict[str, dict]:
    return {row["exec_id"]: row for row in frame.to_dicts()}


def test_fill_correction_cancel_and_a_correction_before_its_fill():
    log = events(
        trade("F1", "100", "10.00"),
        correct("C1", "F1", "90", "10.01", "20240301-14:30:00.000000002"),
        trade("F2", "50", "10.05"),
        cancel("X2", "F2"),
        correct("C3", "F3", "30", "10.20"),  # F3 has not arrived yet
        trade("F3", "35", "10.10"),
    )
    result = apply_fix_events(log, NO_FILLS, NO_EVENTS)
    fills = by_id(result.upserts)
    assert list(fills) == ["F1", "F2", "F3"]
    f1, f2, f3 = fills["F1"], fills["F2"], fills["F3"]
    assert (f1["quantity"], f1["price"], f1["is_cancelled"]) == (
        Decimal(90),
        Decimal("10.01"),
        False,
    )
    assert f1["last_exec_id"] == "C1"
    assert f1["applied_exec_ids"] == ["F1", "C1"]
    assert len(f1["amendments"]) == 1
    assert "|17=C1|19=F1|" in f1["amendments"][0]
    assert "|17=F1|" in f1["raw"]
    assert f1["venue"] == "XNAS"  # not in the correction: kept
    assert (f2["quantity"], f2["is_cancelled"], f2["last_exec_id"]) == (Decimal(50), True, "X2")
    assert (f3["quantity"], f3["price"]) == (Decimal(30), Decimal("10.20"))
    assert result.pending.height == 0
    assert (result.new_fills, result.corrections, result.cancels) == (3, 2, 1)
    assert (result.released, result.duplicates) == (1, 0)
    times = result.upserts["time"].dt.epoch("ns").to_list()
    assert times == [1709303400000000002, 1709303400000000001, 1709303400000000001]
    assert result.upserts["line"].to_list() == [1, 3, 6]


def test_chain_of_corrections_and_a_cancel_naming_the_latest_correction():
    log = events(
        trade("F1", "100", "10"),
        correct("C1", "F1", "90", "10"),
        correct("C2", "C1", "80", "10"),
        cancel("X1", "C2"),
    )
    fill = by_id(apply_fix_events(log, NO_FILLS, NO_EVENTS).upserts)["F1"]
    assert fill["quantity"] == Decimal(80)
    assert fill["is_cancelled"]
    assert fill["applied_exec_ids"] == ["F1", "C1", "C2", "X1"]


def test_held_chain_is_released_in_order_when_the_fill_arrives():
    log = events(
        correct("C2", "C1", "80", "10"),  # refers to a correction not seen yet
        correct("C1", "F1", "90", "10"),
        trade("F1", "100", "10"),
    )
    result = apply_fix_events(log, NO_FILLS, NO_EVENTS)
    fill = by_id(result.upserts)["F1"]
    assert fill["quantity"] == Decimal(80)
    assert fill["applied_exec_ids"] == ["F1", "C1", "C2"]
    assert result.released == 2


def test_amendment_waits_for_a_later_batch():
    first = apply_fix_events(events(cancel("X1", "F1")), NO_FILLS, NO_EVENTS)
    assert first.upserts.height == 0
    assert first.pending["exec_id"].to_list() == ["X1"]
    assert first.pending.schema == pl.Schema(EVENT_SCHEMA)

    second = apply_fix_events(events(trade("F1", "100", "10")), NO_FILLS, first.pending)
    fill = by_id(second.upserts)["F1"]
    assert fill["is_cancelled"]
    assert second.pending.height == 0
    assert second.released == 1


def test_amendment_to_a_stored_fill():
    stored = apply_fix_events(events(trade("F1", "100", "10")), NO_FILLS, NO_EVENTS).upserts
    result = apply_fix_events(events(correct("C1", "F1", "60", "9.5")), stored, NO_EVENTS)
    fill = by_id(result.upserts)["F1"]
    assert (fill["quantity"], fill["price"]) == (Decimal(60), Decimal("9.5"))
    assert fill["line"] == 1  # line of the fill in the batch that brought it
    assert result.new_fills == 0


def test_stored_fill_with_only_the_basic_columns():
    stored = pl.DataFrame(
        {
            "exec_id": ["F1"],
            "order_id": ["O1"],
            "symbol": ["AAPL"],
            "side": [1],
            "quantity": [100.0],
            "price": [10.0],
        }
    )
    result = apply_fix_events(events(cancel("X1", "F1")), stored, NO_EVENTS)
    fill = by_id(result.upserts)["F1"]
    assert fill["is_cancelled"]
    assert fill["applied_exec_ids"] == ["F1", "X1"]


def test_reapplying_the_same_events_changes_nothing():
    log = events(
        trade("F1", "100", "10"),
        correct("C1", "F1", "90", "10"),
        cancel("X9", "F9"),  # stays pending
    )
    first = apply_fix_events(log, NO_FILLS, NO_EVENTS)
    again = apply_fix_events(log, first.upserts, first.pending)
    assert again.upserts.height == 0
    assert again.pending.to_dicts() == first.pending.to_dicts()
    assert again.duplicates == 3
    assert (again.new_fills, again.corrections, again.cancels) == (0, 0, 0)


def test_duplicate_messages_inside_a_batch():
    log = events(trade("F1", "100", "10"), trade("F1", "100", "10"))
    result = apply_fix_events(log, NO_FILLS, NO_EVENTS)
    assert result.upserts.height == 1
    assert result.duplicates == 1
