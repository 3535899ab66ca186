"""Texts a worker computes once and every reader reads in their own language.

A demo runs once, in the worker, and its result is cached and shown to every reader, in
whichever language each one reads; so a result never stores translated text.  A demo builds
its summary, notes, figure titles and computed figure labels as `Message`s: the English msgid
(marked with `gettext_noop` where it is written, so `makemessages` finds it) and its
parameters.  A `Message` is a `str` (its English text), so the CLI, the tests and matplotlib
read it as they read any string; stored, it becomes JSON,

    {"msgid": "%(name)s is 0 for negative inputs", "params": {"name": "ReLU"}, "text": "..."}

and `render` turns it into the active language's text when the result is served (page and
API), with numbers in the reader's format (0,541 in Portuguese and Danish).  Parameters are
numbers (`number(value, spec)`, or a bare int or float), plain strings (names, formulas,
shapes: shown as they are) or texts themselves; `Joined` strings texts together.  A plain
string, as results stored before this module held, is shown as it is (translated when the
catalogue has it, as the static figure titles are).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from django.utils import formats
from django.utils.translation import gettext


class Number:
    """A number inside a message: formatted by `spec` (Python's format mini-language) in
    English, then given the reader's decimal and thousands separators."""

    def __init__(self, value: Any, spec: str = ""):
        self.value, self.spec = value, spec

    def english(self) -> str:
        value = self.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            return str(value)
        spec = self.spec or ("," if isinstance(value, int) else ".4g")
        return format(value, spec)

    def json(self) -> dict[str, Any]:
        value = self.value
        if isinstance(value, float) and not math.isfinite(value):  # strict JSON: as text
            return {"n": self.english(), "f": ""}
        return {"n": value, "f": self.spec}


def number(value: Any, spec: str = "") -> Number:
    return Number(value, spec)


Param = Any  # str, int, float, Number or Text


class Text(str):
    """A computed text: a `str` (its English form) that knows how to be stored."""

    def json(self) -> Any:  # pragma: no cover - every subclass defines it
        raise NotImplementedError


class Message(Text):
    def __new__(cls, msgid: str, **params: Param) -> Message:
        text = super().__new__(cls, _fill(msgid, {k: _english(v) for k, v in params.items()}))
        text.msgid, text.params = msgid, params
        return text

    msgid: str
    params: dict[str, Param]

    def json(self) -> dict[str, Any]:
        return {
            "msgid": self.msgid,
            "params": {name: _param_json(value) for name, value in self.params.items()},
            "text": str(self),
        }


class Joined(Text):
    """Texts one after another, e.g. the sentences of a summary."""

    def __new__(cls, parts: Iterable[str], separator: str = " ") -> Joined:
        parts = [part for part in parts if part]
        text = super().__new__(cls, separator.join(str(part) for part in parts))
        text.parts, text.separator = parts, separator
        return text

    parts: list[str]
    separator: str

    def json(self) -> dict[str, Any]:
        return {
            "join": self.separator,
            "parts": [to_json(part) for part in self.parts],
            "text": str(self),
        }


def to_json(value: Any) -> Any:
    """A text as a result stores it: a Message or Joined as JSON, anything else unchanged."""
    if isinstance(value, Text):
        return value.json()
    return value


def _param_json(value: Param) -> Any:
    if isinstance(value, Number):
        return value.json()
    if isinstance(value, Text):
        return value.json()
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return Number(value).json()


def _english(value: Param) -> str:
    if isinstance(value, Number):
        return value.english()
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return Number(value).english()


def _fill(template: str, params: dict[str, str]) -> str:
    # Always %-formatted, parameters or not, as gettext's python-format expects: a literal
    # percent sign in a msgid is written %%.
    return template % params


# --- display time ---------------------------------------------------------------------------


def render(value: Any) -> str:
    """A stored text in the active language: what the pages and the API show."""
    if value is None:
        return ""
    if isinstance(value, str):
        return gettext(value) if value else ""
    if isinstance(value, list):
        return " ".join(filter(None, (render(part) for part in value)))
    if not isinstance(value, dict):
        return str(value)
    if "msgid" in value:
        params = {name: _render_param(v) for name, v in (value.get("params") or {}).items()}
        msgid = str(value["msgid"])
        try:
            return _fill(gettext(msgid), params)
        except (KeyError, ValueError, TypeError):  # a broken translation: say it in English
            try:
                return _fill(msgid, params)
            except (KeyError, ValueError, TypeError):
                return str(value.get("text", msgid))
    if "join" in value:
        parts = (render(part) for part in value.get("parts") or [])
        return str(value["join"]).join(filter(None, parts))
    if "n" in value:
        return _localised_number(value)
    return str(value.get("text", ""))


def _render_param(value: Any) -> str:
    if isinstance(value, dict) and "n" in value and "msgid" not in value:
        return _localised_number(value)
    if isinstance(value, dict | list):
        return render(value)
    return str(value)  # names, formulas and shapes are shown as they are


def _localised_number(value: dict) -> str:
    english = Number(value.get("n"), str(value.get("f") or "")).english()
    decimal = str(formats.get_format("DECIMAL_SEPARATOR"))
    thousands = str(formats.get_format("THOUSAND_SEPARATOR"))
    if (decimal, thousands) == (".", ","):
        return english
    return "".join(
        decimal if char == "." else thousands if char == "," else char for char in english
    )


def render_table(table: dict | None) -> dict:
    """A figure's table in the active language: its headers and its words (a row's names,
    such as a setting or a rule); numbers are left as they are, for reading and copying."""
    if not table:
        return {}
    return {
        **table,
        "columns": [render(column) for column in table.get("columns") or []],
        "rows": [
            [render(cell) if isinstance(cell, str | dict) else cell for cell in row]
            for row in table.get("rows") or []
        ],
    }
