"""Values generated code cannot take as given (issue 12 item 4): integers must be exact,
literals must be valid C, model items must not be named like pygenn's own arrays."""
from __future__ import annotations

import math

import numpy as np
import pytest

from pygenn import GeNNModel, create_neuron_model, create_weight_update_model
from pygenn._src.codegen.fields import c_literal
from pygenn._src.lang import types as T
from pygenn._src.model import values


# ----------------------------------------------------------------------------- exact integers
@pytest.mark.parametrize("value, numeric_type, expected", [
    (3, T.Uint32, 3), (3.0, T.Int32, 3), (np.int64(-5), T.Int8, -5), (True, T.Bool, 1),
    (2 ** 32 - 1, T.Uint32, 2 ** 32 - 1), (-(2 ** 63), T.Int64, -(2 ** 63)),
    (np.float32(7), T.Uint8, 7),
])
def test_exact_integers_are_accepted(value, numeric_type, expected):
    assert values.exact_integer(value, numeric_type, "x") == expected


@pytest.mark.parametrize("value, numeric_type", [
    (-1, T.Uint32), (1.7, T.Int32), (math.nan, T.Int32), (math.inf, T.Uint64),
    (2 ** 31, T.Int32), (2 ** 64, T.Uint64), (2, T.Bool), (-1, T.Bool), (128, T.Int8),
    (np.float64(0.5), T.Uint16),
])
def test_inexact_integers_are_refused(value, numeric_type):
    with pytest.raises(ValueError, match=f"'?count'? has type {numeric_type.name}"):
        values.exact_integer(value, numeric_type, "'count'")


def test_array_check_names_the_first_bad_value_and_counts_them():
    with pytest.raises(ValueError, match=r"cannot hold -1 exactly \(2 of 4 values"):
        values.check_array_values(np.array([0, -1, 3, -2]), T.Uint32, "v")
    with pytest.raises(ValueError, match="cannot hold nan"):
        values.check_array_values(np.array([0.0, np.nan]), T.Int16, "v")
    values.check_array_values(np.array([0.0, 65535.0]), T.Uint16, "v")
    values.check_array_values(np.array([1e300, np.nan]), None, "v")          # floats: anything
    with pytest.raises(TypeError, match="real numbers"):
        values.check_array_values(np.array([1j]), None, "v")


def test_integer_type_of_declarations():
    assert values.integer_type("unsigned int") is T.Uint32
    assert values.integer_type("bool") is T.Bool
    assert values.integer_type("scalar") is None and values.integer_type("double") is None


# ----------------------------------------------------------------------------- C literals
@pytest.mark.parametrize("value, numeric_type, text", [
    (math.inf, T.Float, "INFINITY"), (-math.inf, T.Double, "(-INFINITY)"),
    (math.nan, T.Float, "NAN"), (math.nan, T.Double, "NAN"),
    (1e300, T.Float, "INFINITY"), (-1e300, T.Float, "(-INFINITY)"),      # rounded to float
    (0.5, T.Float, "0.5f"), (-2.0, T.Double, "(-2.0)"), (3, T.Double, "3.0"),
    (-(2 ** 31), T.Int32, "(-2147483647 - 1)"), (2 ** 32 - 1, T.Uint32, "4294967295u"),
    (-(2 ** 63), T.Int64, "(INT64_C(-9223372036854775807) - 1)"), (2.0, T.Int16, "2"),
    (1, T.Bool, "true"), (0, T.Bool, "false"),
])
def test_c_literal(value, numeric_type, text):
    assert c_literal(value, numeric_type) == text


@pytest.mark.parametrize("value, numeric_type", [
    (math.inf, T.Int32), (math.nan, T.Uint32), (-1, T.Uint32), (1.5, T.Int64),
    (2 ** 31, T.Int32), (2, T.Bool),
])
def test_c_literal_refuses_values_an_integer_type_cannot_hold(value, numeric_type):
    with pytest.raises(ValueError, match=f"has type {numeric_type.name}"):
        c_literal(value, numeric_type)


# ----------------------------------------------------------------------------- in models
def _model_with_int_param(value):
    model = GeNNModel("float", "exact_values")
    neuron = create_neuron_model("N", params=[("n", "int")], vars=[("V", "scalar")],
                                 sim_code="V += n;")
    return model.add_neuron_population("Pop", 2, neuron, {"n": value}, {"V": 0.0})


@pytest.mark.parametrize("value", [math.inf, math.nan, 1.5, 2 ** 31, -(2 ** 31) - 1])
def test_integer_parameters_must_be_exact(value):
    with pytest.raises(ValueError, match="Neuron group 'Pop'.*parameter 'n' has type int32_t"):
        _model_with_int_param(value)


def test_non_finite_scalar_parameters_build(tmp_path, monkeypatch):
    """inf and nan parameters print as INFINITY/NAN, which the compiler accepts."""
    monkeypatch.setenv("PYGENN_CACHE_DIR", str(tmp_path / "cache"))
    model = GeNNModel("float", "non_finite_params")
    neuron = create_neuron_model("N", params=["a", "b", "c"], vars=[("V", "scalar")],
                                 sim_code="V = (a < -3.0e38 && b != b && c > 3.0e38) ? 1.0 : 2.0;")
    pop = model.add_neuron_population("Pop", 2, neuron, {"a": -math.inf, "b": math.nan,
                                                         "c": 1e300}, {"V": 0.0})
    model.build(str(tmp_path))
    model.load()
    model.step_time()
    pop.vars["V"].pull_from_device()
    assert pop.vars["V"].values.tolist() == [1.0, 1.0]


def test_integer_variable_values_name_variable_and_population():
    model = GeNNModel("float", "exact_values")
    neuron = create_neuron_model("N", vars=[("count", "unsigned int")])
    with pytest.raises(ValueError, match="Neuron group 'Pop'.*variable 'count'.*cannot hold -1"):
        model.add_neuron_population("Pop", 2, neuron, {}, {"count": -1})
    pop = model.add_neuron_population("Pop2", 2, neuron, {}, {"count": 0})
    with pytest.raises(ValueError, match="variable 'count' of Neuron group 'Pop2'.*nan"):
        pop.vars["count"].set_init_values([0.0, math.nan])


# ----------------------------------------------------------------------------- names
@pytest.mark.parametrize("name", sorted(values.INTERNAL_ARRAY_NAMES))
def test_internal_array_names_are_refused(name):
    with pytest.raises(RuntimeError, match=f"'{name}'.*array pygenn keeps"):
        create_neuron_model("N", vars=[(name, "scalar")])
    with pytest.raises(RuntimeError, match="array pygenn keeps"):
        create_weight_update_model("W", extra_global_params=[(name, "scalar*")])


def test_dt_must_be_finite():
    model = GeNNModel("float", "dt_model")
    for bad in (math.inf, math.nan, 0.0, -0.1):
        with pytest.raises(ValueError, match="dt must be a positive number"):
            model.dt = bad
    model.dt = 0.25
    assert model.dt == 0.25
