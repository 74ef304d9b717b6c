"""``manage.py compute_tca [--date D | --since D] [--symbol S]``."""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tca.costs.runs import tca_run_submit
from tca.jobs.models import Job


class Command(BaseCommand):
    help = "Compute (or recompute) the costs of every order concerned, on the Celery workers."

    def add_arguments(self, parser: CommandParser) -> None:
        when = parser.add_mutually_exclusive_group()
        when.add_argument("--date", type=dt.date.fromisoformat, help="One trade date.")
        when.add_argument("--since", type=dt.date.fromisoformat, help="This date onwards.")
        parser.add_argument("--symbol", help="Only this symbol.")
        parser.add_argument(
            "--stale-only", action="store_true", help="Only orders whose inputs changed."
        )
        parser.add_argument("--no-wait", action="store_true", help="Enqueue and return.")
        parser.add_argument("--timeout", type=float, default=3600.0, help="Seconds to wait.")

    def handle(self, *args: object, **options: object) -> None:
        job = tca_run_submit(
            user=None,
            date=options["date"],  # type: ignore[arg-type]
            since=options["since"],  # type: ignore[arg-type]
            symbol=options["symbol"],  # type: ignore[arg-type]
            stale_only=bool(options["stale_only"]),
        )
        self.stdout.write(f"TCA job {job.id}")
        if options["no_wait"]:
            return
        deadline = time.monotonic() + float(options["timeout"])  # type: ignore[arg-type]
        while True:
            job.refresh_from_db()
            if job.status == Job.Status.SUCCEEDED:
                r = job.result
                self.stdout.write(
                    f"computed {r.get('orders', 0):,} order(s) with {r.get('fills', 0):,} "
                    f"fill(s) in {r.get('chunks', 0)} chunk(s)"
                )
                return
            if job.status == Job.Status.FAILED:
                raise CommandError(f"TCA failed: {job.result.get('error', job.message)}")
            if time.monotonic() > deadline:
                raise CommandError(f"TCA job {job.id} still {job.status} after the timeout")
            time.sleep(0.5)
