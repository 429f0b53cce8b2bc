"""Small display helpers for the dashboard templates (numbers stay unlocalized where they are
data: JSON, SVG and attributes use ``{% localize off %}``)."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def hours_text(value: float | None) -> str:
    """``36.5`` → "1 d 12 h"; empty → "-"."""
    if value is None:
        return "-"
    negative = value < 0
    minutes = round(abs(value) * 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    text = (
        _("%(d)s d %(h)s h") % {"d": days, "h": hours}
        if days
        else _("%(h)s h %(m)s min") % {"h": hours, "m": mins}
    )
    return f"-{text}" if negative else text


@register.filter
def pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} %"
