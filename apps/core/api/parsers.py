"""The JSON parser every API view uses: bounded size and nesting depth (docs/security.md).

DRF's ``JSONParser`` hands the body to ``json.load``; a body nested a thousand levels deep
(2 KB of ``[``) then raises ``RecursionError`` in the decoder or in whatever walks the result
next, a 500. This parser reads at most ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes, refuses a
body nested deeper than ``API_JSON_MAX_DEPTH`` *before* decoding it (one pass over the
brackets outside strings), and turns any decoding failure into DRF's ``ParseError``: a 400
``parse_error`` in the one error shape. Views that name their parsers use this class too.
"""

import codecs
import json
import re
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework import renderers
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser
from rest_framework.settings import api_settings

# JSON strings (with their escapes) and everything that is not a bracket.
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def json_depth_exceeds(text: str, max_depth: int) -> bool:
    """True when arrays/objects in ``text`` nest deeper than ``max_depth``.

    Brackets inside strings do not count. Malformed JSON is left to the decoder: this only
    has to be right for text the decoder would accept.
    """
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    depth = 0
    for char in brackets:
        if char in "[{":
            depth += 1
            if depth > max_depth:
                return True
        else:
            depth -= 1
    return False


def json_loads_bounded(raw: bytes, *, encoding: str = "utf-8") -> Any:
    """Decode a JSON body within the project's bounds, or raise ``ParseError``."""
    if len(raw) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        raise RequestDataTooBig("Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE.")
    try:
        text = codecs.decode(raw, encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise ParseError("JSON parse error - the body is not valid text.") from exc
    if json_depth_exceeds(text, settings.API_JSON_MAX_DEPTH):
        raise ParseError(
            f"JSON parse error - nested deeper than {settings.API_JSON_MAX_DEPTH} levels."
        )
    try:
        if api_settings.STRICT_JSON:  # NaN and Infinity are not JSON
            return json.loads(text, parse_constant=_refuse_constant)
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ParseError("JSON parse error - the body is not valid JSON.") from exc


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


class BoundedJSONParser(BaseParser):
    """``application/json`` bodies, bounded in size and depth (see the module docstring)."""

    media_type = "application/json"
    renderer_class = renderers.JSONRenderer

    def parse(
        self,
        stream: IO[bytes],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        context = parser_context or {}
        encoding = context.get("encoding", settings.DEFAULT_CHARSET)
        if stream is None:
            return None
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1)
        return json_loads_bounded(raw, encoding=encoding)
