"""Parameter schemas: a parameter the chosen variant ignores is checked, then left out.

The canonical parameters key a run, so whatever stays in them must change the computation.
"""

from __future__ import annotations

import pytest

from training.params import DemoParameterError, Param, Schema, params_key
from training.registry import get_demo

SCHEMA = Schema(
    params=(
        Param("problem", "choice", "speed", choices=("speed", "parabola")),
        Param(
            "start", "float", -1.5, minimum=-100, maximum=100, used_when={"problem": ("parabola",)}
        ),
        Param("noisy", "bool", False),
        Param("noise", "float", 3.0, minimum=0, maximum=10, used_when={"noisy": (True,)}),
    )
)


def test_a_parameter_is_kept_only_when_its_condition_holds():
    assert SCHEMA.validate({"problem": "parabola", "start": 2}) == {
        "noisy": False,
        "problem": "parabola",
        "start": 2.0,
    }
    assert SCHEMA.validate({"problem": "speed", "start": 2, "noisy": "yes"}) == {
        "noise": 3.0,
        "noisy": True,
        "problem": "speed",
    }


def test_requests_that_differ_only_in_an_ignored_parameter_have_one_key():
    keys = {
        params_key(SCHEMA.validate({"problem": "speed", "start": start}))
        for start in (-1.5, 0.0, 42)
    }
    used = {
        params_key(SCHEMA.validate({"problem": "parabola", "start": start}))
        for start in (-1.5, 0.0, 42)
    }

    assert len(keys) == 1
    assert len(used) == 3


def test_an_ignored_parameter_with_a_bad_value_is_still_an_error():
    with pytest.raises(DemoParameterError) as caught:
        SCHEMA.validate({"problem": "speed", "start": 1000})

    assert caught.value.errors == {"start": ["must be between -100 and 100, got 1000"]}


def test_the_schema_lists_the_condition_so_a_form_can_hide_the_input():
    described = {entry["name"]: entry for entry in SCHEMA.describe()}

    assert described["start"]["used_when"] == {"problem": ["parabola"]}
    assert described["noise"]["used_when"] == {"noisy": [True]}
    assert "used_when" not in described["problem"]


@pytest.mark.parametrize(
    ("used_when", "message"),
    [
        ({"colour": ("red",)}, "not a choice/bool"),
        ({"start": (1.0,)}, "not a choice/bool"),
        ({"problem": ("circle",)}, "a value problem cannot take"),
        ({"problem": ()}, "a value problem cannot take"),
    ],
)
def test_a_condition_on_an_unknown_parameter_or_value_is_refused_at_definition(used_when, message):
    with pytest.raises(ValueError, match=message):
        Schema(params=(*SCHEMA.params, Param("extra", "int", 1, used_when=used_when)))


def test_a_condition_on_a_conditional_parameter_is_refused_at_definition():
    params = (
        Param("kind", "choice", "a", choices=("a", "b")),
        Param("flag", "bool", False, used_when={"kind": ("b",)}),
        Param("depth", "int", 1, used_when={"flag": (True,)}),
    )

    with pytest.raises(ValueError, match="conditional 'flag'"):
        Schema(params=params)


@pytest.mark.parametrize(
    ("slug", "variant", "ignored"),
    [
        ("sgd-steps", {"problem": "speed"}, {"start": 7.0}),
        ("sgd-steps", {"problem": "parabola"}, {"seed": 7}),
        ("train-3-vs-7", {"model": "linear"}, {"hidden": 7}),
        ("activation-functions", {"function": "relu"}, {"negative_slope": 0.5}),
    ],
)
def test_the_demos_leave_out_what_their_variant_ignores(slug, variant, ignored):
    demo = get_demo(slug)

    with_default = demo.validate(variant)
    with_other = demo.validate({**variant, **ignored})

    assert with_other == with_default
    assert not set(ignored) & set(with_default)
