from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.reports.models import Report
from apps.sla import services


class Command(BaseCommand):
    help = "Recompute SLA clocks from the event log (--reapply-policy: take the current policy)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("public_ids", nargs="+")
        parser.add_argument("--reapply-policy", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        for public_id in options["public_ids"]:
            report = Report.objects.filter(public_id=public_id).first()
            if report is None:
                raise CommandError(f"no report {public_id}")
            clock = services.sla_clock_recompute(
                report=report, reapply_policy=options["reapply_policy"]
            )
            self.stdout.write(f"{public_id}: {clock.state}, due {clock.due_at}")
