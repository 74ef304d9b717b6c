"""Files written in the SPEC's formats, with the truth kept apart."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest

from tca.frames import SCHEMAS
from tca.sim import Dataset, write_dataset

ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$")
SOH = "\x01"


@pytest.fixture(scope="module")
def written(small: Dataset, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_dataset(small, tmp_path_factory.mktemp("sim"))


def test_csv_files(written: dict[str, Path], small: Dataset) -> None:
    for kind in ("instruments", "orders", "fills"):
        frame = pl.read_csv(written[f"{kind}.csv"], infer_schema=False)
        assert frame.columns == list(SCHEMAS[kind]), kind
        assert frame.height == getattr(small, kind).height
    orders = pl.read_csv(written["orders.csv"], infer_schema=False)
    fills = pl.read_csv(written["fills.csv"], infer_schema=False)
    assert set(orders["side"]) == {"BUY", "SELL"} and set(fills["side"]) == {"BUY", "SELL"}
    assert fills["time"].str.contains(ISO.pattern).all()
    assert orders["arrival_time"].str.contains(ISO.pattern).all()
    assert orders["decision_time"].drop_nulls().str.contains(ISO.pattern).all()
    parsed = fills["time"].str.to_datetime("%Y-%m-%dT%H:%M:%S%.9fZ", time_unit="ns")
    assert parsed.dt.replace_time_zone("UTC").equals(small.fills["time"], check_names=False)
    assert not fills["quantity"].str.contains(r"\.").any()


def test_parquet_files(written: dict[str, Path], small: Dataset) -> None:
    for kind in ("quotes", "trades"):
        frame = pl.read_parquet(written[f"{kind}.parquet"])
        assert frame.equals(getattr(small, kind)), kind
        assert frame.schema["time"] == pl.Datetime("ns", "UTC")


def test_truth_kept_apart(written: dict[str, Path], small: Dataset) -> None:
    assert pl.read_parquet(written["truth.parquet"]).equals(small.truth)
    assert pl.read_parquet(written["market_truth.parquet"]).equals(small.market_truth)
    for kind in ("instruments", "orders", "fills"):
        header = written[f"{kind}.csv"].read_text().splitlines()[0]
        assert not {"adv", "daily_vol", "regime", "informed", "sigma"} & set(header.split(","))
    params = json.loads(written["params.json"].read_text())
    assert params["impact"]["gamma"] == small.config.gamma
    assert params["config"]["seed"] == 7
    assert params["rows"]["fills"] == small.fills.height


def _fields(message: str) -> list[tuple[str, str]]:
    return [tuple(part.split("=", 1)) for part in message.split(SOH) if part]  # type: ignore[misc]


def test_fix_log(written: dict[str, Path], small: Dataset) -> None:
    messages = [
        line for line in written["fills.fix"].read_text(encoding="ascii").splitlines() if line
    ]
    fills_by_order = small.fills.group_by("order_id").agg(pl.len())
    reported = []
    for msg in messages:
        fields = _fields(msg)
        assert fields[0] == ("8", "FIX.4.4") and fields[1][0] == "9" and fields[-1][0] == "10"
        body = msg.split(SOH, 2)[2]
        body = body[: body.rindex("10=")]
        assert int(fields[1][1]) == len(body.encode("ascii"))
        assert int(fields[-1][1]) == sum(msg[: msg.rindex("10=")].encode("ascii")) % 256
        tags = dict(fields)
        if tags["35"] == "8" and tags["150"] == "F":
            for tag in ("17", "37", "11", "55", "54", "32", "31", "60", "30", "12"):
                assert tag in tags, tag
            reported.append(tags)
    assert reported
    fix = pl.DataFrame(
        {
            "exec_id": [r["17"] for r in reported],
            "order_id": [r["11"] for r in reported],
            "quantity": [float(r["32"]) for r in reported],
            "price": [float(r["31"]) for r in reported],
        }
    )
    assert not set(fix["exec_id"]) & set(small.fills["exec_id"])
    orders = fix["order_id"].unique()
    assert 1 <= orders.len() <= small.config.fix_orders
    csv = small.fills.filter(pl.col("order_id").is_in(orders.implode())).sort("order_id", "time")
    assert fix.height == csv.height
    assert fix.sort("order_id", maintain_order=True)["price"].to_list() == csv["price"].to_list()
    assert fills_by_order.height > 0
