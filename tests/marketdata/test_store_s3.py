"""The configured tick store on S3: ingestion through the services, and the
PostgreSQL lock that serialises its writers across hosts."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from django.db import connection

from tca.ingestion.services import ingest_file
from tca.marketdata.locks import _NAMESPACE, store_write_lock
from tca.marketdata.store import tick_store
from tests.ingestion.test_market_data_ingest import QUOTES


@pytest.mark.django_db
def test_ingested_quotes_land_in_the_bucket_not_on_disk(
    s3_bucket: str, settings, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    settings.TICK_STORE_URL = f"{s3_bucket}/ticks"
    path = tmp_path / "q.csv"
    path.write_text(QUOTES)
    outcome = ingest_file(kind="quotes", path=path)
    assert outcome.ok, outcome.errors
    assert outcome.accepted == 3
    stored = tick_store().read("quotes", symbols=["NEW"])
    assert stored["bid"].to_list() == [10.01, 10.02]
    assert [k.rsplit("/", 1)[-1] for k in tick_store().objects.keys("quotes")].count(
        "_manifest.json") == 1  # fmt: skip
    assert not (tmp_path / "ticks").exists()  # the folder store was never touched
    again = ingest_file(kind="quotes", path=path)
    assert (again.accepted, again.duplicates) == (0, 3)


def _other_session_can_lock(key: int) -> bool:
    s = connection.settings_dict
    server = {"host": s["HOST"] or "127.0.0.1", "port": s["PORT"] or 5432}
    with psycopg.connect(**server, user=s["USER"] or "postgres", dbname=s["NAME"],
                         autocommit=True) as c:  # fmt: skip
        row = c.execute("SELECT pg_try_advisory_lock(%s, %s)", [_NAMESPACE, key]).fetchone()
        assert row is not None
        if row[0]:
            c.execute("SELECT pg_advisory_unlock(%s, %s)", [_NAMESPACE, key])
        return bool(row[0])


@pytest.mark.django_db(transaction=True)
def test_the_writers_lock_holds_other_sessions_off_until_the_transaction_ends() -> None:
    import zlib

    name = "s3://bucket/ticks/quotes"
    key = zlib.crc32(name.encode()) & 0x7FFFFFFF
    with store_write_lock(name):
        assert not _other_session_can_lock(key)
    assert _other_session_can_lock(key)  # released with the transaction, not left behind
