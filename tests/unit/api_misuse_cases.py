"""API-misuse cases run by test_api_misuse.py, each in a child process.

Every case misuses one public entry point (a wrong name, type, shape, size or call order) and must
end in a Python exception of a reasonable type with a message, never in a crash. ``valid`` cases
are controls that must succeed (some of them used to crash or silently do the wrong thing).

The cases are generated from tables: ``add(id, state, run)`` registers one; ``state`` says which
fixture ``run(f)`` receives: "none" (nothing), "model" (the fixture model described, not built),
"built" or "loaded" (see ``Fixture``). Every case gets a fresh fixture, so no case sees what
another one did; building is cheap because the compiled library comes from the build cache.

Run as a script: ``python api_misuse_cases.py RESULTS WORK_DIR CASE_ID ...`` runs the cases in
order and appends one JSON line per case to RESULTS, flushed before the next case starts, so a
crash leaves the results of every case before it.
"""
from __future__ import annotations

import json
import math
import os
import sys
import time
import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Case:
    id: str
    state: str                    # "none", "model", "built" or "loaded"
    run: Callable
    valid: bool = False           # a control: must not raise
    types: tuple = ()             # exception types acceptable besides the REASONABLE ones
    match: str | None = None      # a regular expression the message must match


CASES: dict[str, Case] = {}

#: exception types a user can reasonably expect from misuse (GeNN itself raises bare Exception)
REASONABLE = (TypeError, ValueError, RuntimeError, KeyError, IndexError)


def add(case_id: str, state: str, run: Callable, *, valid: bool = False, types: tuple = (),
        match: str | None = None) -> None:
    assert case_id not in CASES, f"duplicate case id {case_id}"
    CASES[case_id] = Case(case_id, state, run, valid, types, match)


def is_reasonable(error: BaseException, case: Case) -> bool:
    return type(error) is Exception or isinstance(error, REASONABLE + case.types)


# ================================================================================== the fixture
LIF_PARAMS = {"C": 1.0, "TauM": 20.0, "Vrest": -70.0, "Vreset": -70.0, "Vthresh": -51.0,
              "Ioffset": 0.0, "TauRefrac": 2.0}
LIF_VARS = {"V": -55.0, "RefracTime": 0.0}
NUM_RECORDING_TIMESTEPS = 10


def counter_model():
    """A neuron model with integer-typed parameters, variables and EGPs."""
    from pygenn import create_neuron_model
    return create_neuron_model(
        "Counter", params=[("p", "scalar"), ("n", "unsigned int")],
        vars=[("V", "scalar"), ("count", "unsigned int"), ("flag", "bool"), ("small", "int8_t")],
        extra_global_params=[("table", "scalar*"), ("itable", "int*")],
        sim_code="V += p + table[0];\ncount += n;",
        threshold_condition_code="V > 1000.0", reset_code="V = 0.0;")


def scale_model():
    from pygenn import create_custom_update_model
    return create_custom_update_model("Scale", params=["f"], var_refs=[("X", "scalar")],
                                      update_code="X *= f;")


def scale2_model():
    from pygenn import create_custom_update_model
    return create_custom_update_model("Scale2", var_refs=[("X", "scalar"), ("Y", "scalar")],
                                      update_code="X *= 0.5; Y *= 0.5;")


def empty_ccu_model():
    from pygenn import create_custom_connectivity_update_model
    return create_custom_connectivity_update_model("Keep", row_update_code="")


class Fixture:
    """A small model with one population of every kind.

    Pre, Post: LIF (10 neurons; Pre records spikes); Cnt: ``counter_model`` (5 neurons, ``p``
    dynamic); Syn: SPARSE Pre->Post; Dense: DENSE Pre->Post; CS: DC into Post; CU: scales Post's
    V, CUWU: scales Syn's g (update group "G"); CCU: a custom connectivity update of Syn.
    """

    def __init__(self, state: str, work_dir: str):
        from pygenn import (GeNNModel, create_var_ref, create_wu_var_ref, init_postsynaptic,
                            init_sparse_connectivity, init_weight_update)
        self.work_dir = work_dir
        self.m = m = GeNNModel("float", "misuse")
        m.dt = 1.0
        m.seed = 1
        self.pre = m.add_neuron_population("Pre", 10, "LIF", LIF_PARAMS, LIF_VARS)
        self.post = m.add_neuron_population("Post", 10, "LIF", LIF_PARAMS, LIF_VARS)
        self.pre.spike_recording_enabled = True
        self.cnt = m.add_neuron_population("Cnt", 5, counter_model(), {"p": 0.5, "n": 1},
                                           {"V": 0.0, "count": 0, "flag": 0, "small": -3})
        self.cnt.set_param_dynamic("p")
        self.cnt.extra_global_params["table"].set_init_values([0.25])
        self.cnt.extra_global_params["itable"].set_init_values([7])
        self.syn = m.add_synapse_population(
            "Syn", "SPARSE", self.pre, self.post,
            init_weight_update("StaticPulse", {}, {"g": 0.1}),
            init_postsynaptic("ExpCurr", {"tau": 5.0}),
            init_sparse_connectivity("FixedProbability", {"prob": 0.5}))
        self.dense = m.add_synapse_population(
            "Dense", "DENSE", self.pre, self.post,
            init_weight_update("StaticPulse", {}, {"g": 0.2}), init_postsynaptic("DeltaCurr"))
        self.cs = m.add_current_source("CS", "DC", self.post, {"amp": 0.5})
        self.cu = m.add_custom_update("CU", "G", scale_model(), {"f": 0.5}, {},
                                      {"X": create_var_ref(self.post, "V")})
        self.cuwu = m.add_custom_update("CUWU", "G", scale_model(), {"f": 0.5}, {},
                                        {"X": create_wu_var_ref(self.syn, "g")})
        self.ccu = m.add_custom_connectivity_update("CCU", "C", self.syn, empty_ccu_model())
        if state in ("built", "loaded"):
            self.build()
        if state == "loaded":
            self.load()

    def build(self):
        self.m.build(self.work_dir)

    def load(self, num_recording_timesteps=NUM_RECORDING_TIMESTEPS):
        self.m.load(num_recording_timesteps=num_recording_timesteps)

    def build_load(self):
        self.build()
        self.load()


def params(**changes) -> dict:
    """LIF parameters with ``changes`` (a value of ... removes the parameter)."""
    result = dict(LIF_PARAMS, **changes)
    return {k: v for k, v in result.items() if v is not ...}


def lif_vars(**changes) -> dict:
    result = dict(LIF_VARS, **changes)
    return {k: v for k, v in result.items() if v is not ...}


# ============================================================================ GeNNModel itself
def _model(*args, **kwargs):
    from pygenn import GeNNModel
    return GeNNModel(*args, **kwargs)


for name, value in {"half": "half", "int": "int", "number": 3, "list": ["float"],
                    "bool_type": "bool", "uint": "unsigned int"}.items():
    add(f"ctor-precision-{name}", "none", lambda f, v=value: _model(v, "m"))
    add(f"ctor-time-precision-{name}", "none",
        lambda f, v=value: _model("float", "m", time_precision=v))
for name, value in {"number": 1, "empty": "", "space": "a b", "dash": "x-y", "none": None,
                    "list": ["m"], "slash": "a/b", "dot": "a.b"}.items():
    add(f"ctor-model-name-{name}", "none", lambda f, v=value: _model("float", v))
for name, value in {"unknown": "nope", "number": 5, "list": ["cpu"]}.items():
    add(f"ctor-backend-{name}", "none", lambda f, v=value: _model("float", "m", backend=v))
for name, value in {"text": "loud", "big": 99, "negative": -1, "float": 2.5}.items():
    add(f"ctor-log-level-{name}", "none",
        lambda f, v=value: _model("float", "m", genn_log_level=v))

_BAD_SETTINGS = {
    "dt": {"inf": math.inf, "minus-inf": -math.inf, "nan": math.nan, "zero": 0.0, "negative": -1,
           "text": "1", "none": None, "bool": True, "complex": 1j, "list": [1.0]},
    "batch_size": {"zero": 0, "negative": -1, "float": 1.5, "text": "2", "none": None,
                   "bool": True, "complex": 1j},
    "seed": {"negative": -1, "float": 1.5, "text": "x", "none": None, "bool": True},
    "precision": {"half": "half", "number": 3, "none": None, "int": "int"},
    "time_precision": {"int": "int", "number": 3},
    "default_var_location": {"unknown": "nowhere", "float": 1.5, "none": None},
    "default_sparse_connectivity_location": {"unknown": "nowhere", "list": [1]},
}
for attribute, values in _BAD_SETTINGS.items():
    for name, value in values.items():
        add(f"set-{attribute}-{name}", "model", lambda f, a=attribute, v=value: setattr(f.m, a, v))

add("set-t", "loaded", lambda f: setattr(f.m, "t", 5.0), types=(AttributeError,))
add("set-backend-name-after-build", "built",
    lambda f: setattr(f.m, "backend_name", "single_threaded_cpu"))
add("set-timestep-before-load", "built", lambda f: setattr(f.m, "timestep", 3))
for name, value in {"negative": -1, "float": 1.5, "text": "3", "none": None, "huge": 2 ** 64,
                    "bool": True}.items():
    add(f"set-timestep-{name}", "loaded", lambda f, v=value: setattr(f.m, "timestep", v))
add("set-timestep-numpy-int", "loaded", lambda f: setattr(f.m, "timestep", np.int64(4)),
    valid=True)


# ================================================================================ add_* calls
def _neuron(f, name="N", num=3, model="LIF", p=None, v=None):
    return f.m.add_neuron_population(name, num, model, LIF_PARAMS if p is None else p,
                                     LIF_VARS if v is None else v)


_BAD_NAMES = {"none": None, "number": 1, "empty": "", "space": "a b", "dash": "x-y",
              "list": ["N"], "unicode": "Pöp"}
_TAKEN_NAMES = ["Pre", "Syn", "CS", "CU", "CUWU", "CCU"]
for name, value in _BAD_NAMES.items():
    add(f"add-neuron-name-{name}", "model", lambda f, v=value: _neuron(f, name=v))
for taken in _TAKEN_NAMES:
    add(f"add-neuron-name-taken-{taken}", "model", lambda f, v=taken: _neuron(f, name=v),
        match="duplicate name")
for name, value in {"zero": 0, "negative": -1, "float": 1.5, "text": "10", "none": None,
                    "bool": True, "array": np.array([3])}.items():
    add(f"add-neuron-num-{name}", "model", lambda f, v=value: _neuron(f, num=v))
for name, value in {"unknown": "Nope", "number": 5, "none": None, "class": type("X", (), {}),
                    "wu-model": "StaticPulse", "lowercase": "lif"}.items():
    add(f"add-neuron-model-{name}", "model", lambda f, v=value: _neuron(f, model=v))
add("add-neuron-model-wrong-kind-object", "model",
    lambda f: _neuron(f, model=scale_model()))
for name, value in {"list": [1.0] * 7, "missing": params(C=...), "extra": params(Extra=1.0),
                    "text": params(C="x"), "none": params(C=None), "list-value": params(C=[1]),
                    "complex": params(C=1j), "dict-value": params(C={}),
                    "string": "C=1"}.items():
    add(f"add-neuron-params-{name}", "model", lambda f, v=value: _neuron(f, p=v))
for name, value in {"missing": lif_vars(V=...), "extra": lif_vars(W=1.0),
                    "text": lif_vars(V="x"), "dict-value": lif_vars(V={}),
                    "object": lif_vars(V=object()), "complex": lif_vars(V=1j),
                    "complex-array": lif_vars(V=np.full(3, 1j)), "list": [1.0, 2.0],
                    "ragged": lif_vars(V=[[1.0], [1.0, 2.0]])}.items():
    add(f"add-neuron-vars-{name}", "model", lambda f, v=value: _neuron(f, v=v))
for name, value in {"short": np.zeros(2), "long": np.zeros(4), "2d": np.zeros((3, 3)),
                    "empty": np.zeros(0)}.items():
    add(f"add-neuron-vars-shape-{name}-at-load", "model",
        lambda f, v=value: (_neuron(f, v=lif_vars(V=v)), f.build_load()))


def _counter(f, p=None, v=None):
    values = {"V": 0.0, "count": 0, "flag": 0, "small": 0}
    values.update(v or {})
    group = f.m.add_neuron_population("C2", 5, counter_model(),
                                      dict({"p": 0.5, "n": 1}, **(p or {})), values)
    group.extra_global_params["table"].set_init_values([1.0])
    return group


_BAD_UNSIGNED = {"negative": -1, "fraction": 1.7, "nan": math.nan, "inf": math.inf,
                 "too-big": 2 ** 32, "array-negative": np.full(5, -1),
                 "array-fraction": np.full(5, 0.5), "array-nan": np.full(5, np.nan),
                 "array-too-big": np.full(5, 2 ** 33), "complex": 1 + 1j}
for name, value in _BAD_UNSIGNED.items():
    add(f"add-int-var-{name}", "model", lambda f, v=value: _counter(f, v={"count": v}),
        match="count" if name != "complex" else None)
for name, value in {"negative": -1, "fraction": 1.5, "nan": math.nan, "inf": math.inf,
                    "too-big": 2 ** 32, "text": "1"}.items():
    add(f"add-int-param-{name}", "model", lambda f, v=value: _counter(f, p={"n": v}))
add("add-bool-var-2", "model", lambda f: _counter(f, v={"flag": 2}), match="flag")
add("add-int8-var-200", "model", lambda f: _counter(f, v={"small": 200}), match="small")
add("add-int8-var-array-minus-200", "model",
    lambda f: _counter(f, v={"small": np.full(5, -200)}), match="small")
# exact values of every kind are accepted
add("add-int-var-exact-float", "model", lambda f: _counter(f, v={"count": 3.0}), valid=True)
add("add-int-var-exact-array", "model",
    lambda f: (_counter(f, v={"count": np.arange(5.0)}), f.build_load()), valid=True)
add("add-bool-var-true", "model", lambda f: _counter(f, v={"flag": True}), valid=True)
add("add-int-var-max", "model",
    lambda f: (_counter(f, v={"count": 2 ** 32 - 1}), f.build_load()), valid=True)


def _synapse(f, name="S", matrix="DENSE", src="Pre", trg="Post", wu=None, ps=None, conn=None):
    from pygenn import init_postsynaptic, init_weight_update
    wu = init_weight_update("StaticPulse", {}, {"g": 1.0}) if wu is None else wu
    ps = init_postsynaptic("DeltaCurr") if ps is None else ps
    return f.m.add_synapse_population(name, matrix, src, trg, wu, ps, conn)


def _wu(*args, **kwargs):
    from pygenn import init_weight_update
    return init_weight_update(*args, **kwargs)


def _ps(*args, **kwargs):
    from pygenn import init_postsynaptic
    return init_postsynaptic(*args, **kwargs)


def _conn(*args, **kwargs):
    from pygenn import init_sparse_connectivity
    return init_sparse_connectivity(*args, **kwargs)


def _toeplitz(*args, **kwargs):
    from pygenn import init_toeplitz_connectivity
    return init_toeplitz_connectivity(*args, **kwargs)


for name, value in _BAD_NAMES.items():
    add(f"add-synapse-name-{name}", "model", lambda f, v=value: _synapse(f, name=v))
for taken in _TAKEN_NAMES:
    add(f"add-synapse-name-taken-{taken}", "model", lambda f, v=taken: _synapse(f, name=v),
        match="duplicate name")
for name, value in {"unknown": "NOPE", "float": 3.5, "none": None, "number": 12345,
                    "lowercase": "dense"}.items():
    add(f"add-synapse-matrix-{name}", "model", lambda f, v=value: _synapse(f, matrix=v))
for role in ("src", "trg"):
    for name, value in {"unknown": "Nope", "number": 5, "none": None, "list": ["Pre"]}.items():
        add(f"add-synapse-{role}-{name}", "model",
            lambda f, r=role, v=value: _synapse(f, **{r: v}))
    add(f"add-synapse-{role}-synapse-group", "model",
        lambda f, r=role: _synapse(f, **{r: f.syn}))
    add(f"add-synapse-{role}-current-source", "model",
        lambda f, r=role: _synapse(f, **{r: f.cs}))
    add(f"add-synapse-{role}-other-model", "model",
        lambda f, r=role: _synapse(f, **{r: Fixture("model", f.work_dir).pre}))
for name, make in {"string": lambda: "StaticPulse", "dict": lambda: {"g": 1.0},
                   "ps-init": lambda: _ps("DeltaCurr")}.items():
    add(f"add-synapse-wu-{name}", "model", lambda f, m=make: _synapse(f, wu=m()))
for name, make in {"string": lambda: "DeltaCurr", "number": lambda: 5,
                   "wu-init": lambda: _wu("StaticPulse", {}, {"g": 1.0})}.items():
    add(f"add-synapse-ps-{name}", "model", lambda f, m=make: _synapse(f, ps=m()))
add("add-synapse-dense-with-sparse-init", "model",
    lambda f: _synapse(f, conn=_conn("FixedProbability", {"prob": 0.1})))
add("add-synapse-sparse-with-toeplitz-init", "model",
    lambda f: _synapse(f, matrix="SPARSE", conn=_toeplitz(
        "Conv2D", {"conv_kh": 3, "conv_kw": 3, "conv_ih": 2, "conv_iw": 5, "conv_ic": 1,
                   "conv_oh": 2, "conv_ow": 5, "conv_oc": 1})))
add("add-synapse-conn-string", "model", lambda f: _synapse(f, matrix="SPARSE",
                                                          conn="FixedProbability"))
add("add-synapse-conn-number", "model", lambda f: _synapse(f, matrix="SPARSE", conn=5))
# SPARSE without connectivity and without set_sparse_connections: no synapses (safe)
add("add-synapse-sparse-unconnected-load", "model",
    lambda f: (_synapse(f, matrix="SPARSE"), f.build_load(), f.m.step_time(2)), valid=True)
add("add-synapse-procedural-host-values", "model",
    lambda f: (_synapse(f, matrix="PROCEDURAL", conn=_conn("FixedProbability", {"prob": 0.1}),
                        wu=_wu("StaticPulse", {}, {"g": np.ones(30)})), f.build_load()))
for name, call in {
        "wu-unknown": lambda: _wu("Nope"),
        "wu-number": lambda: _wu(5),
        "wu-param-extra": lambda: _wu("StaticPulse", {"x": 1.0}, {"g": 1.0}),
        "wu-var-missing": lambda: _wu("StaticPulse", {}, {}),
        "wu-var-text": lambda: _wu("StaticPulse", {}, {"g": "x"}),
        "wu-vars-list": lambda: _wu("StaticPulse", {}, [1.0]),
        "wu-params-text": lambda: _wu("StaticPulse", "x", {"g": 1.0}),
        "wu-pre-vars-extra": lambda: _wu("StaticPulse", {}, {"g": 1.0}, {"x": 1.0}),
        "ps-unknown": lambda: _ps("Nope"),
        "ps-missing-param": lambda: _ps("ExpCurr", {}),
        "ps-param-text": lambda: _ps("ExpCurr", {"tau": "x"}),
        "ps-param-none": lambda: _ps("ExpCurr", {"tau": None}),
        "ps-neuron-model": lambda: _ps("LIF"),
        "conn-unknown": lambda: _conn("Nope"),
        "conn-number": lambda: _conn(5),
        "conn-param-text": lambda: _conn("FixedProbability", {"prob": "x"}),
        "conn-param-complex": lambda: _conn("FixedProbability", {"prob": 1j}),
        "conn-param-missing": lambda: _conn("FixedProbability", {}),
        "conn-num-negative": lambda: _conn("FixedNumberTotalWithReplacement", {"num": -1}),
        "conn-num-fraction": lambda: _conn("FixedNumberTotalWithReplacement", {"num": 2.5}),
        "toeplitz-unknown": lambda: _toeplitz("Nope"),
        "toeplitz-missing-params": lambda: _toeplitz("Conv2D", {}),
        "var-unknown": lambda: __import__("pygenn").init_var("Nope"),
        "var-number-with-params": lambda: __import__("pygenn").init_var(5, {"x": 1}),
        "var-missing-param": lambda: __import__("pygenn").init_var("Uniform", {"min": 0.0}),
        "var-params-text": lambda: __import__("pygenn").init_var("Uniform", "x"),
        "var-none": lambda: __import__("pygenn").init_var(None),
        "var-neuron-model": lambda: __import__("pygenn").init_var("LIF"),
}.items():
    add(f"init-{name}", "none", lambda f, c=call: c())


def _cs(f, name="CS2", model="DC", pop="Post", p=None, v=None, refs=None):
    return f.m.add_current_source(name, model, pop, {"amp": 1.0} if p is None else p, v or {},
                                  refs or {})


for name, value in _BAD_NAMES.items():
    add(f"add-cs-name-{name}", "model", lambda f, v=value: _cs(f, name=v))
for taken in _TAKEN_NAMES:
    add(f"add-cs-name-taken-{taken}", "model", lambda f, v=taken: _cs(f, name=v),
        match="duplicate name")
for name, value in {"unknown": "Nope", "number": 5, "neuron-model": "LIF"}.items():
    add(f"add-cs-model-{name}", "model", lambda f, v=value: _cs(f, model=v))
for name, value in {"unknown": "Nope", "none": None, "number": 3}.items():
    add(f"add-cs-pop-{name}", "model", lambda f, v=value: _cs(f, pop=v))
add("add-cs-pop-synapse-group", "model", lambda f: _cs(f, pop=f.syn))
for name, value in {"missing": {}, "extra": {"amp": 1.0, "x": 2.0}, "text": {"amp": "x"},
                    "list": [1.0]}.items():
    add(f"add-cs-params-{name}", "model", lambda f, v=value: _cs(f, p=v))
add("add-cs-vars-extra", "model", lambda f: _cs(f, v={"x": 1.0}))
add("add-cs-var-refs-extra", "model", lambda f: _cs(f, refs={"x": "V"}))


def _cu(f, name="CU2", group="G", model=None, p=None, v=None, refs=None, egp_refs=None):
    from pygenn import create_var_ref
    refs = {"X": create_var_ref(f.post, "V")} if refs is None else refs
    return f.m.add_custom_update(name, group, scale_model() if model is None else model,
                                 {"f": 1.0} if p is None else p, v or {}, refs, egp_refs or {})


def _ref(*args):
    from pygenn import create_var_ref
    return create_var_ref(*args)


def _wu_ref(*args):
    from pygenn import create_wu_var_ref
    return create_wu_var_ref(*args)


for name, value in _BAD_NAMES.items():
    add(f"add-cu-name-{name}", "model", lambda f, v=value: _cu(f, name=v))
for taken in _TAKEN_NAMES:
    add(f"add-cu-name-taken-{taken}", "model", lambda f, v=taken: _cu(f, name=v),
        match="duplicate name")
for name, value in {"space": "a b", "none": None, "number": 5, "empty": ""}.items():
    add(f"add-cu-group-{name}", "model", lambda f, v=value: _cu(f, group=v))
for name, value in {"unknown": "Nope", "number": 5, "neuron-model": "LIF"}.items():
    add(f"add-cu-model-{name}", "model", lambda f, v=value: _cu(f, model=v))
for name, make in {
        "empty": lambda f: {}, "missing": lambda f: {"Y": _ref(f.post, "V")},
        "extra": lambda f: {"X": _ref(f.post, "V"), "Y": _ref(f.post, "V")},
        "string": lambda f: {"X": "V"}, "none": lambda f: {"X": None},
        "number": lambda f: {"X": 5}, "list": lambda f: [_ref(f.post, "V")],
        "other-model": lambda f: {"X": _ref(Fixture("model", f.work_dir).post, "V")},
}.items():
    add(f"add-cu-refs-{name}", "model", lambda f, m=make: _cu(f, refs=m(f)))
add("add-cu-refs-mixed-kinds", "model", lambda f: _cu(f, model=scale2_model(), p={}, refs={
    "X": _wu_ref(f.syn, "g"), "Y": _ref(f.post, "V")}))
add("add-cu-ref-int-var", "model",
    lambda f: _cu(f, refs={"X": _ref(f.cnt, "count")}))
for name, value in {"missing": {}, "text": {"f": "x"}, "extra": {"f": 1.0, "g": 2.0}}.items():
    add(f"add-cu-params-{name}", "model", lambda f, v=value: _cu(f, p=v))
add("add-cu-egp-refs-extra", "model", lambda f: _cu(f, egp_refs={"E": "table"}))


def _ccu(f, name="CCU2", group="C", sg="Syn", model=None, **kwargs):
    return f.m.add_custom_connectivity_update(name, group, sg,
                                              empty_ccu_model() if model is None else model,
                                              **kwargs)


for name, value in _BAD_NAMES.items():
    add(f"add-ccu-name-{name}", "model", lambda f, v=value: _ccu(f, name=v))
for taken in _TAKEN_NAMES:
    add(f"add-ccu-name-taken-{taken}", "model", lambda f, v=taken: _ccu(f, name=v),
        match="duplicate name")
for name, value in {"dense": "Dense", "unknown": "Nope", "neuron": "Pre", "number": 3}.items():
    add(f"add-ccu-syn-{name}", "model", lambda f, v=value: _ccu(f, sg=v))
for name, value in {"unknown": "Nope", "neuron-model": "LIF", "number": 2}.items():
    add(f"add-ccu-model-{name}", "model", lambda f, v=value: _ccu(f, model=v))
add("add-ccu-params-extra", "model", lambda f: _ccu(f, params={"x": 1.0}))
add("add-ccu-var-refs-extra", "model", lambda f: _ccu(f, var_refs={"x": _wu_ref(f.syn, "g")}))
add("add-ccu-pre-vars-extra", "model", lambda f: _ccu(f, pre_vars={"x": 1.0}))

# adding anything after build
for kind, call in {"neuron": lambda f: _neuron(f), "synapse": lambda f: _synapse(f),
                   "cs": lambda f: _cs(f), "cu": lambda f: _cu(f),
                   "ccu": lambda f: _ccu(f)}.items():
    add(f"add-{kind}-after-build", "built", call, match="already built")


# ======================================================================== create_* factories
def _factory(kind: str):
    import pygenn
    return getattr(pygenn, f"create_{kind}")


_FACTORY_KINDS = {
    "neuron_model": {"sim_code": ""},
    "weight_update_model": {},
    "postsynaptic_model": {},
    "current_source_model": {},
    "custom_update_model": {},
    "custom_connectivity_update_model": {},
    "var_init_snippet": {},
    "sparse_connect_init_snippet": {},
    "toeplitz_connect_init_snippet": {},
}
for kind in _FACTORY_KINDS:
    for name, value in {"none": None, "number": 5, "empty": ""}.items():
        add(f"create-{kind}-class-name-{name}", "none",
            lambda f, k=kind, v=value: _factory(k)(v))
    for name, value in {"string": "p", "numbers": [5], "bad-type": [("p", "float3")],
                        "three": [("p", "scalar", "x")], "keyword": ["for"],
                        "underscore": ["_p"], "duplicate": ["p", "p"], "dict": {"p": 1}}.items():
        add(f"create-{kind}-params-{name}", "none",
            lambda f, k=kind, v=value: _factory(k)("M", params=v))
    add(f"create-{kind}-derived-not-callable", "none",
        lambda f, k=kind: _factory(k)("M", params=["a"], derived_params=[("d", 5)]))
    add(f"create-{kind}-egp-not-pointer", "none",
        lambda f, k=kind: _factory(k)("M", extra_global_params=[("e", "scalar")]))
    add(f"create-{kind}-egp-bad-type", "none",
        lambda f, k=kind: _factory(k)("M", extra_global_params=[("e", "vector*")]))

_VAR_FACTORIES = {"neuron_model": "vars", "weight_update_model": "vars",
                  "postsynaptic_model": "vars", "current_source_model": "vars",
                  "custom_update_model": "vars", "custom_connectivity_update_model": "vars"}
for kind, keyword in _VAR_FACTORIES.items():
    for name, value in {"one-field": [("V",)], "bad-type": [("V", "badtype")],
                        "bad-access": [("V", "scalar", "NOTACCESS")],
                        "access-number": [("V", "scalar", 5)], "not-list": "V",
                        "digit-name": [("1V", "scalar")], "space-name": [("a b", "scalar")],
                        "keyword-name": [("while", "scalar")],
                        "type-name": [("scalar", "scalar")]}.items():
        add(f"create-{kind}-{keyword}-{name}", "none",
            lambda f, k=kind, w=keyword, v=value: _factory(k)("M", **{w: v}))
    add(f"create-{kind}-param-and-var-same-name", "none",
        lambda f, k=kind, w=keyword: _factory(k)("M", params=["x"], **{w: [("x", "scalar")]}))

# variables, parameters and EGPs named like pygenn's own per-population arrays
_INTERNAL_NAMES = ["spkCnt", "spk", "spkQuePtr", "sT", "prevST", "recordSpk", "spkByte",
                   "outPost", "outPre", "rowLength", "ind", "colLength", "remap", "gp",
                   "denDelay", "kernelInd", "preSpkEvent", "postRecordSpkEvent", "preSET"]
for internal in _INTERNAL_NAMES:
    add(f"create-neuron-var-named-{internal}", "none",
        lambda f, n=internal: _factory("neuron_model")("M", vars=[(n, "scalar")]),
        match="array pygenn keeps")
    add(f"create-neuron-param-named-{internal}", "none",
        lambda f, n=internal: _factory("neuron_model")("M", params=[n]), match="array pygenn")
    add(f"create-wu-var-named-{internal}", "none",
        lambda f, n=internal: _factory("weight_update_model")("M", vars=[(n, "scalar")]),
        match="array pygenn keeps")
for internal in _INTERNAL_NAMES[:6]:
    add(f"create-neuron-egp-named-{internal}", "none",
        lambda f, n=internal: _factory("neuron_model")("M", extra_global_params=[(n, "int*")]),
        match="array pygenn keeps")
    add(f"create-cu-var-named-{internal}", "none",
        lambda f, n=internal: _factory("custom_update_model")("M", vars=[(n, "scalar")]),
        match="array pygenn keeps")
    add(f"create-cs-var-named-{internal}", "none",
        lambda f, n=internal: _factory("current_source_model")("M", vars=[(n, "scalar")]),
        match="array pygenn keeps")
    add(f"create-psm-var-named-{internal}", "none",
        lambda f, n=internal: _factory("postsynaptic_model")("M", vars=[(n, "scalar")]),
        match="array pygenn keeps")
add("create-ccu-pre-var-named-ind", "none",
    lambda f: _factory("custom_connectivity_update_model")("M", pre_vars=[("ind", "scalar")]),
    match="array pygenn keeps")
add("create-wu-pre-var-named-spk", "none",
    lambda f: _factory("weight_update_model")("M", pre_vars=[("spk", "scalar")]),
    match="array pygenn keeps")
# references own no storage, so they may use these names
add("create-cu-var-ref-named-spk", "none",
    lambda f: _factory("custom_update_model")("M", var_refs=[("spk", "scalar")]), valid=True)
add("create-neuron-var-named-spike", "none",
    lambda f: _factory("neuron_model")("M", vars=[("spike", "scalar")]), valid=True)

for name, value in {"number": 123, "list": ["V = 1;"]}.items():
    add(f"create-neuron-sim-code-{name}", "none",
        lambda f, v=value: _factory("neuron_model")("M", vars=[("V", "scalar")], sim_code=v))
# code strings are scanned when the model is used (add_*), as in GeNN
for name, value in {"bad-char": "V = @;", "unterminated-comment": "V = 1; /* x"}.items():
    add(f"add-neuron-sim-code-{name}", "model", lambda f, v=value: f.m.add_neuron_population(
        "Bad", 2, _factory("neuron_model")("M", vars=[("V", "scalar")], sim_code=v), {},
        {"V": 0.0}))
add("create-wu-event-threshold-without-code", "none",
    lambda f: _factory("weight_update_model")("M", pre_event_threshold_condition_code="true"))
add("create-wu-legacy-and-new-keyword", "none",
    lambda f: _factory("weight_update_model")("M", sim_code="", pre_spike_syn_code=""))
add("create-psm-decay-code", "none",
    lambda f: _factory("postsynaptic_model")("M", decay_code="inSyn *= 0.5;"))
add("create-sparse-row-func-not-callable", "none",
    lambda f: _factory("sparse_connect_init_snippet")("M", calc_max_row_len_func=5))
add("create-toeplitz-kernel-func-not-callable", "none",
    lambda f: _factory("toeplitz_connect_init_snippet")("M", calc_kernel_size_func="x"))
add("create-neuron-additional-input-short", "none",
    lambda f: _factory("neuron_model")("M", additional_input_vars=[("I", "scalar")]))
add("create-neuron-unknown-keyword", "none",
    lambda f: _factory("neuron_model")("M", simcode="V = 1;"))

# code strings that only fail once the model is built
for name, code in {"undefined-name": "V = nope;", "parse": "V = ;", "type": "V = table;",
                   "call-unknown": "V = frobnicate(V);"}.items():
    add(f"build-neuron-code-{name}", "model", lambda f, c=code: (
        f.m.add_neuron_population("Bad", 2, _factory("neuron_model")(
            "Bad", vars=[("V", "scalar")], extra_global_params=[("table", "scalar*")],
            sim_code=c), {}, {"V": 0.0}), f.build()))


# ==================================================================================== references
def _refs(function: str):
    import pygenn
    return getattr(pygenn, function)


for name, (function, args) in {
        "var-unknown-var": ("create_var_ref", lambda f: (f.pre, "nope")),
        "var-group-name": ("create_var_ref", lambda f: ("Pre", "V")),
        "var-none-group": ("create_var_ref", lambda f: (None, "V")),
        "var-synapse-group": ("create_var_ref", lambda f: (f.syn, "g")),
        "var-name-number": ("create_var_ref", lambda f: (f.pre, 5)),
        "wu-neuron-group": ("create_wu_var_ref", lambda f: (f.pre, "V")),
        "wu-unknown-var": ("create_wu_var_ref", lambda f: (f.syn, "nope")),
        "wu-transpose-not-group": ("create_wu_var_ref", lambda f: (f.syn, "g", "x")),
        "psm-neuron-group": ("create_psm_var_ref", lambda f: (f.pre, "V")),
        "psm-unknown-var": ("create_psm_var_ref", lambda f: (f.syn, "nope")),
        "wu-pre-unknown-var": ("create_wu_pre_var_ref", lambda f: (f.syn, "nope")),
        "wu-post-unknown-var": ("create_wu_post_var_ref", lambda f: (f.syn, "nope")),
        "wu-pre-neuron-group": ("create_wu_pre_var_ref", lambda f: (f.pre, "V")),
        "pre-neuron-group": ("create_pre_var_ref", lambda f: (f.pre, "V")),
        "post-synapse-group": ("create_post_var_ref", lambda f: (f.syn, "g")),
        "pre-ccu-unknown": ("create_pre_var_ref", lambda f: (f.ccu, "nope")),
        "out-post-neuron": ("create_out_post_var_ref", lambda f: (f.pre,)),
        "den-delay-neuron": ("create_den_delay_var_ref", lambda f: (f.pre,)),
        "spike-time-synapse": ("create_spike_time_var_ref", lambda f: (f.syn,)),
        "prev-spike-time-text": ("create_prev_spike_time_var_ref", lambda f: ("Pre",)),
        "src-spike-count-neuron": ("create_src_spike_count_var_ref", lambda f: (f.pre,)),
        "egp-unknown": ("create_egp_ref", lambda f: (f.cnt, "nope")),
        "egp-name-number": ("create_egp_ref", lambda f: (f.cnt, 5)),
        "egp-none-group": ("create_egp_ref", lambda f: (None, "table")),
        "wu-egp-unknown": ("create_wu_egp_ref", lambda f: (f.syn, "nope")),
        "wu-egp-neuron": ("create_wu_egp_ref", lambda f: (f.pre, "table")),
        "psm-egp-unknown": ("create_psm_egp_ref", lambda f: (f.syn, "nope")),
}.items():
    add(f"ref-{name}", "model", lambda f, fn=function, a=args: _refs(fn)(*a(f)))


# ============================================================== set_init_values, values, views
_BAD_VALUES = {"text": "x", "object": object(), "dict": {"a": 1}, "complex": 1j,
               "complex-array": np.full(10, 1j), "ragged": [[1.0], [1.0, 2.0]],
               "strings": ["a"] * 10}
for name, value in _BAD_VALUES.items():
    add(f"set-init-values-{name}", "model",
        lambda f, v=value: f.pre.vars["V"].set_init_values(v))
for name, value in _BAD_UNSIGNED.items():
    add(f"set-init-values-int-{name}", "model",
        lambda f, v=value: f.cnt.vars["count"].set_init_values(v),
        match="count" if name != "complex" else None)
add("set-init-values-bool-minus-one", "model", lambda f: f.cnt.vars["flag"].set_init_values(-1))
add("set-init-values-int8-array-128", "model",
    lambda f: f.cnt.vars["small"].set_init_values(np.full(5, 128)))
add("set-init-values-int-exact", "model",
    lambda f: (f.cnt.vars["count"].set_init_values(np.array([0, 1, 2, 3, 2 ** 32 - 1])),
               f.build_load()), valid=True)
add("set-init-values-after-build-kind-change", "built",
    lambda f: f.pre.vars["V"].set_init_values(np.zeros(10)))
add("set-init-values-after-build-snippet", "built",
    lambda f: f.pre.vars["V"].set_init_values(__import__("pygenn").init_var(
        "Uniform", {"min": 0.0, "max": 1.0})))
add("set-init-values-wrong-length-at-load", "model",
    lambda f: (f.pre.vars["V"].set_init_values(np.zeros(3)), f.build_load()))
for name, value in {"number": 5, "text": "abc", "objects": [object()],
                    "ragged": [[1.0, 2.0], [3.0]], "complex": [1j], "none": None,
                    "strings": ["a", "b"]}.items():
    add(f"egp-set-init-values-{name}", "model",
        lambda f, v=value: f.cnt.extra_global_params["table"].set_init_values(v))
for name, value in {"fraction": [1.5], "nan": [math.nan], "too-big": [2 ** 40],
                    "inf": [math.inf]}.items():
    add(f"egp-int-set-init-values-{name}", "model",
        lambda f, v=value: f.cnt.extra_global_params["itable"].set_init_values(v),
        match="itable")
# an EGP the code reads, given no values: refused or harmless, never a crash
add("egp-empty-read-by-code", "model",
    lambda f: (f.cnt.extra_global_params["table"].set_init_values([]), f.build_load(),
               f.m.step_time(3)), valid=True)
add("egp-unset-read-by-code", "model",
    lambda f: (setattr(f.cnt.extra_global_params["table"], "init_values", None),
               f.build_load(), f.m.step_time(3)))
add("egp-unknown-name", "model", lambda f: f.cnt.extra_global_params["nope"])
add("var-unknown-name", "model", lambda f: f.pre.vars["nope"])

# views and copies before load / after unload
_BEFORE_LOAD = {
    "view": lambda f: f.pre.vars["V"].view,
    "values": lambda f: f.pre.vars["V"].values,
    "set-values": lambda f: setattr(f.pre.vars["V"], "values", np.zeros(10)),
    "current-view": lambda f: f.pre.vars["V"].current_view,
    "current-values": lambda f: f.pre.vars["V"].current_values,
    "push": lambda f: f.pre.vars["V"].push_to_device(),
    "pull": lambda f: f.pre.vars["V"].pull_from_device(),
    "syn-values": lambda f: f.syn.vars["g"].values,
    "dense-view": lambda f: f.dense.vars["g"].view,
    "egp-view": lambda f: f.cnt.extra_global_params["table"].view,
    "egp-push": lambda f: f.cnt.extra_global_params["table"].push_to_device(),
    "spike-recording-data": lambda f: f.pre.spike_recording_data,
    "sparse-pre-inds": lambda f: f.syn.get_sparse_pre_inds(),
    "pull-connectivity": lambda f: f.syn.pull_connectivity_from_device(),
    "dynamic-param": lambda f: f.cnt.set_dynamic_param_value("p", 1.0),
    "custom-update": lambda f: f.m.custom_update("G"),
    "step-time": lambda f: f.m.step_time(),
    "step-time-many": lambda f: f.m.step_time(5),
    "unload": lambda f: f.m.unload(),
    "pull-recording": lambda f: f.m.pull_recording_buffers_from_device(),
    "cuda-array-interface": lambda f: f.pre.vars["V"].__cuda_array_interface__,
}
for name, call in _BEFORE_LOAD.items():
    add(f"before-load-{name}", "built", call)
    add(f"after-unload-{name}", "loaded", lambda f, c=call: (f.m.unload(), c(f)))
add("before-build-view", "model", lambda f: f.pre.vars["V"].view)
add("before-build-load", "model", lambda f: f.load())

# wrong shapes and types written into loaded views
for name, (target, value) in {
        "short": ("V", np.zeros(3)), "long": ("V", np.zeros(11)), "text": ("V", "x"),
        "2d": ("V", np.zeros((2, 10))), "objects": ("V", [object()] * 10),
        "complex": ("V", np.full(10, 1j))}.items():
    add(f"set-values-{name}", "loaded",
        lambda f, t=target, v=value: setattr(f.pre.vars[t], "values", v))
add("set-values-sparse-wrong-length", "loaded",
    lambda f: setattr(f.syn.vars["g"], "values", np.zeros(3)))
add("set-values-dense-wrong-length", "loaded",
    lambda f: setattr(f.dense.vars["g"], "values", np.zeros(7)))
add("set-values-egp-wrong-length", "loaded",
    lambda f: setattr(f.cnt.extra_global_params["table"], "values", [1.0, 2.0, 3.0]))
add("set-values-int-negative", "loaded",
    lambda f: setattr(f.cnt.vars["count"], "values", np.full(5, -1)), match="count")
add("set-values-int-fraction", "loaded",
    lambda f: setattr(f.cnt.vars["count"], "values", 0.5), match="count")
add("set-values-int-exact", "loaded",
    lambda f: setattr(f.cnt.vars["count"], "values", np.arange(5.0)), valid=True)
add("set-values-egp-int-nan", "loaded",
    lambda f: setattr(f.cnt.extra_global_params["itable"], "values", [math.nan]))
add("set-values-sparse-exact", "loaded",
    lambda f: setattr(f.syn.vars["g"], "values", 0.5), valid=True)
add("sparse-view", "loaded", lambda f: f.syn.vars["g"].view)
add("spike-recording-data-before-full", "loaded",
    lambda f: (f.m.step_time(3), f.m.pull_recording_buffers_from_device(),
               f.pre.spike_recording_data))
add("spike-recording-data-not-recorded", "loaded", lambda f: f.post.spike_recording_data)
add("spike-recording-data-full", "loaded",
    lambda f: (f.m.step_time(NUM_RECORDING_TIMESTEPS), f.m.pull_recording_buffers_from_device(),
               f.pre.spike_recording_data), valid=True)

# dynamic parameters
for name, (param, value) in {"unknown": ("nope", 1.0), "not-dynamic": ("n", 2),
                             "text": ("p", "x"), "none": ("p", None), "complex": ("p", 1j),
                             "list": ("p", [1.0, 2.0])}.items():
    add(f"dynamic-param-{name}", "loaded",
        lambda f, p=param, v=value: f.cnt.set_dynamic_param_value(p, v))
for name, value in {"negative": -1, "fraction": 1.5, "nan": math.nan, "inf": math.inf,
                    "too-big": 2 ** 32}.items():
    add(f"dynamic-int-param-{name}", "model",
        lambda f, v=value: (f.cnt.set_param_dynamic("n"), f.build_load(),
                            f.cnt.set_dynamic_param_value("n", v)), match="'n'")
add("set-param-dynamic-unknown", "model", lambda f: f.cnt.set_param_dynamic("nope"))
add("set-wu-param-dynamic-unknown", "model", lambda f: f.syn.set_wu_param_dynamic("nope"))
add("set-ps-param-dynamic-unknown", "model", lambda f: f.syn.set_ps_param_dynamic("nope"))
add("dynamic-param-float-value", "loaded", lambda f: f.cnt.set_dynamic_param_value("p", 2),
    valid=True)

# ========================================================================== group settings
for name, (attribute, value) in {
        "max-connections-negative": ("max_connections", -1),
        "max-connections-text": ("max_connections", "x"),
        "max-connections-float": ("max_connections", 2.5),
        "axonal-delay-negative": ("axonal_delay_steps", -1),
        "axonal-delay-float": ("axonal_delay_steps", 1.5),
        "axonal-delay-text": ("axonal_delay_steps", "2"),
        "back-prop-delay-negative": ("back_prop_delay_steps", -2),
        "max-dendritic-delay-zero": ("max_dendritic_delay_timesteps", 0),
        "threads-per-spike-zero": ("num_threads_per_spike", 0),
        "parallelism-hint-text": ("parallelism_hint", "x"),
        "post-target-var-unknown": ("post_target_var", "nope"),
        "pre-target-var-unknown": ("pre_target_var", "nope"),
        "output-location-text": ("output_location", "x"),
        "sparse-location-number": ("sparse_connectivity_location", 1.5)}.items():
    add(f"syn-{name}", "model", lambda f, a=attribute, v=value: setattr(f.syn, a, v))
add("dense-max-connections", "model", lambda f: setattr(f.dense, "max_connections", 5))
add("dense-narrow-sparse-ind", "model",
    lambda f: setattr(f.dense, "narrow_sparse_ind_enabled", True))
add("syn-max-connections-below-snippet", "model", lambda f: setattr(f.syn, "max_connections", 1))
add("set-wu-var-location-unknown", "model",
    lambda f: f.syn.set_wu_var_location("nope", __import__("pygenn").VarLocation.HOST_DEVICE))
add("set-var-location-unknown", "model",
    lambda f: f.pre.set_var_location("nope", __import__("pygenn").VarLocation.HOST_DEVICE))
add("set-var-location-bad-value", "model", lambda f: f.pre.set_var_location("V", "nowhere"))
add("spike-time-location-text", "model", lambda f: setattr(f.pre, "spike_time_location", "x"))
add("set-sparse-connections-dense", "model", lambda f: f.dense.set_sparse_connections([0], [0]))
for name, args in {"length-mismatch": ([0, 1], [0]), "pre-out-of-range": ([10], [0]),
                   "post-out-of-range": ([0], [10]), "negative": ([-1], [0]),
                   "fractional": ([0.5], [0]), "text": ("a", "b"), "none": (None, None)}.items():
    add(f"set-sparse-connections-{name}", "model",
        lambda f, a=args: f.syn.set_sparse_connections(*a))
# index arrays of any shape are read flattened (numpy style)
add("set-sparse-connections-2d", "model",
    lambda f: (f.syn.set_sparse_connections([[0, 1]], [[0, 1]]), f.build_load()), valid=True)
add("set-sparse-connections-after-build", "built",
    lambda f: f.syn.set_sparse_connections([0], [0]))

# =========================================================================== lifecycle order
add("build-twice", "built", lambda f: f.build(), match="already built")
add("load-twice", "loaded", lambda f: f.load(), match="already loaded")
add("unload-twice", "loaded", lambda f: (f.m.unload(), f.m.unload()))
add("load-unload-load", "loaded", lambda f: (f.m.unload(), f.load(), f.m.step_time(2)),
    valid=True)
add("build-path-number", "model", lambda f: f.m.build(5))
add("build-path-is-file", "model", lambda f: f.m.build(__file__), types=(OSError,))
add("custom-update-unknown", "loaded", lambda f: f.m.custom_update("nope"))
add("custom-update-number", "loaded", lambda f: f.m.custom_update(5))
add("custom-update-none", "loaded", lambda f: f.m.custom_update(None))
add("custom-update-time-unknown", "loaded", lambda f: f.m.get_custom_update_time("nope"))
for name, value in {"negative": -1, "float": 1.5, "float-whole": 2.0, "text": "3", "none": None,
                    "huge": 2 ** 64, "list": [1], "complex": 1j, "numpy-float": np.float64(2),
                    "bool": True}.items():
    add(f"step-time-{name}", "loaded", lambda f, v=value: f.m.step_time(v))
add("step-time-zero", "loaded", lambda f: f.m.step_time(0), valid=True)
add("step-time-numpy-int", "loaded", lambda f: f.m.step_time(np.int32(3)), valid=True)
add("step-time-near-counter-limit", "loaded",
    lambda f: (setattr(f.m, "timestep", 2 ** 64 - 2), f.m.step_time(5)))
for name, value in {"zero": 0, "negative": -1, "float": 1.5, "text": "10", "bool": True,
                    "too-big": 2 ** 32, "none": None}.items():
    add(f"load-recording-timesteps-{name}", "built",
        lambda f, v=value: (f.load(num_recording_timesteps=v), f.m.step_time(3)))
add("load-recording-timesteps-zero-unrecorded", "model",
    lambda f: (setattr(f.pre, "spike_recording_enabled", False), f.build(),
               f.load(num_recording_timesteps=0), f.m.step_time(3)), valid=True)
add("pull-recording-not-in-use", "model",
    lambda f: (setattr(f.pre, "spike_recording_enabled", False), f.build(), f.load(None),
               f.m.pull_recording_buffers_from_device()))
for setting, value in {"spike_recording_enabled": False, "spike_event_recording_enabled": True,
                       "recording_zero_copy_enabled": True}.items():
    add(f"change-{setting}-after-build", "built",
        lambda f, s=setting, v=value: (setattr(f.pre, s, v), f.load(), f.m.step_time(12)),
        match="build-time")
    add(f"change-{setting}-on-unrecorded-after-build", "built",
        lambda f, s=setting, v=(not value) if setting == "spike_recording_enabled" else value:
        (setattr(f.post, s, v), f.load(), f.m.step_time(12)), match="build-time")
add("recording-disabled-after-build-load-without-timesteps", "built",
    lambda f: (setattr(f.pre, "spike_recording_enabled", False), f.m.load(), f.m.step_time(3)),
    match="build-time")
add("change-recording-and-back", "built",
    lambda f: (setattr(f.pre, "spike_recording_enabled", False),
               setattr(f.pre, "spike_recording_enabled", True), f.load(), f.m.step_time(2)),
    valid=True)


# =============================================================================== the runner
def run_case(case: Case, work_dir: str) -> dict:
    """Run one case in this process; what happened, as a JSON-able dict."""
    result = {"id": case.id}
    start = time.perf_counter()
    try:
        fixture = None if case.state == "none" else Fixture(case.state, work_dir)
    except Exception as error:            # noqa: BLE001 - reported, not hidden
        result.update(outcome="fixture-error", type=type(error).__name__, message=str(error))
        return result
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", np.exceptions.ComplexWarning)
            case.run(fixture)
    except BaseException as error:        # noqa: BLE001 - SystemExit and all are outcomes too
        if isinstance(error, KeyboardInterrupt):
            raise
        result.update(outcome="raised", type=f"{type(error).__module__}.{type(error).__name__}",
                      message=_message(error), reasonable=is_reasonable(error, case))
    else:
        result.update(outcome="returned")
    finally:
        _unload(fixture)
        result["seconds"] = round(time.perf_counter() - start, 4)
    return result


def _message(error: BaseException) -> str:
    try:
        return str(error)
    except Exception:                     # noqa: BLE001
        return ""


def _unload(fixture) -> None:
    model = getattr(fixture, "m", None)
    if model is not None and getattr(model, "_loaded", False):
        try:
            model.unload()
        except Exception:                 # noqa: BLE001 - the case's outcome is what counts
            pass


def _self_test_crash(f):
    """Used by the harness's own test: dies of SIGSEGV."""
    import ctypes
    ctypes.string_at(0)


SELF_TEST_CASES = {"__selftest_crash__": Case("__selftest_crash__", "none", _self_test_crash),
                   "__selftest_raise__": Case("__selftest_raise__", "none",
                                              lambda f: int("x"))}


def main(argv: list[str]) -> int:
    results_path, work_dir, *case_ids = argv
    os.makedirs(work_dir, exist_ok=True)
    with open(results_path, "a", encoding="utf-8") as out:
        for case_id in case_ids:
            case = CASES.get(case_id) or SELF_TEST_CASES[case_id]
            out.write(json.dumps(run_case(case, work_dir)) + "\n")
            out.flush()
    return 0


if __name__ == "__main__":
    # the pygenn of this checkout, not one installed elsewhere (the script's folder comes first
    # on sys.path, not the current directory)
    _REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if os.path.isdir(os.path.join(_REPO, "pygenn")):
        sys.path.insert(0, _REPO)
    sys.exit(main(sys.argv[1:]))
