"""Text input every app stores: one cleaning rule (docs/conventions.md)."""

from django.utils.translation import gettext_lazy as _

from apps.core.errors import ApplicationError


def text_clean(*, value: str, field: str, max_length: int, required: bool = True) -> str:
    """Strip ``value`` and refuse what PostgreSQL or the app cannot store or show.

    NUL characters and lone UTF-16 surrogates are refused (PostgreSQL rejects the first in
    text columns, and the second cannot be encoded as UTF-8); so are empty and overlong text.
    """
    if any(char == "\x00" or "\ud800" <= char <= "\udfff" for char in value):
        raise ApplicationError(
            fields={field: [str(_("Contains characters that are not allowed."))]}
        )
    value = value.strip()
    if required and not value:
        raise ApplicationError(fields={field: [str(_("This field may not be blank."))]})
    if len(value) > max_length:
        raise ApplicationError(
            fields={
                field: [
                    str(
                        _("Ensure this field has no more than %(n)s characters.")
                        % {"n": max_length}
                    )
                ]
            }
        )
    return value
