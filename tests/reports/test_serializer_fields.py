"""Serializer fields built once per class (CachedFieldsMixin): every instance still gets its
own fields, bound to it, and nothing of one request reaches the next."""

from rest_framework import serializers

from apps.reports.api.serializers import (
    ReportCreateInputSerializer,
    ReportCreateMultipartInputSerializer,
    ReportCreateOutputSerializer,
)
from tests.reports.factories import report_body


def test_each_instance_gets_its_own_fields_bound_to_it() -> None:
    for cls in (
        ReportCreateInputSerializer,
        ReportCreateMultipartInputSerializer,
        ReportCreateOutputSerializer,
    ):
        first, second = cls(), cls()
        for name, field in first.fields.items():
            other = second.fields[name]
            assert field is not other
            assert field.parent is first
            assert other.parent is second
            assert field.field_name == name
        template = cls._fields_template  # type: ignore[attr-defined]
        assert all(field.parent is None for field in template.values())  # never bound


def test_a_list_fields_child_is_bound_to_its_own_list() -> None:
    first, second = ReportCreateMultipartInputSerializer(), ReportCreateMultipartInputSerializer()
    photos_a, photos_b = first.fields["photos"], second.fields["photos"]
    assert isinstance(photos_a, serializers.ListField)
    assert isinstance(photos_b, serializers.ListField)
    assert photos_a.child is not photos_b.child
    assert photos_a.child.parent is photos_a
    assert photos_b.child.parent is photos_b


def test_validation_state_does_not_leak_between_instances() -> None:
    bad = ReportCreateInputSerializer(data=report_body(lat="utara", description=""))
    assert not bad.is_valid()
    assert set(bad.errors) == {"lat", "description"}
    good = ReportCreateInputSerializer(data=report_body(photos=[]))
    assert good.is_valid(), good.errors
    assert good.validated_data["lat"] == -6.1754
    again = ReportCreateInputSerializer(data=report_body(lon=1e400))
    assert not again.is_valid()
    assert set(again.errors) == {"lon"}
