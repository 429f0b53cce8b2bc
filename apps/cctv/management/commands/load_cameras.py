from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from apps.cctv.services import cameras_import


class Command(BaseCommand):
    help = (
        "Import public CCTV cameras from a GeoJSON file (upsert by source id; the kelurahan "
        "is derived by the routing rule). Warns on records the data flags as doubtful. "
        "Dry run unless --commit."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path",
            type=Path,
            nargs="?",
            default=Path(settings.BASE_DIR) / "fixtures" / "jakarta_cctv.geojson",
            help="GeoJSON FeatureCollection of camera points (default: the Jakarta fixture)",
        )
        parser.add_argument("--commit", action="store_true", help="write the changes")
        parser.add_argument("--quiet", action="store_true", help="no progress bar or warnings")

    def handle(self, *args: Any, path: Path, commit: bool, quiet: bool, **options: Any) -> None:
        if not path.is_file():
            raise CommandError(f"{path} does not exist")

        def progress(items: Any) -> Any:
            return tqdm(items, desc="cameras", unit="camera", disable=quiet, file=self.stderr)

        try:
            result = cameras_import(path=path, commit=commit, progress=progress)
        except (ValueError, KeyError, TypeError) as exc:
            raise CommandError(str(exc)) from exc
        if not quiet:
            for warning in result.warnings:
                self.stderr.write(self.style.WARNING(f"warning: {warning}"))
        self.stdout.write(
            f"cameras: {result.total} ({result.created} new, {result.updated} updated, "
            f"{result.unchanged} unchanged); {len(result.warnings)} doubtful; "
            f"{result.without_kelurahan} outside every kelurahan"
        )
        if not result.committed:
            self.stdout.write(self.style.WARNING("dry run: nothing written (use --commit)"))
