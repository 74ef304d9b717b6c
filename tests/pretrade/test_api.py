"""POST /api/v1/pretrade/estimate/ on a simulated book: answers, storage, roles, fallback."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from models_app.models import ModelVersion
from tca.pretrade.models import PretradeEstimate
from tests.pretrade.conftest import Book

URL = "/api/v1/pretrade/estimate/"


def body(book: Book, **over: object) -> dict[str, object]:
    start = dt.datetime.combine(book.last_day, dt.time(15, 0), tzinfo=dt.UTC)
    return {"symbol": book.symbols[0], "side": "buy", "quantity": 20_000,
            "start_time": start.isoformat(), "horizon_minutes": 60, **over}  # fmt: skip


def test_trader_gets_every_strategy_and_the_estimate_is_stored(
    on_book, trader, api_client_for
) -> None:
    response = api_client_for(trader).post(URL, body(on_book, order_ref="ORD-1"), format="json")
    assert response.status_code == 201, response.content
    out = response.json()
    rows = {s["strategy"]: s for s in out["strategies"]}
    assert list(rows) == ["aggressive", "balanced", "passive", "optimal"]
    champion = ModelVersion.objects.get(track="cost", status="champion")
    assert out["model"] == {"version": champion.version, "kind": champion.kind,
                            "fallback": False, "reasons": []}  # fmt: skip
    for s in rows.values():
        assert s["q05_bps"] <= s["q50_bps"] <= s["q95_bps"]
        assert 0.0 <= s["p_exceed"] <= 1.0
        assert s["std_bps"] > 0
    # Faster means more temporary impact and a shorter expected duration.
    assert rows["aggressive"]["temporary_bps"] > rows["passive"]["temporary_bps"]
    assert (
        rows["aggressive"]["duration_s"]
        < rows["balanced"]["duration_s"]
        < rows["passive"]["duration_s"]
    )
    assert rows["optimal"]["duration_s"] == 3600
    sched = out["optimal"]["schedule"]
    assert sum(sched["trades"]) == pytest.approx(20_000)
    assert len(out["optimal"]["frontier"]["expected_bps"]) == 50
    sources = {i["name"]: i["source"] for i in out["inputs"]}
    assert "loaded daily history" in sources["adv20"]
    assert "last quote before the start" in sources["spread_bps"]
    stored = PretradeEstimate.objects.get(pk=out["id"])
    assert (stored.username, stored.order_ref, stored.model_version) == (
        "t_trader", "ORD-1", champion,
    )  # fmt: skip
    assert stored.outputs["strategies"] == out["strategies"]
    assert stored.inputs["market"] == out["inputs"]


def test_compliance_may_read_but_not_request(on_book, compliance, api_client_for) -> None:
    assert api_client_for(compliance).post(URL, body(on_book), format="json").status_code == 403


def test_unknown_symbol_and_missing_history_are_clear_400s(on_book, quant, api_client_for) -> None:
    client = api_client_for(quant)
    r = client.post(URL, body(on_book, symbol="NOPE"), format="json")
    assert r.status_code == 400 and "unknown symbol 'NOPE'" in r.json()["detail"]
    r = client.post(URL, body(on_book, start_time="2020-01-06T15:00:00Z"), format="json")
    assert r.status_code == 400 and "no daily history" in r.json()["detail"]
    r = client.post(URL, body(on_book, side="hold"), format="json")
    assert r.status_code == 400 and "side" in r.json()
    assert not PretradeEstimate.objects.exists()


def test_a_broken_champion_artifact_falls_back_to_the_square_root_law(
    on_book, trader, api_client_for, settings, tmp_path
) -> None:
    store = tmp_path / "models"
    shutil.copytree(on_book.models, store)
    settings.MODEL_STORE_URL = str(store)
    champion = ModelVersion.objects.get(track="cost", status="champion")
    Path(store, champion.artifact_path).write_bytes(b"not a model")
    out = api_client_for(trader).post(URL, body(on_book), format="json").json()
    assert out["model"]["fallback"] is True
    assert out["model"]["kind"] == "sqrt"
    assert "could not be loaded" in out["model"]["reasons"][0]
    assert "SHA-256" in out["model"]["reasons"][0]
    assert "fallback" in out["flags"]
    assert PretradeEstimate.objects.get(pk=out["id"]).fallback is True


def test_inputs_outside_the_training_range_fall_back(on_book, trader, api_client_for) -> None:
    champion = ModelVersion.objects.get(track="cost", status="champion")
    top = champion.metrics["input_ranges"]["size_adv"][1]
    adv = next(
        i["value"]
        for i in api_client_for(trader).post(URL, body(on_book), format="json").json()["inputs"]
        if i["name"] == "adv20"
    )
    out = (
        api_client_for(trader)
        .post(URL, body(on_book, quantity=round(adv * top * 3)), format="json")
        .json()
    )
    if champion.kind in ("sqrt", "almgren"):
        pytest.skip("the champion is a parametric law: no range check")
    assert out["model"]["fallback"] is True and out["model"]["kind"] == "sqrt"
    assert "size_adv" in out["model"]["reasons"][0]
    assert "outside the training range" in out["model"]["reasons"][0]


def test_the_champion_execution_agent_is_one_more_strategy(
    on_book, trader, api_client_for, settings, tmp_path
) -> None:
    from models_app.execution.agent import train_q_policy
    from models_app.execution.evaluation import evaluate
    from models_app.execution_training import execution_policy_register
    from models_app.services import model_version_promote
    from tca.sim.execution_env import ExecutionSetup

    store = tmp_path / "models"
    shutil.copytree(on_book.models, store)
    settings.MODEL_STORE_URL = str(store)
    policy = train_q_policy(ExecutionSetup(), seed=2, batches=40, batch_size=128)
    version = execution_policy_register(
        policy=policy, evaluation=evaluate(policy, per_regime=50, overall=50),
        params={"seed": 2, "batches": 40, "batch_size": 128}, user=None,
    )  # fmt: skip
    out = api_client_for(trader).post(URL, body(on_book), format="json").json()
    assert [s["strategy"] for s in out["strategies"]][-1] == "optimal"  # not promoted yet
    model_version_promote(version=version, user=None)
    out = api_client_for(trader).post(URL, body(on_book), format="json").json()
    agent = out["strategies"][-1]
    assert agent["strategy"] == "rl_agent" and agent["model_version"] == version.version
    assert agent["q05_bps"] <= agent["q50_bps"] <= agent["q95_bps"]
    assert agent["std_bps"] > 0 and 0.0 <= agent["p_exceed"] <= 1.0
    assert agent["temporary_bps"] > 0 and agent["permanent_bps"] > 0
    assert "simulated rollouts" in agent["flags"]
    stored = PretradeEstimate.objects.get(pk=out["id"]).outputs["strategies"][-1]
    assert stored["total_bps"] == pytest.approx(agent["total_bps"])
