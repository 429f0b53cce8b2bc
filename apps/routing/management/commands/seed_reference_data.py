import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from apps.accounts.services import demo_accounts_seed
from apps.routing.services import DinasSpec, agencies_seed, categories_seed


class Command(BaseCommand):
    help = (
        "Load the agencies (OPD tree), the service catalogue and, with --demo, the demo accounts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fixtures", type=Path, default=settings.BASE_DIR / "fixtures")
        parser.add_argument("--demo", action="store_true", help="also create the demo accounts")

    def handle(self, *args: Any, fixtures: Path, demo: bool, **options: Any) -> None:
        try:
            with transaction.atomic():  # all or nothing
                self._seed(fixtures, demo)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"cannot read the fixtures in {fixtures}: {exc}") from None
        except (KeyError, TypeError, ValueError) as exc:
            raise CommandError(f"the fixtures in {fixtures} are not as expected: {exc!r}") from None

    def _seed(self, fixtures: Path, demo: bool) -> None:
        agencies = json.loads((fixtures / "agencies.json").read_text(encoding="utf-8"))
        count = agencies_seed(
            dinas=[DinasSpec(**item) for item in agencies["dinas"]],
            triage_code=agencies["triage"]["code"],
            triage_name=agencies["triage"]["name"],
        )
        self.stdout.write(f"agencies: {count}")
        categories = json.loads((fixtures / "categories.json").read_text(encoding="utf-8"))
        self.stdout.write(f"categories: {categories_seed(categories=categories['categories'])}")
        if demo:
            users = json.loads((fixtures / "demo_users.json").read_text(encoding="utf-8"))
            created = demo_accounts_seed(users=users["users"], password=settings.DEMO_PASSWORD)
            self.stdout.write(f"demo accounts: {', '.join(u.username for u in created)}")
