"""One shape for every error the API answers, and a JSON parser that refuses hostile bodies.

The shape (component `Error` in the OpenAPI schema):

    {"detail": "A sentence for a person.", "code": "machine_code", "status": 400,
     "errors": {"field": ["message", ...]}}          # `errors` only for invalid input

Why a renderer does it rather than only DRF's exception handler: many views answer a
refusal with a `Response` of their own (a service's conflict, an import's problem list), and
those never pass through the handler.  Every JSON answer of 400 or more passes through the
renderer, so the shape is applied in one place.  What a view adds beside `detail` (an
import's `problems`, a first-use `training_run`) is kept.  Field errors are also left at the
top level, where DRF puts them and where version-1 clients read them, unless a field's name
is one of the shape's own keys.

The parser: the standard library's decoder raises RecursionError on a thousand nested
arrays, which DRF does not catch (a 500 on every JSON endpoint); it turns 1e999 into
infinity, which later cannot be written back as JSON; and it accepts integers far beyond any
database column.  Each of those is a 400 here, with a sentence.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers, renderers, status

MAX_JSON_DEPTH = 32
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
SHAPE_KEYS = ("detail", "code", "status", "errors")

DEFAULT_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "throttled",
    500: "server_error",
    503: "unavailable",
}


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"


# --- parsing -----------------------------------------------------------------------------


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} is too large")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > 19:
        raise ValueError(f"the number {text[:40]}… is too large")
    value = int(text)
    if not INT64_MIN <= value <= INT64_MAX:
        raise ValueError(f"the number {text} is too large")
    return value


def _strict_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def json_depth_exceeds(data, limit: int) -> bool:
    """Walk the parsed body without recursion; True if it nests deeper than `limit`."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        children: Iterable[Any]
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def parse_json_text(text: str):
    """Parse a JSON document or raise ValueError with a sentence; never RecursionError."""
    try:
        data = json.loads(
            text,
            parse_float=_finite_float,
            parse_int=_bounded_int,
            parse_constant=_strict_constant,
        )
    except RecursionError:
        raise ValueError(f"it nests deeper than {MAX_JSON_DEPTH} levels") from None
    if json_depth_exceeds(data, MAX_JSON_DEPTH):
        raise ValueError(f"it nests deeper than {MAX_JSON_DEPTH} levels")
    return data


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with the refusals above; every failure is a ParseError (400)."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})  # type: ignore[attr-defined]  # untyped helper
        raw = stream.read() if stream is not None else b""
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as error:
            raise exceptions.ParseError(
                _("The body is not valid %(encoding)s text (byte %(position)d).")
                % {"encoding": encoding, "position": error.start}
            ) from None
        try:
            return parse_json_text(text)
        except ValueError as error:
            raise exceptions.ParseError(
                _("The body is not valid JSON: %(reason)s.") % {"reason": error}
            ) from None


# --- the error shape ---------------------------------------------------------------------


def _first_message(errors) -> str:
    while isinstance(errors, dict | list) and errors:
        errors = next(iter(errors.values())) if isinstance(errors, dict) else errors[0]
    return str(errors) if errors else ""


def error_body(data, status_code: int) -> dict:
    """The documented error object for a response body of status 400 or more."""
    default_code = DEFAULT_CODES.get(status_code, "error")
    if isinstance(data, dict) and "detail" in data:
        detail = data["detail"]
        body = dict(data)
        body["detail"] = (
            str(detail) if not isinstance(detail, dict | list) else _first_message(detail)
        )
        body["code"] = str(data.get("code") or getattr(detail, "code", None) or default_code)
        body["status"] = status_code
        return body
    if isinstance(data, list):
        data = {"non_field_errors": data}
    if isinstance(data, dict):
        fields = [name for name in data if name != "non_field_errors"]
        if fields:
            detail = _("The request has errors in: %(fields)s.") % {"fields": ", ".join(fields)}
        else:
            detail = _first_message(data) or _("The request is invalid.")
        body = {key: value for key, value in data.items() if key not in SHAPE_KEYS}
        body.update(detail=detail, code=default_code, status=status_code, errors=data)
        return body
    return {"detail": str(data or ""), "code": default_code, "status": status_code}


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSON renderer; bodies of error responses are given the documented shape."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None and response.status_code >= 400 and data is not None:
            data = error_body(data, response.status_code)
        return super().render(data, accepted_media_type, renderer_context)


def exception_handler(exc, context):
    """DRF's handler, plus the exceptions it does not know that a bad request can raise."""
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge(_("The request body is larger than this server accepts."))
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, RecursionError):
        exc = exceptions.ParseError(_("The body nests too deeply."))
    elif isinstance(exc, OverflowError | DataError):
        # A form field's integer beyond 64 bits reaches the query (SQLite raises
        # OverflowError, PostgreSQL DataError): the client's value, not a server fault.
        exc = exceptions.ValidationError(
            {"non_field_errors": [_("A value in the request is out of range.")]}
        )
    # Imported here to break a circle: rest_framework.views reads DEFAULT_RENDERER_CLASSES,
    # which names this module's JSONRenderer, when it is first imported; a project URLconf
    # that imports this module first (the load benchmark's) would find it half-initialised.
    from rest_framework.views import exception_handler as drf_exception_handler

    return drf_exception_handler(exc, context)
