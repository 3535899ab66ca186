"""Parameter schemas of the demos: types, bounds, defaults, validation and canonical form.

The canonical form (defaults filled in, floats rounded to 12 significant digits, keys sorted,
and only the parameters the chosen variant uses) is what keys a `DemoRun`: two requests that
mean the same computation ("lr": 0.1 and "lr": "0.10000000000000001", a missing parameter and
its default, or two values of a parameter the variant ignores, such as the parabola's start
point when SGD fits the speed data) must land on the same row, or the cache would recompute
what it already has and a class would see two runs of one experiment.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# What a person reads: a plain string or a lazily translated one (gettext_lazy).
StrOrPromise = str | Promise

SIGNIFICANT_DIGITS = 12


class DemoParameterError(ValueError):
    """Bad parameters, as {parameter name: [messages]}; `__all__` for cross-field rules."""

    def __init__(self, errors: Mapping[str, list[str]]):
        self.errors = {name: list(messages) for name, messages in errors.items()}
        super().__init__(
            "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in self.errors.items())
        )


def normalise_float(value: float) -> float:
    """Round away representation noise so 0.1 and 0.1000000000000001 key the same run."""
    rounded = float(f"{value:.{SIGNIFICANT_DIGITS}g}")
    return 0.0 if rounded == 0 else rounded  # -0.0 and 0.0 are one value


def _format_number(value: float) -> str:
    return f"{value:g}"


@dataclass(frozen=True)
class Param:
    """One parameter: its type decides how a value is parsed, checked and normalised.

    Types: "float", "int", "bool", "choice", "float_list", "int_list", "str_list".  Bounds
    apply to numbers and to the items of number lists; `min_items`/`max_items` to lists;
    `max_length` to the strings of a str_list.

    `used_when` ({"problem": ("parabola",)}) says which values of other (choice or bool)
    parameters make this one matter.  Declared as data rather than as a function so that the
    API can list it and a form can hide the input; a parameter that does not matter is still
    checked (a typo deserves an answer) and then left out of the canonical parameters.

    `label`, `unit`, `help` and `choice_labels` are what a person reads (translated, lazily,
    so one schema speaks every language); `slider` asks a form for a range input of `step`
    for a continuous parameter whose bounds are a sensible range to slide over.
    """

    name: str
    type: str
    default: Any
    help: StrOrPromise = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    min_items: int | None = None
    max_items: int | None = None
    max_length: int = 40
    used_when: Mapping[str, tuple[Any, ...]] | None = None
    label: StrOrPromise = ""
    unit: StrOrPromise = ""
    choice_labels: Mapping[str, StrOrPromise] | None = None
    slider: bool = False
    step: float | None = None

    def __post_init__(self):
        known = {"float", "int", "bool", "choice", "float_list", "int_list", "str_list"}
        if self.type not in known:
            raise ValueError(f"unknown parameter type {self.type!r}")
        # A default outside the schema would make every defaulted request invalid.
        self.clean(self.default)

    def describe(self) -> dict[str, Any]:
        """The JSON schema entry the API lists, so a form can offer the right inputs."""
        entry: dict[str, Any] = {"name": self.name, "type": self.type, "default": self.default}
        entry["label"] = str(self.label or self.name.replace("_", " ").capitalize())
        if self.unit:
            entry["unit"] = str(self.unit)
        if self.help:
            entry["help"] = str(self.help)
        for key in ("minimum", "maximum", "min_items", "max_items"):
            if getattr(self, key) is not None:
                entry[key] = getattr(self, key)
        if self.choices:
            entry["choices"] = list(self.choices)
            labels = self.choice_labels or {}
            entry["choice_labels"] = {c: str(labels.get(c, c)) for c in self.choices}
        if self.slider:
            entry["slider"] = True
            entry["step"] = self.step
        if self.type == "str_list":
            entry["max_length"] = self.max_length
        if self.used_when:
            entry["used_when"] = {name: list(values) for name, values in self.used_when.items()}
        return entry

    def accepts(self, value: Any) -> bool:
        """Is `value` already one of this parameter's clean values?"""
        try:
            return self.clean(value) == value
        except ValueError:
            return False

    def is_used(self, cleaned: Mapping[str, Any]) -> bool:
        """Does the computation these (cleaned) parameters describe depend on this one?"""
        return not self.used_when or all(
            cleaned[name] in values for name, values in self.used_when.items()
        )

    # -- parsing and checking -------------------------------------------------------------

    def clean(self, raw: Any) -> Any:
        """Return the normalised value or raise ValueError with a message for a person."""
        if self.type == "float":
            return self._bounded(self._number(raw, integer=False))
        if self.type == "int":
            return self._bounded(self._number(raw, integer=True))
        if self.type == "bool":
            return self._bool(raw)
        if self.type == "choice":
            value = str(raw).strip() if isinstance(raw, str | int) else raw
            if value not in self.choices:
                raise ValueError(
                    _("must be one of %(choices)s; got %(value)s")
                    % {"choices": ", ".join(self.choices), "value": repr(raw)}
                )
            return value
        return self._list(raw)

    def _number(self, raw: Any, *, integer: bool) -> float | int:
        wrong = (
            _("must be a whole number, got %(value)s")
            if integer
            else _("must be a number, got %(value)s")
        )
        if isinstance(raw, bool) or raw is None:
            raise ValueError(wrong % {"value": repr(raw)})
        if isinstance(raw, str):
            text = raw.strip()
            try:
                raw = int(text) if integer else float(text)
            except ValueError:
                try:
                    as_float = float(text)
                except ValueError:
                    raise ValueError(wrong % {"value": repr(raw)}) from None
                raw = as_float
        if not isinstance(raw, int | float):
            raise ValueError(wrong % {"value": repr(raw)})
        if isinstance(raw, float) and not math.isfinite(raw):
            raise ValueError(_("must be a finite number, got %(value)s") % {"value": repr(raw)})
        if integer:
            if isinstance(raw, float):
                if not raw.is_integer():
                    raise ValueError(
                        _("must be a whole number, got %(value)s") % {"value": repr(raw)}
                    )
                raw = int(raw)
            return raw
        return normalise_float(float(raw))

    def _bounded(self, value: float | int) -> float | int:
        low, high = self.minimum, self.maximum
        if (low is not None and value < low) or (high is not None and value > high):
            numbers = {
                "low": _format_number(low) if low is not None else "",
                "high": _format_number(high) if high is not None else "",
                "value": _format_number(value),
            }
            if low is None:
                message = _("must be at most %(high)s, got %(value)s")
            elif high is None:
                message = _("must be at least %(low)s, got %(value)s")
            else:
                message = _("must be between %(low)s and %(high)s, got %(value)s")
            raise ValueError(message % numbers)
        return value

    def _bool(self, raw: Any) -> bool:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, int) and raw in (0, 1):
            return bool(raw)
        if isinstance(raw, str) and raw.strip().lower() in {"true", "1", "yes", "on"}:
            return True
        if isinstance(raw, str) and raw.strip().lower() in {"false", "0", "no", "off"}:
            return False
        raise ValueError(_("must be true or false, got %(value)s") % {"value": repr(raw)})

    def _list(self, raw: Any) -> list:
        if isinstance(raw, str):
            text = raw.strip()
            if text.startswith("["):
                try:
                    raw = json.loads(text)
                except json.JSONDecodeError:
                    raise ValueError(
                        _("is not a valid list: %(value)s") % {"value": repr(raw)}
                    ) from None
            else:
                # "5.1,3.2" and "3x1" (a shape) are the forms people type on a command line.
                separator = "x" if self.type == "int_list" and "x" in text else ","
                raw = [item.strip() for item in text.split(separator)] if text else []
        if not isinstance(raw, list | tuple):
            raise ValueError(_("must be a list, got %(value)s") % {"value": repr(raw)})
        counts = {"n": self.min_items, "m": self.max_items, "got": len(raw)}
        if self.min_items is not None and len(raw) < self.min_items:
            raise ValueError(_("needs at least %(n)s items, got %(got)s") % counts)
        if self.max_items is not None and len(raw) > self.max_items:
            raise ValueError(_("takes at most %(m)s items, got %(got)s") % counts)
        items: list[Any] = []
        for position, item in enumerate(raw, start=1):
            try:
                if self.type == "str_list":
                    items.append(self._string(item))
                else:
                    number = self._number(item, integer=self.type == "int_list")
                    items.append(self._bounded(number))
            except ValueError as error:
                raise ValueError(
                    _("item %(position)s %(error)s") % {"position": position, "error": error}
                ) from None
        return items

    def _string(self, raw: Any) -> str:
        if not isinstance(raw, str | int | float) or isinstance(raw, bool):
            raise ValueError(_("must be text, got %(value)s") % {"value": repr(raw)})
        text = " ".join(str(raw).split())
        if not text:
            raise ValueError(_("must not be empty"))
        if len(text) > self.max_length:
            raise ValueError(_("must be at most %(n)s characters") % {"n": self.max_length})
        return text


def seed_param(used_when: Mapping[str, tuple[Any, ...]] | None = None) -> Param:
    """The random seed of a demo that draws random numbers: the same seed, the same run."""
    return Param(
        "seed",
        "int",
        0,
        minimum=0,
        maximum=2**31 - 1,
        label=gettext_lazy("Random seed"),
        help=gettext_lazy("The same seed gives the same run"),
        used_when=used_when,
    )


@dataclass(frozen=True)
class Schema:
    params: tuple[Param, ...]
    # Cross-field rules: take the cleaned params, return {name or "__all__": [messages]}.
    checks: tuple[Callable[[dict], dict[str, list[str]]], ...] = field(default=())

    def __post_init__(self):
        names = [param.name for param in self.params]
        if len(names) != len(set(names)):
            raise ValueError(f"duplicate parameter names in {names}")
        by_name = {param.name: param for param in self.params}
        for param in self.params:
            for name, values in (param.used_when or {}).items():
                condition = by_name.get(name)
                # Only unconditional choices and booleans: then whether a parameter is used
                # never depends on another parameter that may itself have been left out.
                if condition is None or condition.type not in {"choice", "bool"}:
                    raise ValueError(f"{param.name}: used_when names {name!r}, not a choice/bool")
                if condition.used_when:
                    raise ValueError(f"{param.name}: used_when names the conditional {name!r}")
                if not values or not all(condition.accepts(value) for value in values):
                    raise ValueError(f"{param.name}: used_when lists a value {name} cannot take")

    @property
    def names(self) -> list[str]:
        return [param.name for param in self.params]

    def defaults(self) -> dict[str, Any]:
        return {param.name: param.default for param in self.params}

    def describe(self) -> list[dict[str, Any]]:
        return [param.describe() for param in self.params]

    def validate(self, raw: Mapping[str, Any] | None) -> dict[str, Any]:
        """Clean every parameter, fill defaults, reject unknown names, drop the unused ones.

        Sorted by name: the canonical parameters of the computation.
        """
        raw = dict(raw or {})
        errors: dict[str, list[str]] = {}
        unknown = sorted(set(raw) - set(self.names))
        for name in unknown:
            takes = ", ".join(self.names) or _("no parameters")
            errors[name] = [
                _("is not a parameter of this demo (it takes: %(names)s)") % {"names": takes}
            ]
        cleaned: dict[str, Any] = {}
        for param in self.params:
            value = raw.get(param.name, param.default)
            try:
                cleaned[param.name] = param.clean(value)
            except ValueError as error:
                errors.setdefault(param.name, []).append(str(error))
        if not errors:
            for check in self.checks:
                for name, messages in check(cleaned).items():
                    errors.setdefault(name, []).extend(messages)
        if errors:
            raise DemoParameterError(errors)
        used = {param.name for param in self.params if param.is_used(cleaned)}
        return {name: value for name, value in sorted(cleaned.items()) if name in used}


def canonical_json(params: Mapping[str, Any]) -> str:
    return json.dumps(params, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def params_key(params: Mapping[str, Any]) -> str:
    """A fixed-length key for the (already canonical) parameters, for a unique index."""
    return hashlib.sha256(canonical_json(params).encode()).hexdigest()
