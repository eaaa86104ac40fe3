"""Initialisers (``init_*``) and parameter/variable validation."""
import math

import numpy as np
import pytest

import pygenn.init_var_snippets as init_var_snippets
import pygenn.neuron_models as neuron_models
import pygenn.weight_update_models as weight_update_models
from pygenn._src.model.descriptors import NumericValue
from pygenn._src.model.factories import create_var_init_snippet, create_weight_update_model
from pygenn._src.model.init import (
    PostsynapticInit, SparseConnectivityInit, ToeplitzConnectivityInit, VarInit, WeightUpdateInit,
    check_params, check_var_refs, check_var_values, compute_derived_params, init_postsynaptic,
    init_sparse_connectivity, init_toeplitz_connectivity, init_var, init_weight_update,
    resolve_model)
from pygenn._src.model.snippets import NeuronModelBase


# -- VarInit -------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", [1.5, 3, np.float32(2.0), np.array(4.0)])
def test_number_becomes_constant_snippet(value):
    init = VarInit(value)
    assert init.snippet is init_var_snippets.Constant()
    assert init.is_constant and init.constant_value == float(value)
    assert init.params == {"constant": NumericValue(float(value))}


def test_init_var_by_name_and_by_object():
    by_name = init_var("Uniform", {"min": 0.0, "max": 2})
    by_object = init_var(init_var_snippets.Uniform(), {"min": 0.0, "max": 2})
    assert by_name.snippet is by_object.snippet is init_var_snippets.Uniform()
    assert by_name.params == {"min": NumericValue(0.0), "max": NumericValue(2)}
    assert not by_name.is_constant and by_name.constant_value is None


def test_var_init_with_user_snippet_and_egps():
    snippet = create_var_init_snippet("Mine", var_init_code="value = k[0];",
                                      extra_global_params=[("k", "scalar*")])
    init = init_var(snippet)
    assert init.get_snippet() is snippet and init.get_params() == {}
    assert list(init.extra_global_params) == ["k"]


def test_uninitialised():
    assert init_var("Uninitialised").is_uninitialised
    assert not VarInit(0.0).is_uninitialised


def test_constant_takes_no_params():
    with pytest.raises(TypeError, match="a constant initial value \\(1.0\\) takes no parameters"):
        VarInit(1.0, {"constant": 2.0})


def test_unknown_snippet_name_has_did_you_mean():
    with pytest.raises(RuntimeError, match="There is no built-in variable initialisation snippet "
                                           "called 'Unifrm'. Did you mean 'Uniform'"):
        init_var("Unifrm", {})


def test_wrong_kind_of_snippet():
    with pytest.raises(TypeError, match="expected a variable initialisation snippet but got the "
                                        "neuron model 'LIF'"):
        init_var(neuron_models.LIF())
    with pytest.raises(TypeError, match="expected a variable initialisation snippet \\(a "
                                        "built-in name or an object"):
        init_var(None)


def test_resolve_model_of_each_kind():
    assert resolve_model("LIF", NeuronModelBase) is neuron_models.LIF()


# -- parameter validation ------------------------------------------------------------------------
def test_params_count_mismatch():
    with pytest.raises(RuntimeError, match="variable initialisation snippet 'Uniform': expected "
                                           "2 parameters but got 1 \\(missing: 'max'\\)"):
        init_var("Uniform", {"min": 0.0})
    with pytest.raises(RuntimeError, match="expected 1 parameter but got 2 \\(unexpected: "
                                           "'x'\\)"):
        init_var("Constant", {"constant": 0.0, "x": 1.0})


def test_missing_param_with_did_you_mean():
    with pytest.raises(RuntimeError, match="missing value for parameter 'max'; got 'mx' instead. "
                                           "Did you mean 'max'"):
        init_var("Uniform", {"min": 0.0, "mx": 1.0})


def test_param_values_must_be_numbers():
    with pytest.raises(TypeError, match="the value of parameter 'min' must be a number"):
        init_var("Uniform", {"min": "0", "max": 1.0})


def test_params_must_be_a_dict():
    with pytest.raises(TypeError, match="'params' must be a dict mapping names to values"):
        init_var("Uniform", [0.0, 1.0])


def test_check_params_for_models():
    values = check_params(neuron_models.Poisson(), {"rate": np.float64(10.0)})
    assert values == {"rate": NumericValue(10.0)}
    assert isinstance(values["rate"].value, float)


# -- variables -----------------------------------------------------------------------------------
def test_var_values_conversion():
    lif = neuron_models.LIF()
    values = check_var_values(lif.get_vars(), {"V": -65.0, "RefracTime": [0.0, 1.0]}, "pop")
    assert values["V"].is_constant and values["V"].constant_value == -65.0
    np.testing.assert_array_equal(values["RefracTime"], [0.0, 1.0])
    values = check_var_values(lif.get_vars(), {"V": init_var("Uniform", {"min": 0, "max": 1}),
                                               "RefracTime": None}, "pop")
    assert values["V"].snippet is init_var_snippets.Uniform() and values["RefracTime"] is None


def test_var_count_mismatch_and_missing():
    lif = neuron_models.LIF()
    with pytest.raises(RuntimeError, match="Neuron group 'P': expected 2 variables but got 1"):
        check_var_values(lif.get_vars(), {"V": 0.0}, "Neuron group 'P'")
    with pytest.raises(RuntimeError, match="missing initialiser for variable 'RefracTime'; got "
                                           "'Refrac' instead"):
        check_var_values(lif.get_vars(), {"V": 0.0, "Refrac": 0.0}, "Neuron group 'P'")


def test_bad_var_value():
    with pytest.raises(TypeError, match="variable 'V' must be initialised with a number, "
                                        "init_var\\(...\\), an array or None"):
        check_var_values(neuron_models.LIF().get_vars(), {"V": "x", "RefracTime": 0.0}, "P")


def test_var_refs_kept_as_given():
    ref = object()
    declared = weight_update_models.StaticGraded().get_pre_neuron_var_refs()
    assert check_var_refs(declared, {"V": ref}, "S")["V"] is ref
    assert check_var_refs(declared, {"V": "V"}, "S") == {"V": "V"}


def test_var_ref_none_is_rejected():
    with pytest.raises(TypeError, match="variable reference 'V' must be a variable name or a "
                                        "reference"):
        init_postsynaptic("ExpCond", {"tau": 1.0, "E": 0.0}, var_refs={"V": None})


# -- model initialisers --------------------------------------------------------------------------
def test_init_postsynaptic():
    init = init_postsynaptic("ExpCond", {"tau": 5.0, "E": 0.0}, var_refs={"V": "V"})
    assert isinstance(init, PostsynapticInit)
    assert init.vars == {} and init.var_refs == {"V": "V"}
    with pytest.raises(RuntimeError, match="postsynaptic model 'ExpCond': expected 1 variable "
                                           "reference but got 0 \\(missing: 'V'\\)"):
        init_postsynaptic("ExpCond", {"tau": 5.0, "E": 0.0})


def test_init_weight_update_holds_everything():
    model = create_weight_update_model(
        "W", params=["a"], vars=[("g", "scalar")], pre_vars=[("x", "scalar")],
        post_vars=[("y", "scalar")], pre_neuron_var_refs=[("Vp", "scalar")],
        post_neuron_var_refs=[("Vq", "scalar")], psm_var_refs=[("ps", "scalar")])
    init = init_weight_update(model, {"a": 1}, {"g": 0.5}, {"x": 0.0}, {"y": 1.0},
                              {"Vp": "V"}, {"Vq": "V"}, {"ps": "x"})
    assert isinstance(init, WeightUpdateInit)
    assert init.params == {"a": NumericValue(1)}
    assert init.vars["g"].constant_value == 0.5
    assert init.pre_vars["x"].constant_value == 0.0 and init.post_vars["y"].constant_value == 1.0
    assert (init.pre_var_refs, init.post_var_refs, init.psm_var_refs) == (
        {"Vp": "V"}, {"Vq": "V"}, {"ps": "x"})


def test_init_weight_update_checks_each_dict():
    with pytest.raises(RuntimeError, match="weight update model 'StaticPulse': missing "
                                           "initialiser for variable 'g'; got 'w' instead"):
        init_weight_update("StaticPulse", {}, {"w": 1.0})
    with pytest.raises(RuntimeError, match="weight update model 'StaticPulse': expected 0 "
                                           "presynaptic variables but got 1"):
        init_weight_update("StaticPulse", {}, {"g": 1.0}, pre_vars={"x": 1.0})
    with pytest.raises(RuntimeError, match="expected 1 presynaptic variable reference but got 0"):
        init_weight_update("StaticGraded", {"Epre": 0.0, "Vslope": 1.0}, {"g": 1.0})


def test_unknown_weight_update_model():
    with pytest.raises(RuntimeError, match="no built-in weight update model called "
                                           "'StaticPuls'. Did you mean 'StaticPulse'"):
        init_weight_update("StaticPuls", {}, {"g": 1.0})


# -- connectivity initialisers -------------------------------------------------------------------
def test_sparse_connectivity_init_functions():
    init = init_sparse_connectivity("FixedNumberPostWithReplacement", {"num": 10})
    assert isinstance(init, SparseConnectivityInit)
    assert init.calc_max_row_length(100, 50) == 10
    assert init.calc_max_col_length(100, 50) > 10
    assert init.calc_kernel_size() is None
    assert init_sparse_connectivity("Uninitialised").calc_max_row_length(3, 4) is None


def test_toeplitz_connectivity_init_functions():
    init = init_toeplitz_connectivity("Conv2D", {
        "conv_kh": 3, "conv_kw": 3, "conv_ih": 8, "conv_iw": 8, "conv_ic": 2, "conv_oh": 8,
        "conv_ow": 8, "conv_oc": 4})
    assert isinstance(init, ToeplitzConnectivityInit)
    assert init.calc_max_row_length(128, 256) == 36
    assert init.calc_kernel_size() == [3, 3, 2, 4]


# -- derived parameters --------------------------------------------------------------------------
def test_compute_derived_params():
    lif = neuron_models.LIF()
    params = check_params(lif, {"C": 0.25, "TauM": 10.0, "Vrest": -65.0, "Vreset": -70.0,
                                "Vthresh": -50.0, "Ioffset": 0.0, "TauRefrac": 2.0})
    derived = compute_derived_params(lif, params, 0.5)
    assert derived["ExpTC"].value == pytest.approx(math.exp(-0.05))
    assert derived["Rmembrane"].value == pytest.approx(40.0)


def test_derived_params_see_only_plain_numbers():
    seen = {}

    def spy(pars, dt):
        seen.update(pars)
        return 1

    snippet = create_var_init_snippet("S", params=["a"], derived_params=[("b", spy)])
    compute_derived_params(snippet, {"a": NumericValue(2)}, 0.1)
    assert seen == {"a": 2} and type(seen["a"]) is int


def test_derived_param_with_unknown_name():
    snippet = create_var_init_snippet("S", params=["rate"],
                                      derived_params=[("b", lambda p, dt: p["rat"])])
    with pytest.raises(RuntimeError, match="derived parameter 'b' of variable initialisation "
                                           "snippet 'S' uses unknown parameter 'rat'. Did you "
                                           "mean 'rate'"):
        compute_derived_params(snippet, {"rate": NumericValue(1.0)}, 0.1)


def test_derived_param_that_fails():
    snippet = create_var_init_snippet("S", derived_params=[("b", lambda p, dt: 1 / 0)])
    with pytest.raises(RuntimeError, match="computing derived parameter 'b' of variable "
                                           "initialisation snippet 'S' failed: "
                                           "ZeroDivisionError"):
        compute_derived_params(snippet, {}, 0.1)


def test_derived_param_must_return_a_number():
    snippet = create_var_init_snippet("S", derived_params=[("b", lambda p, dt: "x")])
    with pytest.raises(RuntimeError, match="derived parameter 'b' of variable initialisation "
                                           "snippet 'S' must return a number"):
        compute_derived_params(snippet, {}, 0.1)
