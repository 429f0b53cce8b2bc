from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from apps.core.commands import positive_or_none
from apps.sla import services


class Command(BaseCommand):
    help = "Run the SLA sweep once (safe beside the beat schedule: it takes an advisory lock)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        result = services.sla_sweep(batch_size=positive_or_none(options, "batch_size"))
        if not result.ran:
            self.stdout.write("another sweep holds the lock; nothing done")
        self.stdout.write(
            f"clocks created {result.clocks_created}, recomputed {result.clocks_recomputed}, "
            f"warnings {result.warnings}, breaches {result.breaches}, "
            f"notifications {result.notifications}"
        )
