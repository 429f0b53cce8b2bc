from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from apps.routing.models import Area
from apps.routing.services import areas_import


class Command(BaseCommand):
    help = (
        "Import kelurahan boundaries from a GeoJSON file (upsert by Kemendagri code) and derive "
        "kecamatan, kota and the province by union. Dry run unless --commit."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="GeoJSON FeatureCollection of kelurahan")
        parser.add_argument("--commit", action="store_true", help="write the changes")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, path: Path, commit: bool, quiet: bool, **options: Any) -> None:
        if not path.is_file():
            raise CommandError(f"{path} does not exist")

        def progress(items: Any) -> Any:
            return tqdm(items, desc="kelurahan", unit="area", disable=quiet, file=self.stderr)

        try:
            result = areas_import(path=path, commit=commit, progress=progress)
        except (ValueError, KeyError) as exc:
            raise CommandError(str(exc)) from exc
        for level in (
            Area.Level.KELURAHAN,
            Area.Level.KECAMATAN,
            Area.Level.KOTA,
            Area.Level.PROVINCE,
        ):
            self.stdout.write(
                f"{level}: {result.total(level)} "
                f"({result.created.get(level, 0)} new, {result.updated.get(level, 0)} updated)"
            )
        if not result.committed:
            self.stdout.write(self.style.WARNING("dry run: nothing written (use --commit)"))
