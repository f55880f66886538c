"""dlnotes.validation: the shared argument checks, their messages and what they return."""

import math

import numpy as np
import pytest

from dlnotes.validation import (
    bool_flag,
    finite_number,
    int_at_least,
    int_value,
    layer_sizes,
    non_negative_int,
    number_in_range,
    optional_seed,
    positive_int,
    positive_number,
)


def test_ints_pass_and_come_back_as_python_ints():
    assert positive_int("f", "n", 3) == 3
    assert type(positive_int("f", "n", np.int64(3))) is int  # a NumPy integer is an int
    assert non_negative_int("f", "n", 0) == 0
    assert int_at_least("f", "n", 10, 10) == 10


@pytest.mark.parametrize(
    ("check", "value", "message"),
    [
        (positive_int, 0, "f: n must be a positive int, got 0"),
        (positive_int, True, "f: n must be a positive int, got True"),  # bool is not an int here
        (positive_int, 2.0, "f: n must be a positive int, got 2.0"),
        (positive_int, "3", "f: n must be a positive int, got '3'"),
        (non_negative_int, -1, "f: n must be a non-negative int, got -1"),
        (non_negative_int, None, "f: n must be a non-negative int, got None"),
        (lambda where, name, value: int_at_least(where, name, value, 10), 9, "f: n must be an int >= 10, got 9"),
    ],
)
def test_bad_ints_are_named_with_what_was_expected(check, value, message):
    with pytest.raises(ValueError) as error:
        check("f", "n", value)
    assert str(error.value) == message


def test_seeds_are_ints_or_none():
    assert optional_seed("f", None) is None and optional_seed("f", np.int32(7)) == 7
    for bad in ("0", 1.5, False):
        with pytest.raises(TypeError, match=f"f: seed must be an int or None, got {bad!r}"):
            optional_seed("f", bad)


def test_layer_sizes():
    assert layer_sizes("f", "hidden", [64, np.int64(32)]) == (64, 32)
    assert layer_sizes("f", "hidden", (), allow_empty=True) == ()
    with pytest.raises(ValueError, match=r"f: hidden must be a non-empty sequence of positive ints, got \(\)"):
        layer_sizes("f", "hidden", ())
    for bad in [(8, 0), (8, True), (8.0,), "64", 64]:
        with pytest.raises(ValueError, match="f: hidden must be a sequence of positive ints"):
            layer_sizes("f", "hidden", bad, allow_empty=True)


def test_finite_numbers():
    assert finite_number("f", np.float32(0.5)) == 0.5 and type(finite_number("f", np.int64(3))) is int
    with pytest.raises(TypeError, match="f: expected a real number, got bool True"):
        finite_number("f", True)
    with pytest.raises(TypeError, match="f: expected a real number, got str '1'"):
        finite_number("f", "1")
    with pytest.raises(ValueError, match="f: expected a finite number, got nan"):
        finite_number("f", float("nan"))


def test_int_values_of_any_sign():
    assert int_value("f", "n", -3) == -3 and type(int_value("f", "n", np.int16(2))) is int
    for bad in (True, 1.0, "1", None):
        with pytest.raises(TypeError, match=f"f: n must be an int, got {bad!r}"):
            int_value("f", "n", bad)


def test_bool_flags():
    assert bool_flag("f", "flag", False) is False and bool_flag("f", "flag", np.bool_(True)) is True
    for bad in (1, 0, "False", None):
        with pytest.raises(TypeError, match=f"f: flag must be True or False, got {bad!r}"):
            bool_flag("f", "flag", bad)


def test_positive_numbers():
    assert positive_number("f", "rate", np.float32(0.5)) == 0.5 and type(positive_number("f", "rate", 2)) is int
    for bad in (0, -1.5, True, "1", float("nan")):
        with pytest.raises(ValueError, match=f"f: rate must be a positive number, got {bad!r}"):
            positive_number("f", "rate", bad)


@pytest.mark.parametrize(
    ("bounds", "good", "bad", "wanted"),
    [
        ({"low": 0, "high": 1}, [0, 0.99], [1, -0.1], r"a number in \[0, 1\)"),
        ({"low": 0, "high": 0.5, "closed": True}, [0.5], [0.51], r"a number in \[0, 0.5\]"),
        ({"low": 0}, [0, math.inf], [-1e-9], "a non-negative number"),
        ({"low": 2}, [2.5], [1], "a number >= 2"),
    ],
)
def test_numbers_in_a_range(bounds, good, bad, wanted):
    for value in good:
        assert number_in_range("f", "x", value, **bounds) == value
    for value in [*bad, True, "0.5", float("nan")]:
        with pytest.raises(ValueError, match=f"f: x must be {wanted}, got"):
            number_in_range("f", "x", value, **bounds)
