"""Ingestion: one service layer behind the CLI, the API and the upload page.

A file is parsed and validated in full before anything is written (``tca.parsing``);
then everything it changes in SQL is written inside one transaction, and market
data goes to the tick store with one atomic manifest swap inside that
transaction. A rejected file writes nothing but its audit row.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from tca.instruments.models import Instrument
from tca.instruments.services import instruments_register_missing, instruments_upsert
from tca.jobs.models import IngestAudit
from tca.marketdata.services import daily_bars_refresh
from tca.marketdata.store import tick_store
from tca.orders.selectors import user_desk_lock
from tca.orders.services import orders_mark_for_recompute, orders_mark_for_recompute_after
from tca.parsing import parse_file, to_canonical
from tca.parsing.errors import RowError

from .fills import fills_insert
from .fix import fills_apply_fix
from .orders import orders_for_desk, orders_insert
from .rejection import IngestRejected

KINDS = (
    "instruments", "orders", "fills", "quotes", "trades", "daily", "rfq", "signals", "fix",
)  # fmt: skip
# Kinds whose new rows change stored costs (their orders are marked for recompute).
COST_CHANGING_KINDS = ("fills", "fix", "quotes", "trades", "daily")

Progress = Callable[[float, str], None]


def _no_progress(fraction: float, message: str) -> None:
    return None


@dataclass
class IngestOutcome:
    kind: str
    filename: str
    sha256: str
    rows_total: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    details: dict[str, Any] = field(default_factory=dict)
    audit_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "filename": self.filename,
            "sha256": self.sha256,
            "rows_total": self.rows_total,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "error_count": self.error_count,
            "errors": [
                {"line": e.line, "column": e.column, "reason": e.reason} for e in self.errors
            ],
            "details": self.details,
            "audit_id": self.audit_id,
        }


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _audit(
    *, outcome: IngestOutcome, user: AbstractBaseUser | None, source: str, size: int,
    duration: float, status: str, job_id: uuid.UUID | str | None,
) -> None:
    audit = IngestAudit.objects.create(
        job_id=job_id,
        user=user if user is not None and user.is_authenticated else None,
        kind=outcome.kind,
        source=source,
        filename=outcome.filename[:255],
        sha256=outcome.sha256,
        size_bytes=size,
        rows_total=outcome.rows_total,
        rows_accepted=outcome.accepted,
        rows_duplicate=outcome.duplicates,
        rows_rejected=outcome.rejected,
        duration_s=duration,
        outcome=status,
        errors=outcome.as_dict()["errors"],
        error_count=outcome.error_count,
    )
    outcome.audit_id = audit.pk


def ingest_file(
    *,
    kind: str,
    path: Path,
    filename: str | None = None,
    user: AbstractBaseUser | None = None,
    source: str = "default",
    tz: str | None = None,
    job_id: uuid.UUID | str | None = None,
    progress: Progress = _no_progress,
) -> IngestOutcome:
    """Validate ``path`` fully, then write all of it or none of it; always audited.

    ``progress(fraction, message)`` is told when validation ends and writing starts.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    started = time.monotonic()
    name = filename or path.name
    size = path.stat().st_size
    outcome = IngestOutcome(kind=kind, filename=name, sha256="")
    # Hashing releases the GIL: it runs beside the parsing instead of before it.
    hashing = ThreadPoolExecutor(max_workers=1)
    sha256 = hashing.submit(file_sha256, path)
    hashing.shutdown(wait=False)
    try:
        progress(0.05, "validating")
        desk = user_desk_lock(user=user)
        if kind == "fix":
            _ingest_fix(
                outcome=outcome, path=path, source=source, tz=tz, progress=progress, desk=desk
            )
        else:
            _ingest_table(
                outcome=outcome, kind=kind, path=path, source=source, tz=tz, progress=progress,
                desk=desk,
            )  # fmt: skip
    except IngestRejected as rejected:
        outcome.sha256 = sha256.result()
        outcome.errors = rejected.errors[:1000]
        outcome.error_count = rejected.error_count
        outcome.rejected = outcome.rows_total or rejected.error_count
        outcome.accepted = outcome.duplicates = 0
        _audit(
            outcome=outcome, user=user, source=source, size=size,
            duration=time.monotonic() - started, status=IngestAudit.Outcome.REJECTED,
            job_id=job_id,
        )
        return outcome
    except Exception:
        outcome.sha256 = sha256.result()
        _audit(
            outcome=outcome, user=user, source=source, size=size,
            duration=time.monotonic() - started, status=IngestAudit.Outcome.FAILED,
            job_id=job_id,
        )
        raise
    outcome.sha256 = sha256.result()
    _audit(
        outcome=outcome, user=user, source=source, size=size,
        duration=time.monotonic() - started, status=IngestAudit.Outcome.ACCEPTED, job_id=job_id,
    )
    return outcome


def _parse(kind: str, path: Path, tz: str | None, outcome: IngestOutcome) -> pl.DataFrame:
    result = parse_file(
        kind, path, filename=outcome.filename, tz=tz,
        max_bytes=settings.FOOTPRINT_MAX_UPLOAD_BYTES,
        max_rows=settings.FOOTPRINT_MAX_ROWS,
    )
    outcome.rows_total = result.row_count
    if result.frame is None or result.error_count:
        raise IngestRejected(result.errors, max(result.error_count, 1))
    return result.frame


def _tick_sizes_from_quotes(frame: pl.DataFrame, symbols: set[str]) -> dict[str, Decimal]:
    """A new symbol's tick from its quotes' decimal places: 2 decimals -> 0.01.

    Only symbols about to be registered are looked at, on their first quotes.
    """
    if not symbols:
        return {}
    sample = frame.filter(pl.col("symbol").is_in(list(symbols))).group_by("symbol").head(1000)
    stats = sample.group_by("symbol").agg(
        pl.col("bid").cast(pl.String).str.extract(r"\.(\d*?)0*$").str.len_chars().max().alias("d")
    )
    return {
        symbol: Decimal(1).scaleb(-int(d)) if d else Decimal(1)
        for symbol, d in stats.iter_rows()
    }


def _ingest_table(
    *, outcome: IngestOutcome, kind: str, path: Path, source: str, tz: str | None,
    progress: Progress, desk: str | None = None,
) -> None:
    """``desk``: the uploader's desk lock (orders and fills of other desks are refused)."""
    frame = _parse(kind, path, tz, outcome)
    progress(0.5, f"writing {frame.height:,} validated rows")
    if kind == "instruments":
        with transaction.atomic():
            created, updated = instruments_upsert(frame=frame)
        outcome.accepted = created + updated
        outcome.duplicates = frame.height - outcome.accepted
        outcome.details = {"created": created, "updated": updated}
        return
    if kind == "orders":
        frame = orders_for_desk(frame=frame, desk=desk)
        with transaction.atomic():
            currencies = (
                dict(frame.select("symbol", "currency").drop_nulls().unique("symbol").iter_rows())
                if "currency" in frame.columns
                else {}
            )
            new = instruments_register_missing(
                symbols=frame["symbol"].unique().to_list(), currency=currencies
            )
            inserted, duplicates = orders_insert(frame=frame, source=source, desk=desk)
        outcome.accepted, outcome.duplicates = inserted, duplicates
        outcome.details = {"instruments_registered": new}
        return
    if kind == "fills":
        with transaction.atomic():
            inserted, duplicates, touched = fills_insert(frame=frame, source=source, desk=desk)
        outcome.accepted, outcome.duplicates = inserted, duplicates
        outcome.details = {"orders_marked_for_recompute": touched}
        return
    if kind == "daily":
        _ingest_daily(outcome=outcome, frame=frame)
        return
    if kind == "rfq":
        _ingest_rfq(outcome=outcome, frame=frame, source=source)
        return
    if kind == "signals":
        _ingest_signals(outcome=outcome, frame=frame)
        return
    # Market data goes to the tick store; its manifest swap is the last step inside
    # the transaction, so a failure anywhere rolls back the SQL side too.
    canonical = to_canonical(kind, frame)
    symbols = canonical["symbol"].unique().to_list()
    with transaction.atomic():
        unknown = set(symbols) - set(
            Instrument.objects.filter(symbol__in=symbols).values_list("symbol", flat=True)
        )
        new = instruments_register_missing(
            symbols=symbols,
            tick_size=_tick_sizes_from_quotes(frame, unknown) if kind == "quotes" else None,
        )
        report = tick_store().write(kind, canonical)
        if report.rows_written:
            days = canonical.select("symbol", pl.col("time").dt.date().alias("day")).unique()
            orders_mark_for_recompute(symbol_days=list(days.iter_rows()))
            if kind == "trades":
                daily_bars_refresh(symbols=canonical["symbol"].unique().to_list())
    outcome.accepted = report.rows_written
    outcome.duplicates = report.duplicates
    outcome.details = {"instruments_registered": new, "partitions": report.partitions}
    if kind == "quotes" and report.rows_written:
        # RFQ quotes loaded before their market data can now be measured.
        from tca.rfq.services import rfq_quotes_analyse

        outcome.details["rfq_analysed"] = rfq_quotes_analyse(symbols=symbols, missing_only=True)


def _ingest_signals(*, outcome: IngestOutcome, frame: pl.DataFrame) -> None:
    """Alternative data goes to the tick store. It changes no measured cost (no order is
    recomputed) and registers no instrument: a vendor's file covers names we never trade."""
    report = tick_store().write("signals", to_canonical("signals", frame))
    outcome.accepted = report.rows_written
    outcome.duplicates = report.duplicates
    outcome.details = {
        "partitions": report.partitions,
        "names": sorted(frame["name"].unique().to_list()),
    }


def _ingest_rfq(*, outcome: IngestOutcome, frame: pl.DataFrame, source: str) -> None:
    """Dealer quotes; their fairness is measured once they are committed (a failure
    there never undoes the load: ``rfq_quotes_analyse`` can be run again)."""
    from tca.rfq.services import rfq_quotes_analyse, rfq_quotes_insert

    with transaction.atomic():
        new = instruments_register_missing(symbols=frame["symbol"].unique().to_list())
        inserted, duplicates, ids = rfq_quotes_insert(frame=frame, source=source)
    outcome.accepted, outcome.duplicates = inserted, duplicates
    outcome.details = {"instruments_registered": new}
    try:
        outcome.details["analysed"] = rfq_quotes_analyse(ids=ids)
    except Exception as exc:  # the quotes are stored; say why they are not yet measured
        outcome.details["analysis_error"] = str(exc)[:500]


def _ingest_daily(*, outcome: IngestOutcome, frame: pl.DataFrame) -> None:
    """Daily history feeds ADV20 and sigma20, so the orders of its symbols are recomputed."""
    canonical = to_canonical("daily", frame)
    symbols = canonical["symbol"].unique().to_list()
    with transaction.atomic():
        currencies = dict(
            canonical.select("symbol", "currency").drop_nulls().unique("symbol").iter_rows()
        )
        new = instruments_register_missing(symbols=symbols, currency=currencies)
        report = tick_store().write_daily_history(canonical)
        if report.rows_written:
            # A bar of day d feeds the features of every later day only.
            first = canonical.group_by("symbol").agg(pl.col("date").min())
            orders_mark_for_recompute_after(symbol_first_days=list(first.iter_rows()))
    outcome.accepted = report.rows_written
    outcome.duplicates = report.duplicates
    outcome.details = {"instruments_registered": new}


def _ingest_fix(
    *, outcome: IngestOutcome, path: Path, source: str, tz: str | None, progress: Progress,
    desk: str | None = None,
) -> None:
    from tca.parsing.fix import parse_fix_log

    result = parse_fix_log(path.read_bytes(), tz=tz)
    outcome.rows_total = result.message_count
    if result.events is None or result.error_count:
        raise IngestRejected(result.errors, max(result.error_count, 1))
    progress(0.5, f"applying {result.events.height:,} trade events")
    with transaction.atomic():
        summary = fills_apply_fix(events=result.events, source=source, desk=desk)
    outcome.accepted = summary["accepted"]
    outcome.duplicates = summary["duplicates"]
    outcome.details = {**summary, "skipped_messages": result.skipped}
