import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.triage.services.texts import triage_texts_seed


class Command(BaseCommand):
    help = (
        "Add the Indonesian response templates and canned reasons of fixtures/triage_texts.json "
        "(run after seed_reference_data; rows already there are left as they are)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--file", type=Path, default=settings.BASE_DIR / "fixtures" / "triage_texts.json"
        )

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
            seeded = triage_texts_seed(
                templates=data["response_templates"], reasons=data["canned_reasons"]
            )
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"cannot read {file}: {exc}") from None
        except (KeyError, TypeError, ValueError) as exc:
            raise CommandError(f"{file} is not as expected: {exc!r}") from None
        self.stdout.write(
            f"response templates: {seeded.templates} new; canned reasons: {seeded.reasons} new"
        )
