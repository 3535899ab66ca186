"""OpenAPI post-processing: the error shape, and the error statuses every operation can answer.

drf-spectacular documents what a view declares; the errors that the framework itself gives
(401 without credentials, 403, 404 for an unknown id, 400 for an unreadable body, 413, 415,
429 from a throttle) are the same for every operation, so they are added here, once, with
the one error shape (quizsite.api_errors), rather than repeated on each view.
"""

from __future__ import annotations

ERROR_REF = {"$ref": "#/components/schemas/Error"}
ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "Every API error. `detail` is a sentence for a person, `code` a stable machine code, "
        "`status` the HTTP status; `errors` maps each invalid field to its messages (invalid "
        "input only). Endpoints may add keys, such as an import's `problems`."
    ),
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "status": {"type": "integer"},
        "errors": {"type": "object", "additionalProperties": True},
    },
    "required": ["detail", "code", "status"],
    "additionalProperties": True,
}
DESCRIPTIONS = {
    "400": "The request is invalid (a field, a parameter or the body).",
    "401": "No valid credentials: `WWW-Authenticate: Token` says how to send them.",
    "403": "Signed in, but not allowed to do this.",
    "404": "No such resource, or none that this user may see.",
    "409": "The resource's state does not allow this now.",
    "413": "The request body is larger than the endpoint accepts.",
    "415": "The body's content type is not one the endpoint reads.",
    "429": "Too many requests; `Retry-After` says when to try again.",
}
SAFE_METHODS = {"get", "head", "options"}


def _statuses(method: str, operation: dict) -> list[str]:
    statuses = ["400", "401", "403", "404", "429"]
    if method not in SAFE_METHODS:
        statuses += ["409", "413", "415"]
    return statuses


def _accept_the_error_shape(response: dict) -> None:
    """A view's own 4xx schema (an import's problem list) or the generic shape: every error
    body has `detail`, `code` and `status`, whichever way it was raised."""
    for media in response.get("content", {}).values():
        schema = media.get("schema")
        if schema and schema != ERROR_REF and "anyOf" not in schema:
            media["schema"] = {"anyOf": [schema, ERROR_REF]}


def document_error_responses(result, generator, request, public):
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code, response in responses.items():
                if str(code).startswith("4"):
                    _accept_the_error_shape(response)
            for code in _statuses(method, operation):
                responses.setdefault(
                    code,
                    {
                        "description": DESCRIPTIONS[code],
                        "content": {"application/json": {"schema": ERROR_REF}},
                    },
                )
    return result
