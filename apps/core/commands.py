"""Small helpers for management commands: bad input is a one-line ``CommandError``."""

from typing import Any

from django.core.management.base import CommandError


def positive_or_none(options: dict[str, Any], name: str) -> int | None:
    """``options[name]`` when it is unset or at least 1, else a ``CommandError``."""
    value = options.get(name)
    if value is not None and value < 1:
        flag = "--" + name.replace("_", "-")
        raise CommandError(f"{flag} must be a positive number")
    return value
