"""Reading FIX logs: message framing, integrity checks, event kinds and field values."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from tca.parsing.fix import parse_fix_log
from tests.parsing.helpers import as_tuple, fix_message

FILL_FIELDS = [
    (35, "8"),
    (17, "E1"),
    (11, "CL1"),
    (37, "BRK1"),
    (55, "AAPL"),
    (54, "1"),
    (32, "100"),
    (31, "180.0100"),
    (60, "20240301-14:30:00.123456789"),
    (150, "F"),
    (30, "XNAS"),
    (851, "2"),
    (12, "1.25"),
    (15, "USD"),
]


def fill(**changes: str) -> bytes:
    tags = {"exec_id": 17, "order": 11, "qty": 32, "px": 31, "side": 54, "liq": 851}
    fields = dict(FILL_FIELDS)
    for name, value in changes.items():
        fields[tags[name]] = value
    return fix_message(list(fields.items()))


def events_of(data: bytes, **kwargs):
    result = parse_fix_log(data, **kwargs)
    assert result.errors == [], result.errors
    assert result.events is not None
    return result


def test_fill_fields():
    result = events_of(fill())
    event = result.events.to_dicts()[0]
    assert event["kind"] == "fill"
    assert (event["exec_id"], event["order_id"], event["symbol"], event["side"]) == (
        "E1",
        "CL1",
        "AAPL",
        1,
    )
    assert event["quantity"] == Decimal(100)
    assert event["price"] == Decimal("180.01")
    assert (event["venue"], event["liquidity"], event["currency"]) == ("XNAS", "REMOVE", "USD")
    assert event["fee"] == Decimal("1.25")
    assert event["line"] == 1
    assert event["raw"].startswith("8=FIX.4.4|9=")
    assert event["raw"].endswith("|")
    assert result.events["time"].dt.epoch("ns")[0] == 1709303400123456789
    assert result.message_count == 1


def test_order_id_falls_back_to_broker_order_id():
    fields = [(t, v) for t, v in FILL_FIELDS if t != 11]
    event = events_of(fix_message(fields)).events.to_dicts()[0]
    assert event["order_id"] == "BRK1"


@pytest.mark.parametrize(
    ("code", "flag"), [("1", "ADD"), ("2", "REMOVE"), ("3", "OTHER"), ("4", "AUCTION")]
)
def test_liquidity_codes(code, flag):
    assert events_of(fill(liq=code)).events["liquidity"][0] == flag


def test_sell_short_is_a_sell():
    assert events_of(fill(side="5")).events["side"][0] == -1


def test_pipe_separated_lines_with_a_timestamp_prefix_and_chatter():
    first = fill().replace(b"\x01", b"|")
    second = fill(exec_id="E2").replace(b"\x01", b"|")
    log = (
        b"2024-03-01 14:30:00.001 INFO session logon\n"
        + b"2024-03-01 14:30:00.123 <- "
        + first
        + b"\r\n\n"
        + b"[2024-03-01 14:30:01] "
        + second.rstrip(b"|")
        + b"\n"
    )
    result = events_of(log)
    assert result.events["exec_id"].to_list() == ["E1", "E2"]
    assert result.events["line"].to_list() == [2, 4]
    assert result.ignored_lines == 1


def test_several_soh_messages_on_one_line():
    result = events_of(fill() + fill(exec_id="E2") + fix_message([(35, "0")]))
    assert result.events["exec_id"].to_list() == ["E1", "E2"]
    assert result.skipped == {"0": 1}


def test_other_messages_are_counted_by_type():
    log = b"\n".join(
        [
            fix_message([(35, "A"), (98, "0")]),
            fix_message([(35, "D"), (11, "CL1")]),
            fix_message([(35, "D"), (11, "CL2")]),
            fix_message([(35, "8"), (17, "X1"), (150, "0"), (39, "0")]),  # new-order ack
            fill(),
        ]
    )
    result = events_of(log)
    assert result.skipped == {"A": 1, "D": 2, "8": 1}
    assert result.message_count == 5
    assert result.events.height == 1


def test_fix44_cancel_and_correct():
    log = b"\n".join(
        [
            fill(),
            fix_message([(35, "8"), (17, "C1"), (19, "E1"), (150, "G"), (32, "90"), (31, "180")]),
            fix_message([(35, "8"), (17, "X1"), (19, "C1"), (150, "H")]),
        ]
    )
    events = events_of(log).events
    assert events["kind"].to_list() == ["fill", "correct", "cancel"]
    assert events["exec_ref_id"].to_list() == [None, "E1", "C1"]
    assert events["quantity"].to_list() == [Decimal(100), Decimal(90), None]


def test_fix42_exec_trans_type():
    base = [(35, "8"), (11, "O1"), (55, "IBM"), (54, "2"), (60, "20240301-14:30:00")]
    log = b"\n".join(
        [
            fix_message(
                [*base, (17, "A"), (20, "0"), (150, "1"), (32, "10"), (31, "5")], begin="FIX.4.2"
            ),
            fix_message(
                [*base, (17, "B"), (20, "0"), (150, "2"), (32, "5"), (31, "5")], begin="FIX.4.2"
            ),
            fix_message(
                [*base, (17, "C"), (20, "2"), (19, "A"), (150, "2"), (32, "12"), (31, "5")],
                begin="FIX.4.2",
            ),
            fix_message([*base, (17, "D"), (20, "1"), (19, "B"), (150, "2")], begin="FIX.4.2"),
            fix_message([*base, (17, "S"), (20, "3"), (150, "2")], begin="FIX.4.2"),  # status
            fix_message([*base, (17, "N"), (20, "0"), (150, "0")], begin="FIX.4.2"),  # new
        ]
    )
    result = events_of(log)
    assert result.events["kind"].to_list() == ["fill", "fill", "correct", "cancel"]
    assert result.events["exec_ref_id"].to_list() == [None, None, "A", "B"]
    assert result.skipped == {"8": 2}


def test_bad_checksum_is_rejected_with_its_line():
    good = fill()
    bad = good[:-4] + b"000\x01"
    result = parse_fix_log(good + b"\n" + bad + b"\n")
    assert result.events is None
    assert [as_tuple(e) for e in result.errors] == [
        (2, None, f"CheckSum (10) is 000 but the message sums to {good[-4:-1].decode()}")
    ]


def test_bad_body_length_is_rejected_with_its_line():
    good = fill()
    declared = good.split(b"\x01")[1]
    wrong = good.replace(declared, b"9=" + str(int(declared[2:]) + 1).encode(), 1)
    result = parse_fix_log(b"\n" + wrong)
    assert result.events is None
    assert [as_tuple(e) for e in result.errors] == [
        (
            2,
            None,
            f"BodyLength (9) is {int(declared[2:]) + 1} but the body has {int(declared[2:])} bytes",
        )
    ]


def test_truncated_message():
    result = parse_fix_log(fill()[:-8])
    assert [as_tuple(e) for e in result.errors] == [
        (1, None, "incomplete FIX message (no CheckSum field 10)")
    ]


def test_log_without_messages():
    result = parse_fix_log(b"just some text\n")
    assert result.events is None
    assert [as_tuple(e) for e in result.errors] == [(None, None, "no FIX message found")]


def test_bad_fields_are_reported_by_tag():
    fields = dict(FILL_FIELDS)
    fields.update({32: "-5", 31: "1e2", 54: "9", 60: "2024-03-01T14:30:00", 851: "7"})
    del fields[55]
    result = parse_fix_log(fix_message(list(fields.items())))
    assert result.events is None
    assert [as_tuple(e) for e in result.errors] == [
        (1, "Symbol(55)", "missing value"),
        (
            1,
            "Side(54)",
            "unknown side '9' (expected BUY, SELL, B, S, 1, 2, 5, 6, SELL_SHORT or SHORT)",
        ),
        (1, "LastQty(32)", "must be greater than zero"),
        (1, "LastPx(31)", "exponent notation (like 1e3) is not accepted; write the plain decimal"),
        (
            1,
            "TransactTime(60)",
            "not a FIX UTCTimestamp (like 20240301-14:30:00.123): '2024-03-01T14:30:00'",
        ),
        (1, "LastLiquidityInd(851)", "unknown LastLiquidityInd '7' (expected 1, 2, 3 or 4)"),
    ]


def test_amendment_needs_its_reference():
    result = parse_fix_log(fix_message([(35, "8"), (17, "C1"), (150, "G")]))
    assert [as_tuple(e) for e in result.errors] == [(1, "ExecRefID(19)", "missing value")]


def test_commission_per_unit_is_multiplied_by_the_quantity():
    fields = [*FILL_FIELDS, (13, "1")]
    fields = [(t, "0.0035" if t == 12 else v) for t, v in fields]
    assert events_of(fix_message(fields)).events["fee"][0] == Decimal("0.35")


def test_percentage_commission_is_not_guessed():
    fields = [*FILL_FIELDS, (13, "2")]
    result = parse_fix_log(fix_message(fields))
    assert [as_tuple(e) for e in result.errors] == [
        (1, "CommType(13)", "unsupported CommType '2' (only 1 per unit and 3 absolute are read)")
    ]


def test_transact_time_in_a_named_zone():
    events = events_of(fill(), tz="America/New_York").events
    assert events["time"][0] == datetime(2024, 3, 1, 19, 30, 0, 123456, tzinfo=UTC)


def test_raw_data_fields_may_contain_the_separator():
    fields = [*FILL_FIELDS[:1], (95, "5"), (96, "a\x01b=c"), *FILL_FIELDS[1:]]
    event = events_of(fix_message(fields)).events.to_dicts()[0]
    assert (event["exec_id"], event["quantity"]) == ("E1", Decimal(100))
    assert "|96=a|b=c|" in event["raw"]


def test_garbled_field_is_reported_by_simplefix():
    garbled = fill().replace(b"\x0155=AAPL", b"\x01x5=AAPL")
    result = parse_fix_log(garbled)
    assert result.events is None
    (error,) = result.errors
    assert error.line == 1
    assert error.reason.startswith("malformed FIX message: ")
