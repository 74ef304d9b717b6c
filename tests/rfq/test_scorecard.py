"""Dealer quotes from the simulator's known dealers: the scorecard finds who is who."""

from __future__ import annotations

from pathlib import Path

import pytest

from tca.ingestion.services import ingest_file
from tca.rfq.models import RfqQuote
from tca.rfq.selectors import dealer_scorecard
from tca.sim.rfq import WIDE_BPS

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(on_book):  # type: ignore[no-untyped-def]
    outcome = ingest_file(kind="rfq", path=Path(on_book.files) / "rfq.csv", source="book")
    assert outcome.ok, outcome.errors[:3]
    assert outcome.details["analysed"] == outcome.accepted > 0
    return {d.dealer: d for d in dealer_scorecard()}


def test_reingest_is_a_no_op_and_every_quote_is_measured(scored, on_book) -> None:  # type: ignore[no-untyped-def]
    again = ingest_file(kind="rfq", path=Path(on_book.files) / "rfq.csv", source="book")
    assert again.ok and again.accepted == 0 and again.duplicates == RfqQuote.objects.count()
    assert not RfqQuote.objects.filter(mid__isnull=True).exists()
    assert not RfqQuote.objects.filter(lit_cost_bps__isnull=True).exists()
    assert set(RfqQuote.objects.values_list("model_version", flat=True)) != {""}
    won = RfqQuote.objects.filter(status="FILLED")
    assert all(set(q.markouts) == {"60", "300", "1800"} for q in won)


def test_the_wide_dealer_charges_its_extra_and_rarely_wins(scored) -> None:  # type: ignore[no-untyped-def]
    wide, fair = scored["WIDE"], scored["FAIR-1"]
    gap = wide.markup_bps.mean - fair.markup_bps.mean
    assert gap == pytest.approx(WIDE_BPS, abs=2.0)
    assert wide.markup_bps.low > fair.markup_bps.high  # the intervals do not overlap
    assert wide.hit_rate.high < fair.hit_rate.low
    assert wide.flagged >= fair.flagged


def test_the_informed_dealer_shows_in_its_markouts(scored) -> None:  # type: ignore[no-untyped-def]
    informed = scored["INFORMED"]
    fairs = [scored["FAIR-1"], scored["FAIR-2"]]
    assert informed.markouts_bps[1800].low > 0  # after it wins, the market moves its way
    for fair in fairs:
        assert informed.markouts_bps[1800].mean > fair.markouts_bps[1800].mean + 5
    assert informed.hit_rate.mean > max(f.hit_rate.mean for f in fairs)
    assert informed.response_s_median < fairs[0].response_s_median


def test_api_and_page_show_the_scorecard(  # type: ignore[no-untyped-def]
    scored, trader, no_role_user, api_client_for, client
) -> None:
    body = api_client_for(trader).get("/api/v1/rfq/dealers/").json()
    rows = {r["dealer"]: r for r in body}
    assert set(rows) == {"FAIR-1", "FAIR-2", "WIDE", "INFORMED"}
    assert rows["WIDE"]["markup_bps"]["mean"] == pytest.approx(scored["WIDE"].markup_bps.mean)
    assert rows["INFORMED"]["markouts_bps"]["1800"]["n"] == scored["INFORMED"].wins
    assert api_client_for(no_role_user).get("/api/v1/rfq/dealers/").status_code == 403
    client.force_login(trader)
    page = client.get("/rfq/").content.decode()
    assert 'data-dealer="INFORMED"' in page and 'id="dealers"' in page
