from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from apps.core.commands import positive_or_none
from apps.identity import keys, services
from apps.identity.errors import BackfillIncomplete, IdentityKeyUnavailable


class Command(BaseCommand):
    help = (
        "Write blind-index rows of the newest version (the last one listed in "
        "IDENTITY_BLIND_INDEX_KEYS) beside the old ones; lookups read every configured version "
        "meanwhile. With --drop-old, delete the other versions' rows once backfilled."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=None)
        parser.add_argument("--drop-old", action="store_true")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size = positive_or_none(options, "batch_size")
        version = keys.newest_index_version()
        if options["drop_old"]:
            try:
                deleted = services.blind_index_drop_old()
            except BackfillIncomplete as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(self.style.SUCCESS(f"dropped {deleted} old index row(s)"))
            return
        pending = services.blind_index_backfill_pending()
        self.stdout.write(f"index version {version}: {pending} (reporter, field) pair(s) to add")
        with tqdm(unit="reporter", disable=options["quiet"]) as bar:
            try:
                written = services.blind_index_rotate(batch_size=batch_size, progress=bar.update)
            except IdentityKeyUnavailable as exc:
                raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"wrote {written} index row(s) of version {version}"))
