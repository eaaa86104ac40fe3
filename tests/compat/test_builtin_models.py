"""Every built-in model and snippet of GeNN 5, introspected through the public modules."""
import math

import numpy as np
import pytest

import pygenn.current_source_models as current_source_models
import pygenn.custom_connectivity_update_models as custom_connectivity_update_models
import pygenn.custom_update_models as custom_update_models
import pygenn.init_sparse_connectivity_snippets as init_sparse_connectivity_snippets
import pygenn.init_toeplitz_connectivity_snippets as init_toeplitz_connectivity_snippets
import pygenn.init_var_snippets as init_var_snippets
import pygenn.neuron_models as neuron_models
import pygenn.postsynaptic_models as postsynaptic_models
import pygenn.weight_update_models as weight_update_models
from pygenn import types
from pygenn._src.model.descriptors import NumericValue
from pygenn._src.model.enums import VarAccess, VarAccessMode
from pygenn._src.model.init import compute_derived_params

binom = pytest.importorskip("scipy.stats").binom

# module -> {name: (params, vars)} exactly as GeNN 5 defines them
EXPECTED = {
    neuron_models: {
        "RulkovMap": (["Vspike", "alpha", "y", "beta"], ["V", "preV"]),
        "Izhikevich": (["a", "b", "c", "d"], ["V", "U"]),
        "IzhikevichVariable": ([], ["V", "U", "a", "b", "c", "d"]),
        "LIF": (["C", "TauM", "Vrest", "Vreset", "Vthresh", "Ioffset", "TauRefrac"],
                ["V", "RefracTime"]),
        "SpikeSourceArray": ([], ["startSpike", "endSpike"]),
        "Poisson": (["rate"], ["timeStepToSpike"]),
        "TraubMiles": (["gNa", "ENa", "gK", "EK", "gl", "El", "C"], ["V", "m", "h", "n"]),
    },
    weight_update_models: {
        "StaticPulse": ([], ["g"]),
        "StaticPulseConstantWeight": (["g"], []),
        "StaticPulseDendriticDelay": ([], ["g", "d"]),
        "StaticGraded": (["Epre", "Vslope"], ["g"]),
        "STDP": (["tauPlus", "tauMinus", "Aplus", "Aminus", "Wmin", "Wmax"], ["g"]),
    },
    postsynaptic_models: {
        "DeltaCurr": ([], []), "ExpCurr": (["tau"], []), "ExpCond": (["tau", "E"], []),
    },
    current_source_models: {
        "DC": (["amp"], []), "GaussianNoise": (["mean", "sd"], []),
        "PoissonExp": (["weight", "tauSyn", "rate"], ["current"]),
    },
    custom_update_models: {"Transpose": ([], [])},
    init_var_snippets: {
        "Uninitialised": ([], None), "Constant": (["constant"], None), "Kernel": ([], None),
        "Uniform": (["min", "max"], None), "Normal": (["mean", "sd"], None),
        "NormalClipped": (["mean", "sd", "min", "max"], None),
        "NormalClippedDelay": (["mean", "sd", "min", "max"], None),
        "Exponential": (["lambda"], None), "Gamma": (["a", "b"], None),
        "Binomial": (["n", "p"], None),
    },
    init_sparse_connectivity_snippets: {
        "Uninitialised": ([], None), "OneToOne": ([], None), "FixedProbability": (["prob"], None),
        "FixedProbabilityNoAutapse": (["prob"], None),
        "FixedNumberPostWithReplacement": (["num"], None),
        "FixedNumberTotalWithReplacement": (["num"], None),
        "FixedNumberPreWithReplacement": (["num"], None),
        "Conv2D": (["conv_kh", "conv_kw", "conv_sh", "conv_sw", "conv_padh", "conv_padw",
                    "conv_ih", "conv_iw", "conv_ic", "conv_oh", "conv_ow", "conv_oc"], None),
    },
    init_toeplitz_connectivity_snippets: {
        "Uninitialised": ([], None),
        "Conv2D": (["conv_kh", "conv_kw", "conv_ih", "conv_iw", "conv_ic", "conv_oh", "conv_ow",
                    "conv_oc"], None),
        "AvgPoolConv2D": (["conv_kh", "conv_kw", "pool_kh", "pool_kw", "pool_sh", "pool_sw",
                           "pool_ih", "pool_iw", "pool_ic", "conv_oh", "conv_ow", "conv_oc"],
                          None),
    },
}

ALL = [(module, name) for module, table in EXPECTED.items() for name in table]


def _id(item):
    return f"{item[0].__name__.split('.')[-1]}.{item[1]}"


@pytest.mark.parametrize("module, name", ALL, ids=[_id(i) for i in ALL])
def test_builtin_by_name(module, name):
    model = getattr(module, name)()
    assert model is getattr(module, name)()
    params, variables = EXPECTED[module][name]
    assert [p.name for p in model.get_params()] == params
    if variables is not None:
        assert [v.name for v in model.get_vars()] == variables


@pytest.mark.parametrize("module", list(EXPECTED), ids=lambda m: m.__name__)
def test_modules_list_exactly_the_builtins(module):
    assert sorted(module.__all__) == sorted(EXPECTED[module])


def test_custom_connectivity_update_models_is_empty():
    assert custom_connectivity_update_models.__all__ == []


def test_misspelt_builtin_has_did_you_mean():
    with pytest.raises(AttributeError, match="module 'pygenn.neuron_models' has no built-in "
                                             "'Izhikevic'. Did you mean 'Izhikevich'"):
        _ = neuron_models.Izhikevic


def test_types_module():
    assert [t.name for t in (types.Bool, types.Int8, types.Int16, types.Int32, types.Int64,
                             types.Uint8, types.Uint16, types.Uint32, types.Uint64, types.Float,
                             types.Double)] == [
        "bool", "int8_t", "int16_t", "int32_t", "int64_t", "uint8_t", "uint16_t", "uint32_t",
        "uint64_t", "float", "double"]


# -- declared types and access modes -------------------------------------------------------------
def _var(model, name):
    return next(v for v in model.get_vars() if v.name == name)


def test_neuron_variable_details():
    ssa = neuron_models.SpikeSourceArray()
    assert str(_var(ssa, "startSpike").type) == "unsigned int"
    assert _var(ssa, "endSpike").access == VarAccess.READ_ONLY_DUPLICATE
    assert [(e.name, str(e.type)) for e in ssa.get_extra_global_params()] == [
        ("spikeTimes", "scalar")]
    izv = neuron_models.IzhikevichVariable()
    assert [v.access for v in izv.get_vars()] == [VarAccess.READ_WRITE] * 2 + [
        VarAccess.READ_ONLY] * 4
    assert not any(getattr(neuron_models, n)().is_auto_refractory_required()
                   for n in neuron_models.__all__)
    assert neuron_models.RulkovMap().get_reset_code() == ""


def test_weight_update_details():
    assert _var(weight_update_models.StaticPulse(), "g").access == VarAccess.READ_ONLY
    delay = weight_update_models.StaticPulseDendriticDelay()
    assert str(_var(delay, "d").type) == "uint8_t"
    assert _var(delay, "d").access == VarAccess.READ_ONLY
    graded = weight_update_models.StaticGraded()
    [ref] = graded.get_pre_neuron_var_refs()
    assert (ref.name, str(ref.type), ref.access) == ("V", "scalar", VarAccessMode.READ_ONLY)
    assert "V_pre" not in graded.get_pre_event_syn_code()  # GeNN 5.4's undefined V_pre
    assert _var(weight_update_models.STDP(), "g").access == VarAccess.READ_WRITE


def test_postsynaptic_and_custom_update_details():
    [ref] = postsynaptic_models.ExpCond().get_neuron_var_refs()
    assert (ref.name, str(ref.type), ref.access) == ("V", "scalar", VarAccessMode.READ_ONLY)
    [ref] = custom_update_models.Transpose().get_var_refs()
    assert (ref.name, str(ref.type), ref.access) == ("variable", "scalar",
                                                     VarAccessMode.READ_ONLY)
    assert custom_update_models.Transpose().get_update_code() == ""


def test_snippet_details():
    assert [(e.name, str(e.type)) for e in init_var_snippets.Kernel().get_extra_global_params()
            ] == [("kernel", "scalar")]
    total = init_sparse_connectivity_snippets.FixedNumberTotalWithReplacement()
    assert [(e.name, str(e.type)) for e in total.get_extra_global_params()] == [
        ("preCalcRowLength", "uint32_t")]
    assert "preCalcRowLength[id_pre]" in total.get_row_build_code()
    assert total.get_host_egp_init_func() is not None
    for name in ("FixedNumberPostWithReplacement", "FixedNumberTotalWithReplacement",
                 "FixedNumberPreWithReplacement"):
        [num] = getattr(init_sparse_connectivity_snippets, name)().get_params()
        assert str(num.type) == "unsigned int"
    pre = init_sparse_connectivity_snippets.FixedNumberPreWithReplacement()
    assert pre.get_row_build_code() == "" and pre.get_col_build_code() != ""
    conv = init_sparse_connectivity_snippets.Conv2D()
    assert {str(p.type) for p in conv.get_params()} == {"int"}


def test_fixed_number_total_host_init():
    total = init_sparse_connectivity_snippets.FixedNumberTotalWithReplacement()
    egps = total.get_host_egp_init_func()(50, 20, {"num": 1000}, np.random.default_rng(0))
    assert egps["preCalcRowLength"].shape == (50,)
    assert egps["preCalcRowLength"].sum() == 1000


# -- derived parameters against hand formulas ----------------------------------------------------
def _derived(model, dt=0.1, **params):
    values = compute_derived_params(model, {k: NumericValue(v) for k, v in params.items()}, dt)
    return {name: value.value for name, value in values.items()}


def test_rulkov_map_derived():
    d = _derived(neuron_models.RulkovMap(), 0.5, Vspike=60.0, alpha=3.0, y=-2.468, beta=0.0165)
    assert d == pytest.approx({"ip0": 60.0 ** 2 * 3.0, "ip1": 60.0 * -2.468,
                               "ip2": 60.0 * 3.0 + 60.0 * -2.468})


def test_lif_derived():
    d = _derived(neuron_models.LIF(), 0.1, C=0.25, TauM=10.0, Vrest=-65.0, Vreset=-65.0,
                 Vthresh=-50.0, Ioffset=0.0, TauRefrac=2.0)
    assert d == pytest.approx({"ExpTC": math.exp(-0.1 / 10.0), "Rmembrane": 40.0})


def test_poisson_derived():
    assert _derived(neuron_models.Poisson(), 0.1, rate=20.0) == pytest.approx(
        {"isi": 1000.0 / (20.0 * 0.1)})
    # A silent source: infinite interval, as the C++ arithmetic of GeNN gives
    assert _derived(neuron_models.Poisson(), 0.1, rate=0.0)["isi"] == math.inf


def test_postsynaptic_derived():
    dt, tau = 0.1, 5.0
    assert _derived(postsynaptic_models.ExpCurr(), dt, tau=tau) == pytest.approx(
        {"expDecay": math.exp(-dt / tau), "init": tau * (1.0 - math.exp(-dt / tau)) / dt})
    assert _derived(postsynaptic_models.ExpCond(), dt, tau=tau, E=0.0) == pytest.approx(
        {"expDecay": math.exp(-dt / tau)})


def test_poisson_exp_derived():
    dt = 0.5
    d = _derived(current_source_models.PoissonExp(), dt, weight=2.0, tauSyn=4.0, rate=30.0)
    assert d == pytest.approx({
        "ExpDecay": math.exp(-dt / 4.0),
        "Init": 2.0 * (1.0 - math.exp(-dt / 4.0)) * 4.0 / dt,
        "ExpMinusLambda": math.exp(-30.0 / 1000.0 * dt)})


def test_normal_clipped_delay_derived():
    d = _derived(init_var_snippets.NormalClippedDelay(), 0.25, mean=2.0, sd=1.0, min=0.5,
                 max=10.0)
    assert d == pytest.approx({"meanTimestep": 8.0, "sdTimestep": 4.0, "minTimestep": 2.0,
                               "maxTimestep": 40.0})


@pytest.mark.parametrize("prob, expected", [(0.1, 1.0 / math.log(0.9)), (0.0, -math.inf),
                                            (1.0, 0.0)])
def test_fixed_probability_derived(prob, expected):
    for name in ("FixedProbability", "FixedProbabilityNoAutapse"):
        d = _derived(getattr(init_sparse_connectivity_snippets, name)(), prob=prob)
        assert d["probLogRecip"] == pytest.approx(expected)


def test_toeplitz_conv2d_derived():
    # 'same' convolution of a 32x32 image with a 3x3 kernel: border 1; valid (30x30): border 2
    snippet = init_toeplitz_connectivity_snippets.Conv2D()
    common = dict(conv_kh=3, conv_kw=5, conv_ih=32, conv_iw=32, conv_ic=1, conv_oc=1)
    assert _derived(snippet, conv_oh=32, conv_ow=32, **common) == {"conv_bh": 1.0,
                                                                   "conv_bw": 2.0}
    assert _derived(snippet, conv_oh=30, conv_ow=28, **common) == {"conv_bh": 2.0,
                                                                   "conv_bw": 4.0}
    # (ih + kh - 1 - oh) / 2 truncates towards zero like C: (32 + 3 - 1 - 35) / 2 = 0
    assert _derived(snippet, conv_oh=35, conv_ow=32, **common)["conv_bh"] == 0.0


def test_avg_pool_conv2d_derived():
    snippet = init_toeplitz_connectivity_snippets.AvgPoolConv2D()
    d = _derived(snippet, conv_kh=3, conv_kw=3, pool_kh=2, pool_kw=2, pool_sh=2, pool_sw=2,
                 pool_ih=28, pool_iw=27, pool_ic=1, conv_oh=14, conv_ow=13, conv_oc=4)
    # pooled size ceil((28 - 2 + 1) / 2) = 14 -> (14 + 3 - 1 - 14) / 2 = 1;
    # ceil((27 - 2 + 1) / 2) = 13 -> (13 + 2 - 13) / 2 = 1
    assert d == {"conv_bh": 1.0, "conv_bw": 1.0}


# -- row/column bounds and kernel sizes ----------------------------------------------------------
def _bound(count, n, p):
    return binom.ppf(0.9999 ** (1.0 / count), n, p)


def test_fixed_probability_bounds():
    for name in ("FixedProbability", "FixedProbabilityNoAutapse"):
        snippet = getattr(init_sparse_connectivity_snippets, name)()
        pars = {"prob": 0.1}
        assert snippet.get_calc_max_row_length_func()(1000, 500, pars) == _bound(1000, 500, 0.1)
        assert snippet.get_calc_max_col_length_func()(1000, 500, pars) == _bound(500, 1000, 0.1)


def test_fixed_number_bounds():
    post = init_sparse_connectivity_snippets.FixedNumberPostWithReplacement()
    assert post.get_calc_max_row_length_func()(100, 300, {"num": 20}) == 20
    assert post.get_calc_max_col_length_func()(100, 300, {"num": 20}) == _bound(300, 2000,
                                                                               1 / 300)
    total = init_sparse_connectivity_snippets.FixedNumberTotalWithReplacement()
    assert total.get_calc_max_row_length_func()(100, 300, {"num": 5000}) == _bound(100, 5000,
                                                                                  1 / 100)
    assert total.get_calc_max_col_length_func()(100, 300, {"num": 5000}) == _bound(300, 5000,
                                                                                  1 / 300)
    pre = init_sparse_connectivity_snippets.FixedNumberPreWithReplacement()
    assert pre.get_calc_max_row_length_func()(100, 300, {"num": 20}) == _bound(100, 6000,
                                                                              1 / 100)
    assert pre.get_calc_max_col_length_func()(100, 300, {"num": 20}) == 20


def test_one_to_one_bounds():
    one = init_sparse_connectivity_snippets.OneToOne()
    assert one.get_calc_max_row_length_func()(10, 10, {}) == 1
    assert one.get_calc_max_col_length_func()(10, 10, {}) == 1


def test_conv2d_bounds_and_kernel():
    conv = init_sparse_connectivity_snippets.Conv2D()
    pars = dict(conv_kh=3, conv_kw=5, conv_sh=2, conv_sw=2, conv_padh=1, conv_padw=2,
                conv_ih=16, conv_iw=16, conv_ic=2, conv_oh=8, conv_ow=8, conv_oc=4)
    assert conv.get_calc_max_row_length_func()(512, 256, pars) == 2 * 3 * 4
    assert conv.get_calc_kernel_size_func()(pars) == [3, 5, 2, 4]


def test_toeplitz_bounds_and_kernels():
    conv = init_toeplitz_connectivity_snippets.Conv2D()
    pars = dict(conv_kh=3, conv_kw=3, conv_ih=8, conv_iw=8, conv_ic=2, conv_oh=8, conv_ow=8,
                conv_oc=5)
    assert conv.get_calc_max_row_length_func()(128, 320, pars) == 45
    assert conv.get_calc_kernel_size_func()(pars) == [3, 3, 2, 5]
    pool = init_toeplitz_connectivity_snippets.AvgPoolConv2D()
    pars = dict(conv_kh=3, conv_kw=3, pool_kh=2, pool_kw=2, pool_sh=2, pool_sw=2, pool_ih=8,
                pool_iw=8, pool_ic=3, conv_oh=4, conv_ow=4, conv_oc=6)
    assert pool.get_calc_max_row_length_func()(192, 96, pars) == 54
    assert pool.get_calc_kernel_size_func()(pars) == [3, 3, 3, 6]
