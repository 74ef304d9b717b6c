"""Workers on several machines: the stores on S3, read by processes that did not write them.

This test process ingests a simulated market into a bucket on the loopback S3
server; a separate ``celery worker`` process, which shares nothing with it but
the database, the broker and the bucket, computes the TCA from the ticks in the
bucket and publishes its markouts there. A third process loads a model artifact
this process saved to the bucket.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from models_app.impact.model import ImpactModel
from models_app.models import ModelVersion
from models_app.services import model_version_register
from tca.costs.models import CostResult
from tca.jobs.models import Job
from tca.marketdata.store import tick_store
from tca.orders.models import ParentOrder
from tests.jobs.test_faults import _finished, _lost_submission, _simulated_market
from tests.jobs.workers import ROOT, Workers, wait_until
from tests.models_app.synthetic import almgren_table

pytestmark = [pytest.mark.slow, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def s3_stores(s3_bucket: str, settings, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    """Both stores in the bucket; the folders the other tests use must stay empty."""
    settings.TICK_STORE_URL = f"{s3_bucket}/ticks"
    settings.MODEL_STORE_URL = f"{s3_bucket}/models"
    return s3_bucket


def test_a_worker_that_did_not_write_the_ticks_computes_tca_from_the_bucket(
    workers: Workers, s3_stores: str, tmp_path: Path
) -> None:
    from tca.costs.services import tca_compute_chunk

    chunks = _simulated_market(tmp_path)  # ingested into the bucket by this process
    orders = ParentOrder.objects.count()
    assert orders > 0
    assert tick_store().partitions("quotes")
    assert not tick_store().partitions("markouts")  # nothing computed yet
    job = _lost_submission(
        kind=Job.Kind.TCA, task="tca.costs.run",
        params={"date": None, "since": None, "symbol": None, "stale_only": False},
    )  # fmt: skip
    worker = workers.start()
    assert workers.env()["TICK_STORE_URL"] == f"{s3_stores}/ticks"
    done = wait_until(lambda: _finished(job.id), timeout=300, what="the TCA run to finish")
    assert done.status == Job.Status.SUCCEEDED, done.result
    assert worker.poll() is None  # the worker process did the run
    assert CostResult.objects.count() == orders
    measured = CostResult.objects.exclude(arrival_spread_bps=None).count()
    assert measured > 0.9 * orders  # priced against the quotes it read from the bucket
    # The worker's markouts went to the bucket; this process reads them.
    marks = tick_store().read("markouts")
    assert marks.height > 0
    assert set(marks["order_id"].unique().to_list()) <= set(
        ParentOrder.objects.values_list("order_id", flat=True)
    )
    # Every stored result equals this process's own computation of the same chunk.
    stored = dict(CostResult.objects.values_list("order_id", "is_amount"))
    for day, symbols in chunks:
        tca_compute_chunk(trade_date=day, symbols=symbols)
    assert dict(CostResult.objects.values_list("order_id", "is_amount")) == stored
    assert not (tmp_path / "ticks").exists()
    assert not Path(str(settings.VAR_DIR / "test-ticks")).joinpath("markouts").exists()


def test_another_process_loads_a_model_artifact_from_the_bucket(
    workers: Workers, s3_stores: str, quant  # type: ignore[no-untyped-def]
) -> None:
    model = ImpactModel("sqrt").fit(almgren_table(n=300, days=6, seed=5))
    version = model_version_register(
        model=model, metrics={}, data_sha256="0" * 64,
        holdout=None, user=quant,
    )  # fmt: skip
    assert version.artifact_path.startswith("sqrt/")
    load = (
        "import django, json; django.setup();"
        "from models_app.models import ModelVersion; from models_app.store import model_load;"
        f"m = model_load(version=ModelVersion.objects.get(pk={version.pk}));"
        "print(json.dumps(m.parameters(), sort_keys=True, default=str))"
    )
    out = subprocess.run([sys.executable, "-c", load], cwd=ROOT, env=workers.env(),
                         check=True, capture_output=True, text=True)  # fmt: skip
    import json

    expected = json.dumps(model.parameters(), sort_keys=True, default=str)
    assert out.stdout.strip().splitlines()[-1] == expected
    ModelVersion.objects.filter(pk=version.pk).update(artifact_sha256="f" * 64)
    refused = (
        "import django; django.setup();"
        "from models_app.models import ModelVersion; from models_app.store import model_load;"
        f"model_load(version=ModelVersion.objects.get(pk={version.pk}))"
    )
    failed = subprocess.run([sys.executable, "-c", refused], cwd=ROOT, env=workers.env(),
                            check=False, capture_output=True, text=True)  # fmt: skip
    assert failed.returncode != 0
    assert "does not match its registered SHA-256" in failed.stderr
