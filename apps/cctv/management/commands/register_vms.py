from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.cctv.models import Vms
from apps.cctv.services import vms_assign_cameras, vms_register

# The fixture cameras the demo VMS runs (around Monas and Gambir).
DEMO_CAMERAS = ["streetside-1244", "streetside-1245", "streetside-1246", "streetside-1784"]


class Command(BaseCommand):
    help = (
        "Register (or re-key) a video management system and print its API key once. "
        "--cameras hands it cameras by code; --demo-cameras the demo's Gambir cameras."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code")
        parser.add_argument("name")
        parser.add_argument("--key", help="fix the key (demo only); default: a new random key")
        parser.add_argument("--backend", choices=Vms.Backend.values, default=Vms.Backend.DEMO)
        parser.add_argument("--base-url", default="", help="the http_export backend's base URL")
        parser.add_argument("--cameras", default="", help="comma-separated camera codes")
        parser.add_argument("--demo-cameras", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        codes = [c for c in options["cameras"].split(",") if c]
        if options["demo_cameras"]:
            codes += DEMO_CAMERAS
        vms, key = vms_register(
            code=options["code"],
            name=options["name"],
            key=options["key"],
            backend=options["backend"],
            base_url=options["base_url"],
        )
        missing = vms_assign_cameras(vms=vms, codes=codes)
        if missing:
            raise CommandError(f"unknown cameras: {', '.join(missing)} (run load_cameras first)")
        self.stdout.write(f"VMS {vms.code}: {len(codes)} camera(s); API key: {key}")
