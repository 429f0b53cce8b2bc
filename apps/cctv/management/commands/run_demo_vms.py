import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.cctv.demo_vms import DemoVms, DemoVmsError


class Command(BaseCommand):
    help = (
        "Run the demo video management system against the API: heartbeats, test-pattern "
        "clips (ffmpeg), clip references, answers to clip requests (docs/cctv.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")
        parser.add_argument("--key", default="demo-vms-key")
        parser.add_argument("--code", default="demo", help="the VMS code (its media folder)")
        parser.add_argument("--interval", type=int, default=60, help="seconds between cycles")
        parser.add_argument("--clip-seconds", type=int, default=20)
        parser.add_argument("--keep-hours", type=int, default=24)
        parser.add_argument("--once", action="store_true", help="one cycle, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        logging.getLogger("apps.cctv.demo_vms").setLevel(logging.INFO)
        vms = DemoVms(
            base_url=options["base_url"],
            key=options["key"],
            code=options["code"],
            clip_seconds=options["clip_seconds"],
            keep_hours=options["keep_hours"],
        )
        try:
            if options["once"]:
                self.stdout.write(f"demo VMS: {vms.cycle()}")
            else:
                vms.run(interval_s=options["interval"])
        except DemoVmsError as exc:
            raise CommandError(str(exc)) from exc
