"""Serializer fields built once per class (docs/benchmarks.md): for every API's hot paths."""

import copy

from rest_framework import serializers


class CachedFieldsMixin:
    """Build a serializer's fields once per class, not on every instantiation.

    DRF builds a serializer's fields on every instantiation: a ModelSerializer introspects
    its model (labels, validators), and every serializer deep-copies its declared fields,
    which re-creates each field from its constructor arguments. The fields depend only on
    the class, so the first build is kept as a template that is never bound or used, and
    each instance gets its own shallow copies (``_clone_field``). On the report-creation
    path this was a sixth of the request.
    """

    def get_fields(self) -> dict[str, serializers.Field]:
        cls = type(self)
        template = cls.__dict__.get("_fields_template")
        if template is None:
            template = super().get_fields()  # type: ignore[misc]
            cls._fields_template = template  # type: ignore[attr-defined]
        return {name: _clone_field(field) for name, field in template.items()}


# Per-instance state a field or serializer may have cached; a clone starts without it.
_BOUND_STATE = ("fields", "_data", "_errors", "_validated_data", "parent", "field_name")


def _clone_field(field: serializers.Field) -> serializers.Field:
    """A fresh, unbound copy of a template field, sharing only its immutable settings.

    The template is never bound, so nothing in it points at a request; the clone gets its
    own ``__dict__`` (``bind`` then sets its parent and name), nested serializers rebuild
    their fields on first use, and list children are cloned and bound to the clone.
    """
    clone = copy.copy(field)
    for attribute in _BOUND_STATE:
        clone.__dict__.pop(attribute, None)
    child = getattr(field, "child", None)
    if isinstance(child, serializers.Field):
        clone.child = _clone_field(child)  # type: ignore[attr-defined]
        clone.child.source = None  # type: ignore[attr-defined]  # bind sets it again
        clone.child.bind(field_name="", parent=clone)  # type: ignore[attr-defined]
    return clone


class OutputModelSerializer(CachedFieldsMixin, serializers.ModelSerializer):
    """A ModelSerializer whose fields are built once per class (``CachedFieldsMixin``)."""
