from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from apps.core.commands import positive_or_none
from apps.identity import keys, services
from apps.identity.errors import IdentityKeyUnavailable


class Command(BaseCommand):
    help = (
        "Re-wrap every reporter data key under the newest master key (the last one listed in "
        "IDENTITY_MASTER_KEYS). Idempotent and resumable: committed in batches, done rows are "
        "skipped. Remove an old key id from the settings only after this reports 0 pending."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=None)
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size = positive_or_none(options, "batch_size")
        newest = keys.newest_master_kid()
        pending = services.master_key_rotation_pending()
        self.stdout.write(f"newest key id {newest!r}: {pending} data key(s) to re-wrap")
        with tqdm(total=pending, unit="key", disable=options["quiet"] or not pending) as bar:
            try:
                done = services.master_key_rotate(batch_size=batch_size, progress=bar.update)
            except IdentityKeyUnavailable as exc:
                raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"re-wrapped {done}; pending now 0"))
