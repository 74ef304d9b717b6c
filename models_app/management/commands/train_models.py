"""``manage.py train_models``: train challengers of every kind and report their metrics."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from models_app.impact.catalog import KINDS
from models_app.models import ModelVersion


def _fmt(value: object, spec: str = ".2f") -> str:
    return format(value, spec) if isinstance(value, int | float) else "–"


class Command(BaseCommand):
    help = "Train challengers on the stored TCA results and report their metrics."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--promote-if-none",
            action="store_true",
            help="Promote the best kind of a track that has no champion yet (system promotion).",
        )

    def handle(self, *args: object, **options: object) -> None:
        from models_app.training import models_train_all

        versions = models_train_all(user=None, promote_if_none=bool(options["promote_if_none"]))
        if not versions:
            raise CommandError("no model could be trained (no stored TCA results?)")
        header = (
            f"{'version':42} {'kind':14} {'status':9} {'WF MAE':>7} {'WF R2':>6} "
            f"{'cover90':>7} {'lift':>6} {'HO MAE':>7} {'beats':>5}"
        )
        self.stdout.write(header)
        by_kind = {v.kind: v for v in versions}
        for kind in KINDS:
            v = by_kind.get(kind)
            if v is None:
                continue
            v = ModelVersion.objects.get(pk=v.pk)
            wf = v.metrics.get("walk_forward", {})
            ho = v.metrics.get("holdout", {}).get("total_bps", {})
            total = wf.get("total_bps", {})
            self.stdout.write(
                f"{v.version:42} {v.kind:14} {v.status:9} {_fmt(total.get('mae')):>7} "
                f"{_fmt(total.get('r2'), '.3f'):>6} {_fmt(total.get('coverage_90'), '.3f'):>7} "
                f"{_fmt(wf.get('lift_over_sqrt'), '+.3f'):>6} {_fmt(ho.get('mae')):>7} "
                f"{v.metrics.get('beats_champion', '–')!s:>5}"
            )
            if v.kind == "almgren":
                p = v.metrics.get("parameters", {})
                fitted = " ".join(f"{k}={_fmt(p.get(k), '.3f')}" for k in ("gamma", "eta", "beta"))
                self.stdout.write(f"  almgren: {fitted}")
