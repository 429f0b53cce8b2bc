from typing import Any

from django.core.management.base import BaseCommand, CommandError

from apps.identity import selectors


class Command(BaseCommand):
    help = (
        "Walk the identity access log's hash chain. Exit code 1 and the first broken link if a "
        "row was edited, removed or inserted out of order."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        checked, broken = selectors.access_event_chain_first_break()
        if broken is not None:
            raise CommandError(
                f"identity access log broken at event id {broken.event_id}: {broken.problem} "
                f"({checked} row(s) read)",
                returncode=1,
            )
        self.stdout.write(self.style.SUCCESS(f"identity access log intact: {checked} event(s)"))
