"""The API's one JSON parser: bounded body size and nesting depth, text PostgreSQL can store."""

import codecs
import re

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser, get_encoding
from rest_framework.utils import json

from core.middleware import BAD_CHARACTER_MESSAGE

# Real payloads nest a few levels (a fishbone is an object of lists). Deeper is an attack on the
# parser or on code that walks the value recursively.
MAX_DEPTH = 32
_BAD_CHARACTERS = re.compile("[\x00\ud800-\udfff]")


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"


def too_large() -> RequestTooLarge:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return RequestTooLarge(f"The request body is larger than the {limit // (1024 * 1024)} MB limit.")


def check_value(data, *, max_depth: int = MAX_DEPTH) -> None:
    """Raise ParseError if ``data`` nests deeper than ``max_depth`` or holds NUL or an unpaired
    surrogate in a key or string. Iterative: never recurses, whatever the input."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if _BAD_CHARACTERS.search(value):
                raise ParseError(f"JSON parse error - {BAD_CHARACTER_MESSAGE}")
        elif isinstance(value, dict | list):
            if depth > max_depth:
                raise ParseError(f"JSON parse error - nested deeper than {max_depth} levels.")
            if isinstance(value, dict):
                stack.extend((key, depth) for key in value)
                stack.extend((item, depth + 1) for item in value.values())
            else:
                stack.extend((item, depth + 1) for item in value)


class BoundedJSONParser(JSONParser):
    """JSONParser with a body limit (DATA_UPLOAD_MAX_MEMORY_SIZE: 413), a depth limit, and no NUL
    or unpaired surrogates (400). The default parser of every API view (REST_FRAMEWORK)."""

    def parse(self, stream, media_type=None, parser_context=None):
        # DRF reads request.body first, where Django enforces the limit (RequestDataTooBig, which
        # core.api.exceptions answers with this 413); checked again for any other stream.
        parser_context = parser_context or {}
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if limit is not None else stream.read()
        if limit is not None and len(raw) > limit:
            raise too_large()
        try:
            text = codecs.decode(raw, get_encoding(parser_context))
            data = json.loads(text, parse_constant=json.strict_constant if self.strict else None)
        except RecursionError as exc:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_DEPTH} levels.") from exc
        except (ValueError, LookupError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
        check_value(data)
        return data
