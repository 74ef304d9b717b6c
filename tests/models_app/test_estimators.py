"""The pure estimators on data with known answers (no simulator, no database)."""

import datetime as dt

import numpy as np
import polars as pl
import pytest

from models_app.impact.artifacts import ArtifactError, ArtifactStore, data_sha256
from models_app.impact.baselines import AlmgrenForm, SqrtLaw
from models_app.impact.conformal import ConformalDistribution
from models_app.impact.metrics import psi
from models_app.impact.model import ImpactModel, calibration_split, reference_bins
from models_app.impact.regimes import RegimeModel
from models_app.impact.walkforward import folds, walk_forward
from tests.models_app.synthetic import almgren_table


@pytest.fixture(scope="module")
def table() -> pl.DataFrame:
    return almgren_table()


def test_almgren_form_recovers_its_parameters(table: pl.DataFrame) -> None:
    fit = AlmgrenForm().fit(table)
    p, se = fit.params_, fit.standard_errors_
    assert p["beta"] == pytest.approx(0.6, abs=0.05)
    assert p["eta"] == pytest.approx(0.142, rel=0.1)
    assert p["gamma"] == pytest.approx(0.314, abs=3 * se["gamma"])
    assert p["adverse"] == pytest.approx(0.02, abs=3 * se["adverse"])
    assert p["spread_aggressive"] == pytest.approx(0.5, abs=0.01)
    assert p["spread_passive"] == pytest.approx(-0.5, abs=0.01)
    frac = fit.permanent_frac(np.array([0.02]), np.array([0.01]))
    assert frac[0] == pytest.approx(p["gamma"] * 0.02 * 0.01)


def test_gamma_is_recovered_when_noise_allows(table: pl.DataFrame) -> None:
    quiet = almgren_table(noise=0.02, seed=1)
    p = AlmgrenForm().fit(quiet).params_
    assert p["gamma"] == pytest.approx(0.314, rel=0.1)
    assert p["eta"] == pytest.approx(0.142, rel=0.05)


def test_sqrt_law_is_least_squares_through_the_origin() -> None:
    t = almgren_table(n=500, seed=2)
    fit = SqrtLaw().fit(t)
    basis = (t["volatility"] * 1e4 * t["size_adv"].sqrt()).to_numpy()
    y = t["total_bps"].to_numpy()
    assert fit.y_["total_bps"] == pytest.approx(basis @ y / (basis @ basis))


def test_conformal_quantiles_cover_and_agree_with_exceedance() -> None:
    rng = np.random.default_rng(3)
    dist = ConformalDistribution(rng.standard_t(5, 2000))
    center, scale = np.zeros(4000), np.full(4000, 2.0)
    y = 2.0 * rng.standard_t(5, 4000)
    lo, hi = dist.quantiles(center, scale, 0.05), dist.quantiles(center, scale, 0.95)
    assert 0.88 <= float(((y >= lo) & (y <= hi)).mean()) <= 0.92
    # P(cost > q95) is about 5 %, and exceedance falls as the threshold rises.
    assert dist.p_exceed(center[:1], scale[:1], float(hi[0]))[0] == pytest.approx(0.05, abs=0.01)
    p = dist.p_exceed(np.zeros(3), np.ones(3), 0.0), dist.p_exceed(np.zeros(3), np.ones(3), 2.0)
    assert (p[0] > p[1]).all() and (p[1] > 0).all()


def test_model_intervals_are_calibrated_out_of_sample(table: pl.DataFrame) -> None:
    past = table.filter(pl.col("trade_date") < dt.date(2026, 3, 17))
    future = table.filter(pl.col("trade_date") >= dt.date(2026, 3, 17))
    model = ImpactModel("bayes_linear").fit(past)
    pred = model.predict(future, threshold_bps=10.0).join(
        future.select("order_id", pl.col("total_bps").alias("y")), on="order_id"
    )
    inside = (pred["y"] >= pred["q05_bps"]) & (pred["y"] <= pred["q95_bps"])
    assert 0.86 <= inside.mean() <= 0.94  # type: ignore[operator]
    assert (pred["q05_bps"] <= pred["q50_bps"]).all() and (pred["q50_bps"] <= pred["q95_bps"]).all()
    assert (pred["std_bps"] > 0).all() and pred["p_exceed"].is_between(0, 1).all()
    assert set(pred["regime"].unique()) <= {"calm", "normal", "stressed"}


def test_calibration_comes_after_the_fit_in_time(table: pl.DataFrame) -> None:
    fit, cal = calibration_split(table, 0.2)
    assert fit["arrival_time"].max() < cal["arrival_time"].min()  # type: ignore[operator]
    assert fit.height + cal.height == table.height


def test_walk_forward_never_trains_on_the_dates_it_predicts(table: pl.DataFrame) -> None:
    plan = folds(table["trade_date"].to_list(), min_train_days=10, test_days=4)
    assert [len(f.test_dates) for f in plan] == [4, 4, 2]
    assert all(f.train_end < min(f.test_dates) for f in plan)
    preds = walk_forward(table, "sqrt", min_train_days=10, test_days=4)
    dated = preds.join(table.select("order_id", "trade_date"), on="order_id")
    assert (dated["train_end"] < dated["trade_date"]).all()
    assert dated["order_id"].n_unique() == dated.height


def test_regimes_are_named_by_stress() -> None:
    rng = np.random.default_rng(4)
    n = 300
    calm = {"vol": 0.01, "spread": 3.0, "depth": 8e-4, "volume": 0.7}
    stressed = {"vol": 0.05, "spread": 20.0, "depth": 1e-4, "volume": 1.8}
    rows = [calm] * n + [stressed] * n
    noise = lambda: np.exp(rng.normal(0, 0.1, 2 * n))  # noqa: E731
    table = pl.DataFrame(
        {
            "recent_vol": [r["vol"] for r in rows] * noise(),
            "volatility": np.full(2 * n, 0.02),
            "arrival_spread_bps": [r["spread"] for r in rows] * noise(),
            "depth_adv": [r["depth"] for r in rows] * noise(),
            "recent_volume": [r["volume"] for r in rows] * noise(),
        }
    )
    labels = RegimeModel(n_regimes=2).fit(table).predict(table)
    assert set(labels[:n]) == {"calm"} and set(labels[n:]) == {"stressed"}


def test_psi_flags_a_shifted_input() -> None:
    rng = np.random.default_rng(5)
    ref = reference_bins(rng.normal(0, 1, 5000))
    assert psi(ref, rng.normal(0, 1, 2000)) < 0.05
    assert psi(ref, rng.normal(1.0, 1, 2000)) > 0.25


def test_artifacts_are_never_overwritten_and_verified(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = ArtifactStore(tmp_path)
    path, sha = store.save({"a": 1}, name="sqrt/v1")
    assert store.save({"a": 1}, name="sqrt/v1") == (path, sha)  # same bytes: same file
    other_path, _ = store.save({"a": 2}, name="sqrt/v1")
    assert other_path != path  # new content never lands on an existing name
    assert store.load(path, sha) == {"a": 1}
    (tmp_path / path).write_bytes(b"tampered")
    with pytest.raises(ArtifactError):
        store.load(path, sha)


def test_data_hash_ignores_row_order(table: pl.DataFrame) -> None:
    assert data_sha256(table) == data_sha256(table.reverse())
    assert data_sha256(table) != data_sha256(table.head(10))
