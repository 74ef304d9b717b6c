"""Create one demo user per role. The passwords are public: demo installs only."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tca.accounts.services import user_create_with_role

# Documented in README.md; never use these outside a local demo.
DEMO_USERS = (
    ("trader", "trader", "footprint-trader", "EQ-HIGH-TOUCH"),
    ("compliance", "compliance", "footprint-compliance", ""),
    ("quant", "quant", "footprint-quant", ""),
    ("quant2", "quant", "footprint-quant2", ""),
)


class Command(BaseCommand):
    help = "Create the demo users (trader, compliance, quant, quant2) with public passwords."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--desk", default=DEMO_USERS[0][3], help="Desk of the demo trader.")
        parser.add_argument(
            "--allow-production", action="store_true", help="Create them even with DEBUG off."
        )

    def handle(self, *args: object, **options: object) -> None:
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError("Refusing to create users with public passwords when DEBUG is off.")
        for username, role, password, desk in DEMO_USERS:
            user_create_with_role(
                username=username,
                password=password,
                role=role,
                desk=str(options["desk"]) if role == "trader" else desk,
            )
            self.stdout.write(f"  {username:<11} password {password:<22} role {role}")
