from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.sla import services
from apps.sla.deadlines import SlaConfigurationError


class Command(BaseCommand):
    help = "Copy Indonesian public holidays and cuti bersama into the SLA calendar (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--years", type=int, nargs="+", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        calendar = services.work_calendar_default()
        try:
            result = services.holidays_sync(calendar=calendar, years=options["years"])
        except SlaConfigurationError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"holidays: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged, {result.kept_manual} kept (manual); "
            f"calendar {calendar.code} version {result.version}"
        )
