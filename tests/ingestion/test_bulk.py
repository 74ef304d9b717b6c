"""Bulk loading: indexes dropped for a large load come back exactly, or stay on failure."""

import contextlib
import threading
from pathlib import Path

import polars as pl
import pytest
from django.db import IntegrityError, connection, transaction

from tca.ingestion import bulk
from tca.ingestion.services import ingest_file
from tca.orders.models import Fill
from tests.factories import FillFactory, InstrumentFactory, ParentOrderFactory

pytestmark = pytest.mark.django_db


def fill_indexes() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'orders_fill'")
        return {row[0] for row in cursor.fetchall()}


def test_a_load_larger_than_the_table_rebuilds_every_index_it_dropped() -> None:
    before = fill_indexes()
    assert len(before) == 4  # primary key, unique exec id, order, amended fills
    with transaction.atomic(), bulk.indexes_rebuilt_after(table="orders_fill", incoming=5) as r:
        assert r is True
        # Only the partial index (amended fills) stays: new rows are outside it.
        assert [d.split(" ON ")[0] for d in fill_indexes()] == ["CREATE INDEX fill_amended_idx"]
    assert fill_indexes() == before


def test_a_load_smaller_than_the_table_keeps_the_indexes() -> None:
    order = ParentOrderFactory()
    FillFactory.create_batch(3, order=order)
    before = fill_indexes()
    with transaction.atomic(), bulk.indexes_rebuilt_after(table="orders_fill", incoming=2) as r:
        assert r is False
        assert fill_indexes() == before


def test_a_duplicate_found_by_the_rebuilt_unique_index_rolls_everything_back() -> None:
    order = ParentOrderFactory()
    FillFactory(order=order, source="s", exec_id="E1")
    before = fill_indexes()
    columns = {"source": "s", "exec_id": "E1", "order_id": order.pk, "side": order.side,
               "quantity": "1", "price": "1", "time_ns": 0, "venue": "", "liquidity": "",
               "broker": "", "algo": "", "fee": "0", "currency": ""}
    frame = pl.DataFrame([columns, {**columns, "exec_id": "E2"}])
    with (
        pytest.raises(IntegrityError),
        transaction.atomic(),
        bulk.indexes_rebuilt_after(table="orders_fill", incoming=frame.height),
    ):
        bulk.copy_rows(table="orders_fill", frame=frame)
    assert fill_indexes() == before
    assert list(Fill.objects.values_list("exec_id", flat=True)) == ["E1"]


def test_copied_fills_take_the_table_defaults(tmp_path: Path) -> None:
    aaa = InstrumentFactory(symbol="AAA")
    ParentOrderFactory(order_id="B1", instrument=aaa, side=1)
    path = tmp_path / "f.csv"
    path.write_text(
        "exec_id,order_id,symbol,side,quantity,price,time\n"
        "X1,B1,AAA,BUY,10,5.5,2026-03-02T14:30:01Z\n"
    )
    assert ingest_file(kind="fills", path=path, source="s").ok
    fill = Fill.objects.get()
    assert (fill.is_cancelled, fill.last_exec_id, fill.applied_exec_ids, fill.amendments,
            fill.raw) == (False, "", [], [], "")
    assert fill.created_at is not None


def test_copy_sends_every_block(monkeypatch: pytest.MonkeyPatch) -> None:
    order = ParentOrderFactory()
    n = 5
    frame = pl.DataFrame({
        "source": ["s"] * n, "exec_id": [f"E{i}" for i in range(n)], "order_id": [order.pk] * n,
        "side": [order.side] * n, "quantity": ["1"] * n, "price": ["2.5"] * n,
        "time_ns": list(range(n)), "venue": [""] * n, "liquidity": [""] * n, "broker": [""] * n,
        "algo": [""] * n, "fee": ["0"] * n, "currency": [""] * n,
    })
    monkeypatch.setattr(bulk, "COPY_BLOCK_ROWS", 2)  # three blocks: 2 + 2 + 1
    assert bulk.copy_rows(table="orders_fill", frame=frame) == n
    assert sorted(Fill.objects.values_list("time_ns", flat=True)) == list(range(n))


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_loads_queue_instead_of_deadlocking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both loads read the stored fills, then drop the indexes: they must not interleave."""
    from tca.ingestion import fills as fills_module

    aaa = InstrumentFactory(symbol="AAA")
    for order_id in ("B1", "B2"):
        ParentOrderFactory(order_id=order_id, instrument=aaa, side=1, quantity=100)
    # Hold each load after its read until the other has read too (or 2 s have passed).
    barrier = threading.Barrier(2)
    read = fills_module.load_order_context

    def read_then_wait(
        frame: pl.DataFrame, *, desk: str | None = None
    ) -> tuple[pl.DataFrame, pl.DataFrame]:
        context = read(frame, desk=desk)
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=2)
        return context

    monkeypatch.setattr(fills_module, "load_order_context", read_then_wait)
    outcomes: dict[str, bool] = {}

    def load(order_id: str) -> None:
        path = tmp_path / f"{order_id}.csv"
        path.write_text(
            "exec_id,order_id,symbol,side,quantity,price,time\n"
            f"X{order_id},{order_id},AAA,BUY,10,5.5,2026-03-02T14:30:01Z\n"
        )
        try:
            outcomes[order_id] = ingest_file(kind="fills", path=path, source="s").ok
        finally:
            connection.close()

    threads = [threading.Thread(target=load, args=(o,)) for o in ("B1", "B2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes == {"B1": True, "B2": True}
    assert Fill.objects.count() == 2


def test_a_long_reader_makes_the_load_keep_the_indexes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dropping indexes would queue every reader behind the long one: load with them."""
    import psycopg

    monkeypatch.setattr(bulk, "REBUILD_LOCK_TIMEOUT", "200ms")
    settings = connection.settings_dict
    before = fill_indexes()
    with psycopg.connect(
        dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"],
        port=settings["PORT"] or 5432,
    ) as reader:  # fmt: skip
        reader.execute("SELECT count(*) FROM orders_fill").fetchone()  # holds its lock
        with transaction.atomic(), bulk.indexes_rebuilt_after(
            table="orders_fill", incoming=10
        ) as rebuilt:
            assert rebuilt is False
            assert fill_indexes() == before
            # The transaction is still usable after the refused lock.
            assert Fill.objects.count() == 0
        reader.rollback()
    with transaction.atomic(), bulk.indexes_rebuilt_after(table="orders_fill", incoming=10) as r:
        assert r is True  # with the reader gone, the rebuild path is taken again
