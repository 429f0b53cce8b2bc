"""Seeding the texts officers reuse: response templates and every unit's canned reasons.

Set-based and idempotent: rows are inserted with ``ON CONFLICT DO NOTHING`` on the tables'
unique constraints (template: category, purpose, title; reason: unit, purpose, text), so a
second run adds nothing and a row a unit has edited or deactivated is never touched.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from apps.accounts.models import Agency
from apps.routing.models import Category
from apps.triage.models import CannedReason, ResponseTemplate


@dataclass(frozen=True)
class TextsSeeded:
    templates: int
    reasons: int


@transaction.atomic
def triage_texts_seed(
    *, templates: Sequence[dict[str, Any]], reasons: Sequence[dict[str, Any]]
) -> TextsSeeded:
    """Add the missing templates (``category`` a code or absent) and reasons (for every unit).

    An unknown category code or purpose is a ``ValueError`` naming it (nothing is written).
    """
    categories = dict(Category.objects.values_list("code", "pk"))
    template_purposes = set(ResponseTemplate.Purpose.values)
    reason_purposes = set(CannedReason.Purpose.values)
    template_rows = []
    for order, item in enumerate(templates, start=1):
        code = item.get("category")
        if code is not None and code not in categories:
            raise ValueError(f"unknown category {code!r}")
        if item["purpose"] not in template_purposes:
            raise ValueError(f"unknown template purpose {item['purpose']!r}")
        template_rows.append(
            ResponseTemplate(
                category_id=categories[code] if code else None,
                purpose=item["purpose"],
                title=item["title"],
                body=item["body"],
                sort_order=order,
            )
        )
    for item in reasons:
        if item["purpose"] not in reason_purposes:
            raise ValueError(f"unknown reason purpose {item['purpose']!r}")
    before = (ResponseTemplate.objects.count(), CannedReason.objects.count())
    ResponseTemplate.objects.bulk_create(template_rows, ignore_conflicts=True)
    CannedReason.objects.bulk_create(
        [
            CannedReason(agency_id=agency, purpose=item["purpose"], text=item["text"])
            for agency in Agency.objects.values_list("pk", flat=True)
            for item in reasons
        ],
        ignore_conflicts=True,
        batch_size=2000,
    )
    return TextsSeeded(
        templates=ResponseTemplate.objects.count() - before[0],
        reasons=CannedReason.objects.count() - before[1],
    )
