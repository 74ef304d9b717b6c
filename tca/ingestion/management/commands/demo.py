"""``manage.py demo``: generate a simulated market, ingest it like a user would, run TCA."""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tca.costs.runs import tca_run_submit
from tca.ingestion.services import ingest_file
from tca.jobs.models import Job
from tca.orders.models import ParentOrder

# Instruments first (sessions, ticks), then orders before their fills.
_FILES = (
    ("instruments", "instruments.csv"),
    ("daily", "daily.csv"),  # history before the first day: ADV20 and sigma20 from day one
    ("orders", "orders.csv"),
    ("fills", "fills.csv"),
    ("quotes", "quotes.parquet"),
    ("trades", "trades.parquet"),
    ("signals", "signals.csv"),  # alternative data, for models configured with it
)


class Command(BaseCommand):
    help = "Generate a realistic simulated data set, ingest it, compute TCA and train models."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--preset", choices=("small", "demo", "large"), default="demo")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if orders exist.")
        parser.add_argument("--out", type=Path, default=None, help="Folder for the files.")
        parser.add_argument("--no-train", action="store_true", help="Skip model training.")

    def handle(self, *args: object, **options: object) -> None:
        from tca.sim import SimConfig, simulate, write_dataset

        if options["if_empty"] and ParentOrder.objects.exists():
            self.stdout.write("Orders already loaded; skipping the demo data.")
            return
        preset, seed = str(options["preset"]), int(options["seed"])  # type: ignore[call-overload]
        out = options["out"] or Path(settings.MEDIA_ROOT) / "demo" / f"{preset}-{seed}"
        assert isinstance(out, Path)
        started = time.monotonic()
        dataset = simulate(SimConfig.preset(preset, seed=seed))
        write_dataset(dataset, out)
        self.stdout.write(
            f"Simulated {dataset.orders.height:,} orders, {dataset.fills.height:,} fills, "
            f"{dataset.quotes.height:,} quotes and {dataset.trades.height:,} trades "
            f"({time.monotonic() - started:.1f} s) into {out}"
        )
        for kind, name in _FILES:
            self._ingest(kind, out / name)
        self._compute()
        if not options["no_train"]:
            self._train()
            # The first run had no calibrated permanent-impact model; promoting the
            # champion re-splits the stored results (here at once, not on the queue).
            from tca.costs.reattribution import cost_results_reattribute

            t0 = time.monotonic()
            done = cost_results_reattribute()
            self.stdout.write(
                f"Re-attributed {done['orders']:,} orders ({time.monotonic() - t0:.1f} s)"
            )
            self._train_agent()
        # Dealer quotes last: their fairness is measured against the trained cost model.
        self._ingest("rfq", out / "rfq.csv")
        self.stdout.write(f"Demo ready in {time.monotonic() - started:.1f} s.")

    def _ingest(self, kind: str, path: Path) -> None:
        t0 = time.monotonic()
        outcome = ingest_file(kind=kind, path=path, source="demo")
        if not outcome.ok:
            for error in outcome.errors[:20]:
                self.stderr.write(f"{path.name}: {error}")
            raise CommandError(f"{path.name} was rejected ({outcome.error_count} errors)")
        self.stdout.write(
            f"Ingested {path.name}: {outcome.accepted:,} new, {outcome.duplicates:,} duplicate "
            f"({time.monotonic() - t0:.1f} s)"
        )

    @staticmethod
    def _finished(job: Job, what: str) -> Job:
        """Wait for a job (in-process it is done already; with a broker a worker runs it)."""
        while job.status not in (Job.Status.SUCCEEDED, Job.Status.FAILED):
            time.sleep(0.5)
            job.refresh_from_db()
        if job.status == Job.Status.FAILED:
            raise CommandError(f"{what} failed: {job.result.get('error', job.message)}")
        return job

    def _compute(self) -> None:
        t0 = time.monotonic()
        job = self._finished(tca_run_submit(user=None), "TCA")
        self.stdout.write(
            f"Computed TCA for {job.result.get('orders', 0):,} orders "
            f"({time.monotonic() - t0:.1f} s)"
        )

    def _train_agent(self) -> None:
        """The execution agent, so the pre-trade and execution pages show it (a job like
        any other: in-process here without a broker, on the training queue with one)."""
        from models_app.execution_training import execution_policy_train_submit

        t0 = time.monotonic()
        self._finished(execution_policy_train_submit(user=None), "execution agent training")
        self.stdout.write(f"Trained the execution agent ({time.monotonic() - t0:.1f} s)")

    def _train(self) -> None:
        from models_app.training import models_train_all

        t0 = time.monotonic()
        report = models_train_all(user=None, promote_if_none=True)
        self.stdout.write(f"Trained {len(report)} model(s) ({time.monotonic() - t0:.1f} s)")
