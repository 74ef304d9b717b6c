"""``manage.py show_order ORDER_ID --json``: one order's result (SPEC §6)."""

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tca.costs.selectors import order_result_document
from tca.orders.models import ParentOrder


class Command(BaseCommand):
    help = "Print one order's implementation shortfall, attribution, benchmarks and features."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("order_id")
        parser.add_argument("--json", action="store_true", help="Print the SPEC's JSON document.")

    def handle(self, *args: object, **options: object) -> None:
        order = (
            ParentOrder.objects.select_related("cost", "instrument")
            .filter(order_id=options["order_id"])
            .first()
        )
        if order is None:
            raise CommandError(f"no order {options['order_id']!r}")
        document = order_result_document(order=order)
        if options["json"]:
            self.stdout.write(json.dumps(document, indent=2))
            return
        self.stdout.write(f"Order {order.order_id} {order.side_label} {order.instrument.symbol}")
        for name, value in document["costs"].items():
            amount = "–" if value["amount"] is None else f"{value['amount']:>16,.2f}"
            bps = "–" if value["bps"] is None else f"{value['bps']:>9,.2f} bps"
            self.stdout.write(f"  {name:<18} {amount}  {bps}")
        if document["flags"]:
            self.stdout.write(f"  flags: {', '.join(document['flags'])}")
