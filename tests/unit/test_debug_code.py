"""debug_code=True (issue 12 item 7): user code that indexes an array out of bounds or divides
an integer by zero raises a Python exception naming the population and the code string, instead
of corrupting memory or crashing; release builds are unchanged; UBSan findings become
exceptions too."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from pygenn import (GeNNModel, create_custom_connectivity_update_model,
                    create_custom_update_model, create_egp_ref, create_neuron_model,
                    create_var_ref, init_postsynaptic, init_sparse_connectivity,
                    init_weight_update)
from pygenn._src.backends.cpu import generate_cpu
from pygenn._src.build import sanitizers
from pygenn._src.codegen.plan import ModelPlan
from pygenn._src.errors import DebugCheckError, SanitizerError

CPU_BACKENDS = ["single_threaded_cpu", "multi_threaded_cpu"]
_names = itertools.count()

READER = create_neuron_model(
    "Reader", params=[("shift", "int")], vars=[("x", "scalar")],
    extra_global_params=[("table", "scalar*")],
    sim_code="x = table[id + shift];")


def _model(backend="single_threaded_cpu", debug_code=True, precision="float"):
    model = GeNNModel(precision, f"debug{next(_names)}", backend=backend,
                      debug_code=debug_code)
    model.dt = 1.0
    return model


def _build_load(model, tmp_path):
    model.build(path_to_model=str(tmp_path))
    model.load()


def _reader(model, shift=0, size=6, dynamic=False):
    pop = model.add_neuron_population("pop", 4, READER, {"shift": shift}, {"x": -1.0})
    if dynamic:
        pop.set_param_dynamic("shift")
    pop.extra_global_params["table"].set_init_values(np.arange(size, dtype=np.float32))
    return pop


def _values(pop, name):
    pop.vars[name].pull_from_device()
    return pop.vars[name].values.copy()


# ----------------------------------------------------------------------------- bounds
@pytest.mark.parametrize("backend", CPU_BACKENDS)
def test_egp_read_out_of_bounds_names_population_code_string_and_array(backend, tmp_path):
    model = _model(backend)
    pop = _reader(model, shift=3, dynamic=True)
    _build_load(model, tmp_path)
    with pytest.raises(DebugCheckError) as caught:
        model.step_time()
    error = caught.value
    assert (error.group, error.role, error.value, error.size) == ("pop", "sim_code", 6, 6)
    assert error.problem == "index out of bounds"
    message = str(error)
    for text in ("Neuron group 'pop'", "sim_code", "extra global parameter 'table'",
                 "at 6", "6 elements", "timestep 0"):
        assert text in message
    # the step ran on, the bad read gave 0, and the model stays usable
    assert model.timestep == 1
    np.testing.assert_array_equal(_values(pop, "x"), [3.0, 4.0, 5.0, 0.0])
    pop.set_dynamic_param_value("shift", 2)
    model.step_time()
    np.testing.assert_array_equal(_values(pop, "x"), [2.0, 3.0, 4.0, 5.0])


def test_out_of_bounds_writes_are_dropped_and_counted(tmp_path):
    writer = create_neuron_model(
        "Writer", extra_global_params=[("table", "int*")],
        sim_code="table[id * 2] = 100 + (int)id;\n*(table + id - 1) = 7;")
    model = _model()
    pop = model.add_neuron_population("pop", 4, writer, {}, {})
    pop.extra_global_params["table"].set_init_values(np.zeros(5, dtype=np.int32))
    _build_load(model, tmp_path)
    with pytest.raises(DebugCheckError) as caught:
        model.step_time()
    # the first failure is id 0's `*(table - 1)`; id 3's table[6] fails too
    assert (caught.value.value, caught.value.count) == (-1, 2)
    assert "2 more" not in str(caught.value) and "1 more check failed" in str(caught.value)
    table = pop.extra_global_params["table"]
    table.pull_from_device()
    np.testing.assert_array_equal(table.view, [7, 7, 7, 0, 102])


def test_empty_egp_refuses_every_index(tmp_path):
    model = _model()
    _reader(model, size=0)
    _build_load(model, tmp_path)
    with pytest.raises(DebugCheckError, match="it has no elements"):
        model.step_time()


def test_egp_reference_of_a_custom_update(tmp_path):
    model = _model()
    pop = _reader(model, size=4)
    update = create_custom_update_model(
        "Bump", var_refs=[("x", "scalar")], extra_global_param_refs=[("t", "scalar*")],
        update_code="x = t[id + 1];")
    model.add_custom_update("bump", "G", update, {}, {},
                            {"x": create_var_ref(pop, "x")},
                            {"t": create_egp_ref(pop, "table")})
    _build_load(model, tmp_path)
    with pytest.raises(DebugCheckError) as caught:
        model.custom_update("G")
    assert (caught.value.group, caught.value.role) == ("bump", "update_code")
    assert "extra global parameter reference 't'" in str(caught.value)
    assert "custom update 'G'" in str(caught.value)


def test_row_length_in_custom_connectivity_host_code(tmp_path):
    host = create_custom_connectivity_update_model(
        "Host", extra_global_params=[("e", "scalar*")],
        host_update_code="e[0] = row_length[num_pre];")
    hold = create_neuron_model("Hold", vars=[("V", "scalar")])
    model = _model()
    pre = model.add_neuron_population("pre", 3, hold, {}, {"V": 0.0})
    post = model.add_neuron_population("post", 2, hold, {}, {"V": 0.0})
    sg = model.add_synapse_population(
        "syn", "SPARSE", pre, post, init_weight_update("StaticPulse", {}, {"g": 1.0}),
        init_postsynaptic("DeltaCurr"),
        init_sparse_connectivity("FixedProbability", {"prob": 1.0}))
    ccu = model.add_custom_connectivity_update("h", "H", sg, host, {}, {}, {}, {})
    ccu.extra_global_params["e"].set_init_values(np.zeros(1))
    _build_load(model, tmp_path)
    with pytest.raises(DebugCheckError) as caught:
        model.custom_update("H")
    assert (caught.value.group, caught.value.role) == ("h", "host_update_code")
    assert "'row_length' at 3, but it has 3 elements" in str(caught.value)


# ----------------------------------------------------------------------------- division
@pytest.mark.parametrize("code, fragment", [
    ("k = 7 / (int)id;", "computed 7 / 0: integer division by zero"),
    ("k = 7 % (int)id;", "computed 7 % 0: integer division by zero"),
    ("k = 9; k /= (int)id;", "computed 9 / 0"),
    ("k = 9u % id;", "computed 9 % 0"),
    ("k = (id == 0u ? -2147483647 - 1 : 1) / -1;", "computed -2147483648 / -1: the quotient"),
])
def test_integer_division_checks(code, fragment, tmp_path):
    divider = create_neuron_model("Divider", vars=[("k", "int"), ("x", "scalar")],
                                  sim_code=code + "\nx = 1.0 / (scalar)id;")
    model = _model()
    pop = model.add_neuron_population("pop", 3, divider, {}, {"k": 5, "x": 0.0})
    _build_load(model, tmp_path)
    with pytest.raises(DebugCheckError, match="result was taken as 0") as caught:
        model.step_time()
    assert fragment in str(caught.value)
    assert caught.value.count == 1              # only id 0 fails; floats are not checked
    assert _values(pop, "k")[0] == 0
    assert np.isinf(_values(pop, "x")[0])


# ----------------------------------------------------------------------------- release
def _division_and_egp_model(debug_code, backend="single_threaded_cpu"):
    """A correct model: EGP reads and integer divisions (also in a spiking population without
    EGPs, whose update is the vectorised state pass of codegen/neuron_split.py)."""
    model = _model(backend, debug_code=debug_code, precision="double")
    neuron = create_neuron_model(
        "Mixed", params=[("n", "int")], vars=[("x", "scalar"), ("k", "int")],
        extra_global_params=[("table", "scalar*")],
        sim_code="x += table[(id + (int)t) % n] / (scalar)(1 + k % 3);\nk += 7 / (1 + (int)id);")
    pop = model.add_neuron_population("pop", 5, neuron, {"n": 5}, {"x": 0.5, "k": 1})
    pop.extra_global_params["table"].set_init_values(np.linspace(-1.0, 1.0, 5))
    spiking = create_neuron_model(
        "Counting", vars=[("x", "scalar"), ("k", "int")],
        sim_code="k = (k * 7 + 3) % (int)(11 + id);\nx += (scalar)(k / 2) * 0.25;",
        threshold_condition_code="k > 5", reset_code="x /= 2.0;")
    model.add_neuron_population("counting", 40, spiking, {}, {"x": 0.0, "k": 1})
    return model, pop


def test_release_code_has_no_checks_and_debug_code_adds_only_checks():
    release, _ = _division_and_egp_model(False)
    debug, _ = _division_and_egp_model(True)
    release.name = debug.name = "same"
    plain = generate_cpu(ModelPlan(release, "single_threaded_cpu")).sources["runner.cc"]
    checked = generate_cpu(ModelPlan(debug, "single_threaded_cpu",
                                     debug_code=True)).sources["runner.cc"]
    for text in ("pygenn_element", "pygenn_div", "_debugError", "debugSite", "egp_table_size"):
        assert text not in plain
    assert "_group->egp_table[" in plain and "pygenn_element(_group->egp_table" in checked
    # a model with nothing to check differs only by the checking helpers' prelude
    quiet = create_neuron_model("Quiet", vars=[("x", "scalar")], sim_code="x += 1.0;")
    texts = []
    for debug_code in (False, True):
        model = _model(debug_code=debug_code)
        model.name = "quiet"
        model.add_neuron_population("pop", 3, quiet, {}, {"x": 0.0})
        texts.append(generate_cpu(ModelPlan(model, "single_threaded_cpu",
                                            debug_code=debug_code)).sources["runner.cc"])
    from pygenn._src.codegen.debug_checks import DEBUG_PRELUDE
    assert texts[1].replace(DEBUG_PRELUDE, "") == texts[0]


@pytest.mark.parametrize("backend", CPU_BACKENDS)
def test_correct_model_gives_identical_results_with_and_without_debug_code(backend,
                                                                           tmp_path):
    results = []
    for debug_code in (False, True):
        model, pop = _division_and_egp_model(debug_code, backend)
        model.build(path_to_model=str(tmp_path / str(debug_code)))
        model.load()
        model.step_time(20)
        counting = model.neuron_populations["counting"]
        results.append([_values(p, name) for p in (pop, counting) for name in ("x", "k")])
    for release, debug in zip(*results):
        np.testing.assert_array_equal(release, debug)


def test_egp_of_a_var_init_snippet_is_checked_at_load(tmp_path):
    from pygenn import create_var_init_snippet, init_var
    lookup = create_var_init_snippet("lookup", extra_global_params=[("values", "scalar*")],
                                     var_init_code="value = values[id * 2];")
    hold = create_neuron_model("Hold", vars=[("V", "scalar")])
    model = _model()
    pop = model.add_neuron_population("pop", 4, hold, {}, {"V": init_var(lookup, {})})
    pop.vars["V"].extra_global_params["values"].set_init_values(np.arange(5.0))
    model.build(path_to_model=str(tmp_path))
    with pytest.raises(DebugCheckError, match=r"in initialisation: Variable 'V' of 'pop' init "
                                              r"code \(code string 'var_init_code'\) indexed "
                                              r"extra global parameter 'values' at 6"):
        model.load()
    with pytest.raises(Exception, match="has to be loaded"):     # a clean refusal
        model.step_time()


def test_cuda_code_is_unchanged_by_debug_code_and_compiles():
    from pygenn._src.backends.cuda import generate_cuda
    sources = []
    for debug_code in (False, True):
        model, _ = _division_and_egp_model(debug_code)
        model.name = "cudadebug"
        sources.append(generate_cuda(ModelPlan(model, "cuda",
                                               debug_code=debug_code)).sources)
    # device code is not checked (see README): debug_code leaves it as it is
    assert sources[0] == sources[1]
    from pygenn._src.build import nvrtc
    if not nvrtc.available():
        pytest.skip("NVRTC is not installed")
    nvrtc.build_cached_cubin(sources[1]["runner.cu"], "cudadebug", "sm_80")


# ----------------------------------------------------------------------------- sanitizers
def test_ubsan_finding_becomes_an_exception(tmp_path, monkeypatch):
    monkeypatch.delenv(sanitizers.ENV_VAR, raising=False)
    if sanitizers.ubsan_monitor() is None:
        pytest.skip("this compiler cannot build UBSan libraries that load into Python")
    overflow = create_neuron_model("Overflow", vars=[("k", "int")],
                                   sim_code="int big = 2147483647;\nbig += (int)id;\nk = big;")
    model = _model()
    pop = model.add_neuron_population("pop", 3, overflow, {}, {"k": 0})
    _build_load(model, tmp_path)
    with pytest.raises(SanitizerError, match=r"(?i)signed integer overflow.*\(runner.cc:") \
            as caught:
        model.step_time()
    assert caught.value.code_string == "neuron model 'Overflow' sim_code"
    assert "code pasted from neuron model 'Overflow' sim_code" in str(caught.value)
    model.step_time()                   # UBSan reports one place once per loaded library
    assert _values(pop, "k")[0] == 2147483647


@pytest.mark.parametrize("value, expected", [
    ("none", ()), ("undefined", ("undefined",)), ("address, undefined", ("address", "undefined")),
])
def test_pygenn_sanitize_is_parsed(monkeypatch, value, expected):
    monkeypatch.setenv(sanitizers.ENV_VAR, value)
    assert sanitizers.requested() == expected


def test_pygenn_sanitize_refuses_unknown_and_unusable_sanitizers(monkeypatch):
    monkeypatch.setenv(sanitizers.ENV_VAR, "thread")
    with pytest.raises(RuntimeError, match="unknown sanitizer"):
        sanitizers.choose(debug_code=False)
    if sanitizers.asan_runtime_loaded():
        return
    monkeypatch.setenv(sanitizers.ENV_VAR, "address")
    with pytest.raises(RuntimeError, match="LD_PRELOAD"):
        sanitizers.choose(debug_code=False)
    # an ASan library would end a process without the preloaded runtime: never loaded here
    with pytest.raises(RuntimeError, match="LD_PRELOAD"):
        sanitizers.prepare_load(("address",))


def test_release_builds_get_no_sanitizer_unless_asked(monkeypatch):
    monkeypatch.delenv(sanitizers.ENV_VAR, raising=False)
    assert sanitizers.choose(debug_code=False) == ()
    monkeypatch.setenv(sanitizers.ENV_VAR, "none")
    assert sanitizers.choose(debug_code=True) == ()
