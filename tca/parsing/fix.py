"""Reading trade events (fills, cancels, corrections) out of a FIX log.

Ordinary messages are split into fields directly; messages with raw-data
fields (whose values may hold the separator) and irregular ones go through
simplefix, which knows the FIX data fields. BodyLength (9) and CheckSum (10)
are verified here (simplefix does not). ExecutionReports that report a
trade, a trade cancel or a trade correction become events; the rest are
counted. The loop is per message; the field values are then checked with the
same vectorised readers as the files.

In a '|'-separated log a '|' inside a value cannot be told from a separator;
such values break BodyLength and the message is reported.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from zoneinfo import available_timezones

import polars as pl
import simplefix
import simplefix.data
import simplefix.errors

from tca.frames import TIME
from tca.parsing.columns import LINE
from tca.parsing.errors import ErrorSink, RowError
from tca.parsing.timestamps import check_fix_timestamp
from tca.parsing.values import (
    DECIMAL,
    MISSING,
    Checked,
    check_code,
    check_decimal,
    check_side,
    check_text,
    explain,
    no_reason,
    reason_column,
    run_checks,
)

SOH = b"\x01"
FILL, CANCEL, CORRECT = "fill", "cancel", "correct"

# Where each event column comes from, and the label errors use for it.
TAGS: dict[str, bytes] = {
    "exec_id": b"17",
    "exec_ref_id": b"19",
    "cl_ord_id": b"11",
    "fix_order_id": b"37",
    "symbol": b"55",
    "side": b"54",
    "quantity": b"32",
    "price": b"31",
    "time": b"60",
    "venue": b"30",
    "liquidity": b"851",
    "fee": b"12",
    "comm_type": b"13",
    "currency": b"15",
}
LABELS: dict[str, str] = {
    "exec_id": "ExecID(17)",
    "exec_ref_id": "ExecRefID(19)",
    "order_id": "ClOrdID(11)/OrderID(37)",
    "symbol": "Symbol(55)",
    "side": "Side(54)",
    "quantity": "LastQty(32)",
    "price": "LastPx(31)",
    "time": "TransactTime(60)",
    "venue": "LastMkt(30)",
    "liquidity": "LastLiquidityInd(851)",
    "fee": "Commission(12)",
    "comm_type": "CommType(13)",
    "currency": "Currency(15)",
}
LIQUIDITY_CODES = {"1": "ADD", "2": "REMOVE", "3": "OTHER", "4": "AUCTION"}

EVENT_SCHEMA: dict[str, pl.DataType] = {
    "kind": pl.String(),
    "exec_id": pl.String(),
    "exec_ref_id": pl.String(),
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
    "raw": pl.String(),
    LINE: pl.Int64(),
}

INCOMPLETE = "incomplete FIX message (no CheckSum field 10)"
BAD_LAYOUT = "BeginString (8), BodyLength (9) must come first and CheckSum (10) last"
NO_MSG_TYPE = "FIX message has no MsgType (35)"

_BY_EXEC_TYPE = {b"F": FILL, b"1": FILL, b"2": FILL, b"H": CANCEL, b"G": CORRECT}
_BY_TRANS_TYPE = {b"1": CANCEL, b"2": CORRECT}
_RAW_LENGTH_TAGS = frozenset(str(tag).encode() for tag in simplefix.data.RAW_LEN_TAGS)
_MESSAGE_START = re.compile(rb"(?<![0-9A-Za-z])8=FIX")
_NEXT_MESSAGE = re.compile(rb"(?<=\x01)(?=8=FIX)")


@dataclass(frozen=True, slots=True)
class FixParseResult:
    """Trade events of a FIX log in file order, or the errors that reject the log.

    ``events`` has ``EVENT_SCHEMA``; ``skipped`` counts the messages that
    are not trade events by MsgType (an ExecutionReport that is not a trade,
    e.g. a new-order acknowledgement, counts under "8"); ``ignored_lines``
    counts non-blank lines with no FIX message (session log chatter).
    """

    events: pl.DataFrame | None
    errors: list[RowError]
    error_count: int
    message_count: int
    skipped: dict[str, int] = field(default_factory=dict)
    ignored_lines: int = 0

    @property
    def ok(self) -> bool:
        return self.events is not None


def parse_fix_log(data: bytes, *, tz: str | None = None) -> FixParseResult:
    """Parse a FIX log (one or more messages per line, SOH or '|' separated).

    A line may carry a prefix before ``8=FIX`` (a logger's timestamp). ``tz``
    is for counterparties that write TransactTime in local time against the
    standard; without it TransactTime is UTC, as FIX defines it.
    """
    errors = ErrorSink()
    if tz is not None and tz not in available_timezones():
        errors.add(None, None, f"unknown time zone {tz!r}")
        return FixParseResult(None, errors.first(), errors.count, 0)
    columns: dict[str, list[str | int | None]] = {name: [] for name in ("kind", *TAGS, "raw", LINE)}
    skipped: Counter[str] = Counter()
    messages = ignored = 0
    for number, line in enumerate(data.split(b"\n"), start=1):
        found = _MESSAGE_START.search(line)
        if found is None:
            ignored += bool(line.strip())
            continue
        text = line[found.start() :].rstrip(b"\r\n\t ")
        if SOH not in text:
            text = text.replace(b"|", SOH)
        if not text.endswith(SOH):
            text += SOH
        for piece in _NEXT_MESSAGE.split(text):
            fields, problem = _read_message(piece)
            if fields is None:
                errors.add(number, None, problem or INCOMPLETE)
                continue
            messages += 1
            kind = _event_kind(fields)
            if kind is None:
                skipped[_text(fields.get(b"35")) or "?"] += 1
                continue
            columns["kind"].append(kind)
            for name, tag in TAGS.items():
                columns[name].append(_text(fields.get(tag)))
            columns["raw"].append(_text(piece.replace(SOH, b"|")))
            columns[LINE].append(number)
    if messages == 0 and errors.count == 0:
        errors.add(None, None, "no FIX message found")
    schema = {name: pl.Int64() if name == LINE else pl.String() for name in columns}
    raw = pl.DataFrame(columns, schema=schema)
    events = _check_events(raw, tz, errors)
    return FixParseResult(
        None if errors else events,
        errors.first(),
        errors.count,
        messages,
        dict(skipped),
        ignored,
    )


def _text(value: bytes | None) -> str | None:
    return None if value is None else value.decode("utf-8", errors="replace")


def _read_message(piece: bytes) -> tuple[dict[bytes, bytes] | None, str | None]:
    """The fields of one message (first value of a repeated tag), or why it is unusable.

    Plain messages are split directly, which is many times faster than
    simplefix's byte-by-byte parser; messages with raw-data fields (whose
    values may contain the separator) or with anything odd go through
    simplefix, which knows the FIX data fields and names the fault.
    """
    pairs = _split_plain(piece)
    if pairs is None:
        parsed, problem = _parse_with_simplefix(piece)
        if parsed is None:
            return None, problem
        pairs = parsed
    problem = _integrity_problem(piece, pairs)
    if problem is not None:
        return None, problem
    fields: dict[bytes, bytes] = {}
    for tag, value in pairs:
        fields.setdefault(tag, value)
    return fields, None


def _split_plain(piece: bytes) -> list[tuple[bytes, bytes]] | None:
    """Tag/value pairs of a message without raw-data fields; None when in doubt."""
    pairs = []
    for part in piece.split(SOH)[:-1]:
        tag, equals, value = part.partition(b"=")
        if not equals or not value or not tag.isdigit() or tag in _RAW_LENGTH_TAGS:
            return None
        pairs.append((tag, value))
    return pairs


def _parse_with_simplefix(piece: bytes) -> tuple[list[tuple[bytes, bytes]] | None, str | None]:
    parser = simplefix.FixParser()
    parser.append_buffer(piece)
    try:
        message = parser.get_message()
    except simplefix.errors.ParsingError as exc:
        return None, f"malformed FIX message: {exc or type(exc).__name__}"
    if message is None:
        return None, INCOMPLETE
    if parser.get_buffer().strip(SOH + b" "):
        return None, "unexpected text after CheckSum (10)"
    return list(message.pairs), None


def _integrity_problem(wire: bytes, pairs: list[tuple[bytes, bytes]]) -> str | None:
    """BodyLength and CheckSum as FIX defines them, over the bytes as received."""
    if len(pairs) < 4 or (pairs[0][0], pairs[1][0], pairs[-1][0]) != (b"8", b"9", b"10"):
        return INCOMPLETE if pairs and pairs[-1][0] != b"10" else BAD_LAYOUT
    header = len(b"8=%s\x019=%s\x01" % (pairs[0][1], pairs[1][1]))
    trailer = len(b"10=%s\x01" % pairs[-1][1])
    declared_length, declared_sum = pairs[1][1], pairs[-1][1]
    length = len(wire) - header - trailer
    if not declared_length.isdigit() or int(declared_length) != length:
        return f"BodyLength (9) is {_text(declared_length)} but the body has {length} bytes"
    checksum = sum(wire[:-trailer]) % 256
    if len(declared_sum) != 3 or not declared_sum.isdigit() or int(declared_sum) != checksum:
        return f"CheckSum (10) is {_text(declared_sum)} but the message sums to {checksum:03d}"
    if not any(tag == b"35" for tag, _ in pairs):
        return NO_MSG_TYPE
    return None


def _event_kind(fields: dict[bytes, bytes]) -> str | None:
    """fill/cancel/correct for trade ExecutionReports, None for anything else.

    FIX 4.2 says it with ExecTransType (20): 0 new (a fill when ExecType 150
    is 1 partial fill or 2 fill), 1 cancel, 2 correct, 3 status. FIX 4.3+
    drops 20 and uses ExecType F trade, H trade cancel, G trade correct.
    """
    if fields.get(b"35") != b"8":
        return None
    trans_type = fields.get(b"20")
    if trans_type in (None, b"0"):
        return _BY_EXEC_TYPE.get(fields.get(b"150", b""))
    return _BY_TRANS_TYPE.get(trans_type)


def _check_events(raw: pl.DataFrame, tz: str | None, errors: ErrorSink) -> pl.DataFrame:
    """Type and presence checks over all events at once, as for CSV columns."""
    kind = pl.col("kind")
    is_fill = kind == FILL
    is_amendment = kind != FILL
    frame = raw.with_columns(order_id=pl.coalesce("cl_ord_id", "fix_order_id"))
    checks: dict[str, Checked] = {
        "exec_id": _required(
            check_text("exec_id", pl.String, max_length=64), "exec_id", pl.lit(True)
        ),
        "exec_ref_id": _required(
            check_text("exec_ref_id", pl.String, max_length=64), "exec_ref_id", is_amendment
        ),
        "order_id": _required(
            check_text("order_id", pl.String, max_length=64), "order_id", is_fill
        ),
        "symbol": _required(check_code("symbol", pl.String, max_length=32), "symbol", is_fill),
        "side": _required(check_side("side", pl.String), "side", is_fill),
        "quantity": _required(
            check_decimal("quantity", pl.String, sign="positive"), "quantity", is_fill
        ),
        "price": _required(check_decimal("price", pl.String, sign="positive"), "price", is_fill),
        "time": _required(check_fix_timestamp("time", tz=tz), "time", is_fill),
        "venue": check_code("venue", pl.String, max_length=16),
        "liquidity": _check_liquidity_code(),
        "fee": check_decimal("fee", pl.String),
        "comm_type": _check_comm_type(),
        "currency": Checked(pl.col("currency"), no_reason()),
    }
    parsed = run_checks(frame, checks, ("kind", LINE, "raw"))
    for name in checks:
        reason = pl.col(reason_column(name))
        bad = parsed.filter(reason.is_not_null())
        if bad.height:
            errors.add_frame(bad.select(LINE, column=pl.lit(LABELS[name]), reason=reason))
    # Commission per unit (13=1) is a rate on this fill's LastQty.
    per_unit = pl.col("comm_type") == "1"
    fee = pl.when(per_unit).then(pl.col("fee") * pl.col("quantity")).otherwise(pl.col("fee"))
    return parsed.with_columns(fee=fee.cast(DECIMAL)).select(
        pl.col(name).cast(dtype) for name, dtype in EVENT_SCHEMA.items()
    )


def _required(checked: Checked, name: str, when: pl.Expr) -> Checked:
    missing = pl.col(name).is_null() & when
    reason = pl.when(missing).then(pl.lit(MISSING)).otherwise(checked.reason)
    return Checked(checked.value, reason, checked.stages)


def _check_liquidity_code() -> Checked:
    code = pl.col("liquidity")
    value = code.replace_strict(LIQUIDITY_CODES, default=None, return_dtype=pl.String)
    bad = code.is_not_null() & value.is_null()
    return Checked(value, explain(bad, "unknown LastLiquidityInd {} (expected 1, 2, 3 or 4)", code))


def _check_comm_type() -> Checked:
    """Commission is read as an amount (13 absent or 3) or per unit (13=1)."""
    code = pl.col("comm_type")
    bad = code.is_not_null() & ~code.is_in(["1", "3"]) & pl.col("fee").is_not_null()
    without_qty = (code == "1") & pl.col("fee").is_not_null() & pl.col("quantity").is_null()
    reason = pl.coalesce(
        explain(bad, "unsupported CommType {} (only 1 per unit and 3 absolute are read)", code),
        pl.when(without_qty).then(pl.lit("CommType 1 (per unit) needs LastQty (32)")),
    )
    return Checked(code, reason)
