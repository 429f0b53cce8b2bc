"""Admin search by identifier, served by the identifier's index."""

from collections.abc import Callable

from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest


class IdentifierSearchMixin:
    """Search a changelist by identifiers, each matched exactly, on its index.

    Django's ``"=field"`` search is case-insensitive: ``UPPER(field) = UPPER(term)``, which
    no index on the field serves, so every search read the whole table (a million tickets).
    Identifiers here have one canonical spelling, so the term is matched exactly as typed
    and as its canonical form. ``identifier_search`` maps a lookup to the function giving
    that form; ``search_fields`` still names the fields, for the search box.
    """

    identifier_search: dict[str, Callable[[str], str]] = {}

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Model], search_term: str
    ) -> tuple[QuerySet[Model], bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        match = Q()
        for lookup, canonical in self.identifier_search.items():
            match |= Q(**{lookup: term}) | Q(**{lookup: canonical(term)})
        return queryset.filter(match), False


def upper(term: str) -> str:
    return term.upper()


def pseudonym(term: str) -> str:
    """``warga-7k3qx9`` → ``Warga-7K3QX9``: the spelling ``_new_pseudonym`` gives."""
    prefix, _, rest = term.partition("-")
    return f"Warga-{rest.upper()}" if prefix.lower() == "warga" and rest else term
