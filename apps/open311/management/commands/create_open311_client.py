from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.open311.models import ClientApp
from apps.open311.services import client_app_create


class Command(BaseCommand):
    help = (
        "Register an Open311 client app and print its api_key once. Only a hash is stored: "
        "a lost key cannot be shown again; register a new client instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="a unique name for the client app")

    def handle(self, *args: Any, name: str, **options: Any) -> None:
        name = name.strip()
        if not name or len(name) > 120:
            raise CommandError("The name must be 1 to 120 characters.")
        if ClientApp.objects.filter(name=name).exists():
            raise CommandError(f"A client app named {name!r} already exists.")
        client, api_key = client_app_create(name=name)
        self.stdout.write(f"Open311 client app {client.name!r} created.")
        self.stdout.write(f"api_key: {api_key}")
        self.stdout.write("Store it now: only its hash is kept, it cannot be shown again.")
