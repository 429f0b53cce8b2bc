import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.core.errors import ApplicationError
from apps.performance.demo import demo_history_create
from apps.reports.models import Report

BAR = 30


class Command(BaseCommand):
    help = (
        "Create realistic past tickets across Jakarta (transfers, completions, some overdue, "
        "ratings), then run the SLA sweep and the ledger sync. --if-empty: only when there "
        "are no reports yet (make run calls it every time)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reports", type=int, required=True, help="how many tickets")
        parser.add_argument("--days", type=int, required=True, help="spread over the last D days")
        parser.add_argument(
            "--seed", type=int, default=1, help="random seed (same seed, same data)"
        )
        parser.add_argument("--if-empty", action="store_true", help="do nothing if reports exist")

    def handle(self, *args: Any, **options: Any) -> None:
        reports, days = options["reports"], options["days"]
        if not 1 <= reports <= 1_000_000:
            raise CommandError("--reports must be between 1 and 1,000,000")
        if not 1 <= days <= 3650:
            raise CommandError("--days must be between 1 and 3650")
        if options["seed"] < 1:
            raise CommandError("--seed must be a positive number")
        if options["if_empty"] and Report.objects.exists():
            self.stdout.write("reports exist already; no demo data generated (--if-empty)")
            return
        started = time.perf_counter()
        shown: dict[str, int] = {}
        tty = hasattr(self.stdout, "isatty") and self.stdout.isatty()

        def progress(label: str, done: int, total: int) -> None:
            filled = BAR * done // max(total, 1)
            if shown.get(label) == filled and done != total:
                return  # redraw only when the bar grows
            shown[label] = filled
            line = f"{label:<10} [{'#' * filled}{'.' * (BAR - filled)}] {done}/{total}"
            if tty:
                self.stdout.write("\r" + line, ending="\n" if done == total else "")
            elif done == total:
                self.stdout.write(line)
            sys.stdout.flush()

        try:
            result = demo_history_create(
                reports=reports, days=days, seed=options["seed"], progress=progress
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.reports} reports, {result.events} events, {result.custody} custody "
                f"intervals; {result.breaches} breaches; {result.ledger_rows} ledger rows "
                f"in {time.perf_counter() - started:.1f} s"
            )
        )
