"""Writing RFQ quotes (all or nothing, idempotent) and measuring their fairness."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

import polars as pl
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tca.analytics.rfq import MARKOUT_HORIZONS_S, quote_fairness
from tca.ingestion.rejection import reject_rows
from tca.instruments.models import Instrument
from tca.marketdata.store import tick_store
from tca.parsing.errors import RowError

from .models import RfqQuote

log = logging.getLogger(__name__)
CONFLICT = (
    "the quote of {} for rfq {} already exists for source {!r} with another symbol, side, "
    "quantity, price or time"
)
LIT_HORIZON_S = 3600.0  # the lit-market alternative: the balanced strategy over an hour


def _ns(column: str) -> pl.Expr:
    return pl.col(column).dt.epoch("ns")


def rfq_quotes_insert(*, frame: pl.DataFrame, source: str) -> tuple[int, int, list[int]]:
    """Insert new quotes: (inserted, duplicates, new ids). Inside a transaction.

    A quote already stored (same source, rfq and dealer) with the same terms is a
    duplicate; with other terms it is a conflict and rejects the file.
    """
    rows = frame.with_columns(
        _ns("request_time").alias("request_ns"), _ns("quote_time").alias("quote_ns"),
        _ns("valid_until").alias("valid_until_ns") if "valid_until" in frame.columns
        else pl.lit(None, dtype=pl.Int64).alias("valid_until_ns"),
    ).to_dicts()  # fmt: skip
    ids = sorted({r["rfq_id"] for r in rows})
    existing = RfqQuote.objects.select_related("instrument").filter(source=source, rfq_id__in=ids)
    stored = {(q.rfq_id, q.dealer): _terms_of(q) for q in existing}
    symbols = {r["symbol"] for r in rows}
    instruments = dict(Instrument.objects.filter(symbol__in=symbols).values_list("symbol", "id"))
    errors, new = [], []
    for r in rows:
        old = stored.get((r["rfq_id"], r["dealer"]))
        if old is not None:
            if old != _terms_of_row(r):
                reason = CONFLICT.format(repr(r["dealer"]), repr(r["rfq_id"]), source)
                errors.append(RowError(r["line"], "rfq_id", reason))
            continue
        quote = RfqQuote(
            source=source, rfq_id=r["rfq_id"], dealer=r["dealer"],
            instrument_id=instruments[r["symbol"]], side=r["side"],
            quantity=r["quantity"], request_ns=r["request_ns"], quote_price=r["quote_price"],
            quote_ns=r["quote_ns"], status=r.get("status") or "",
            valid_until_ns=r.get("valid_until_ns"), venue=r.get("venue") or "",
        )  # fmt: skip
        new.append(quote)
    if errors:
        reject_rows(errors)
    created = RfqQuote.objects.bulk_create(new, batch_size=2000)
    return len(created), len(rows) - len(created), [q.pk for q in created]


def _terms_of(q: RfqQuote) -> tuple[Any, ...]:
    return (q.instrument.symbol, q.side, q.quantity, q.request_ns, q.quote_price, q.quote_ns)


def _terms_of_row(r: dict[str, Any]) -> tuple[Any, ...]:
    return (r["symbol"], r["side"], Decimal(r["quantity"]), r["request_ns"],
            Decimal(r["quote_price"]), r["quote_ns"])  # fmt: skip


LitCost = tuple[float | None, float | None, str]


def _lit_costs(quotes: list[RfqQuote]) -> dict[tuple[Any, ...], LitCost]:
    """The impact model's cost of working each request in the lit market (balanced
    strategy, SPEC §4) and its standard deviation; None when inputs are missing."""
    from tca.pretrade.conf import pretrade_conf
    from tca.pretrade.selectors import MissingInput
    from tca.pretrade.services import pretrade_compute, pretrade_request

    conf = pretrade_conf()
    out: dict[tuple[Any, ...], LitCost] = {}
    for q in quotes:
        key = (q.instrument.symbol, q.side, q.quantity, q.request_ns)
        if key in out:
            continue
        start = dt.datetime.fromtimestamp(q.request_ns / 1e9, tz=dt.UTC)
        try:
            request = pretrade_request(
                symbol=q.instrument.symbol, side=q.side, quantity=float(q.quantity),
                start=start, horizon_s=LIT_HORIZON_S, end=None, threshold_bps=None,
                risk_aversion=None, conf=conf,
            )  # fmt: skip
            result = pretrade_compute(request=request, conf=conf)
        except MissingInput as exc:
            log.info("no lit-market estimate for rfq %s: %s", q.rfq_id, exc)
            out[key] = (None, None, "")
            continue
        balanced = next(s for s in result["strategies"] if s["strategy"] == "balanced")
        out[key] = (balanced["total_bps"], balanced["std_bps"], balanced["model_version"] or "")
    return out


def rfq_quotes_analyse(
    *, ids: list[int] | None = None, symbols: list[str] | None = None, missing_only: bool = False
) -> int:
    """Fill the fairness columns of the given quotes (by id, by symbol, or all; with
    ``missing_only``, those without a mid yet). Idempotent."""
    qs = RfqQuote.objects.select_related("instrument")
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    if symbols is not None:
        qs = qs.filter(instrument__symbol__in=symbols)
    if missing_only:
        qs = qs.filter(mid__isnull=True)
    quotes = list(qs)
    if not quotes:
        return 0
    lit = _lit_costs(quotes)
    frame = pl.DataFrame(
        {
            "id": [q.pk for q in quotes],
            "symbol": [q.instrument.symbol for q in quotes],
            "side": [q.side for q in quotes],
            "quote_price": [float(q.quote_price) for q in quotes],
            "quote_ns": [q.quote_ns for q in quotes],
            "status": [q.status for q in quotes],
            "lit_cost_bps": [lit[_key(q)][0] for q in quotes],
            "lit_cost_std_bps": [lit[_key(q)][1] for q in quotes],
        },
        schema_overrides={"lit_cost_bps": pl.Float64, "lit_cost_std_bps": pl.Float64},
    )
    days = {dt.datetime.fromtimestamp(q.quote_ns / 1e9, tz=dt.UTC).date() for q in quotes}
    book = tick_store().read("quotes", symbols=set(frame["symbol"]), dates=days)
    staleness = int(settings.TCA_QUOTE_STALENESS_SECONDS * 1e9)
    out = quote_fairness(
        frame, book, staleness_ns=staleness, flag_quantile=settings.FOOTPRINT_RFQ_FLAG_QUANTILE
    )
    now = timezone.now()
    by_id = {q.pk: q for q in quotes}
    for row in out.iter_rows(named=True):
        q = by_id[row["id"]]
        q.mid, q.markup_bps = row["mid"], row["markup_bps"]
        q.lit_cost_bps, q.lit_cost_std_bps = row["lit_cost_bps"], row["lit_cost_std_bps"]
        q.markup_vs_lit_bps, q.beyond_model = row["markup_vs_lit_bps"], row["beyond_model"]
        q.markouts = {
            str(h): row[f"markout_{h}"] for h in MARKOUT_HORIZONS_S
            if row[f"markout_{h}"] is not None
        }  # fmt: skip
        q.model_version, q.analysed_at = lit[_key(q)][2], now
    fields = ["mid", "markup_bps", "lit_cost_bps", "lit_cost_std_bps", "markup_vs_lit_bps",
              "beyond_model", "markouts", "model_version", "analysed_at"]  # fmt: skip
    with transaction.atomic():
        RfqQuote.objects.bulk_update(quotes, fields, batch_size=1000)
    return len(quotes)


def _key(q: RfqQuote) -> tuple[Any, ...]:
    return (q.instrument.symbol, q.side, q.quantity, q.request_ns)
