"""``manage.py ingest KIND PATH``: exit 0 when accepted, non-zero with row errors."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tca.ingestion.services import KINDS, ingest_file


class Command(BaseCommand):
    help = "Ingest a file of instruments, orders, fills, quotes, trades or FIX messages."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("path", type=Path)
        parser.add_argument("--tz", default=None, help="Zone of timestamps without an offset.")
        parser.add_argument("--source", default="default", help="Where the data came from.")

    def handle(self, *args: object, **options: object) -> None:
        path = options["path"]
        assert isinstance(path, Path)
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        outcome = ingest_file(
            kind=str(options["kind"]),
            path=path,
            source=str(options["source"]),
            tz=options["tz"] if options["tz"] else None,  # type: ignore[arg-type]
        )
        if not outcome.ok:
            for error in outcome.errors:
                self.stderr.write(f"{outcome.filename}: {error}")
            if outcome.error_count > len(outcome.errors):
                self.stderr.write(
                    f"... and {outcome.error_count - len(outcome.errors):,} more error(s)"
                )
            raise CommandError(
                f"{outcome.filename} rejected: {outcome.error_count:,} error(s); nothing written"
            )
        self.stdout.write(
            f"{outcome.filename}: {outcome.accepted:,} accepted, "
            f"{outcome.duplicates:,} duplicate(s) of {outcome.rows_total:,} row(s)"
        )
