"""The benchmark suite: several workloads on one backend, wall time per biological second.

    python benchmarks/suite.py [--backend cuda] [--scale tiny|full] [--repeats 3]
        [--only microcircuit_sparse,eventprop] [--batch-size 512] [--trials 4]
        [--results benchmarks/results/suite.jsonl] [--phases auto|same|separate|off]
        [--multi-step] [--list] [--compile-cuda]

Workloads (``--list`` prints them with their sizes):

* ``microcircuit_sparse`` / ``microcircuit_procedural``: the Potjans & Diesmann (2014) cortical
  microcircuit of ``potjans_microcircuit.py`` (77,169 LIF neurons, ~0.3 billion synapses,
  FixedNumberTotalWithReplacement connectivity, dendritic delays), stored SPARSE or regenerated
  on every spike (PROCEDURAL);
* ``eventprop``: a batched training loop in the pattern of EventProp (Wunderlich & Pehle 2021):
  Poisson inputs pushed every trial, a LIF hidden and a LIF output layer that record their spike
  times in per-neuron ring buffers (extra global parameters written in reset code) and replay
  them backwards in time while integrating the adjoint variables; backward spikes are
  spike-like events that accumulate a batched weight gradient; after every trial custom updates
  reset the state, reduce the gradient over the batch (REDUCE_BATCH_SUM) and apply Adam;
* ``dense``, ``bitmask``: Poisson sources driving LIF neurons through a DENSE matrix or a
  BITMASK (FixedProbability) one;
* ``toeplitz``: two Conv2D layers (TOEPLITZ connectivity) on a Poisson image;
* ``balanced_100k``: the 100,000-neuron, ~10-million-synapse balanced network of
  ``step_overhead.py``;
* ``lif_1000``: 1,000 unconnected LIF neurons (the per-step overhead).

``--scale tiny`` shrinks every workload to a few hundred neurons and ~50 steps (a smoke test);
``--scale full`` uses the real sizes. Each figure is the median of ``--repeats`` timed runs of
one loaded model (after a warm-up run); the clock stops only once the device has finished. The
per-phase split comes from ``timing_enabled``: on the CPU backends it is measured in the same
model (it costs two clock reads per phase), on the GPU in a second build of the model, because
timing there synchronises after every phase (``--phases``). ``--results FILE`` appends one JSON
line per workload (date, backend, host, workload, scale, figures) and prints the change against
the previous line of the same workload, backend and scale.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import socket
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Callable

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)
try:
    import pygenn  # noqa: F401
except ImportError:                     # run from a checkout
    sys.path.insert(0, os.path.dirname(HERE))

from pygenn import (CustomUpdateVarAccess, GeNNModel, VarAccess, VarAccessMode,  # noqa: E402
                    create_custom_update_model, create_neuron_model, create_var_ref,
                    create_weight_update_model, create_wu_var_ref, init_postsynaptic,
                    init_sparse_connectivity, init_toeplitz_connectivity, init_var,
                    init_weight_update)
from pygenn.genn_model import backend_modules  # noqa: E402

PHASES = ("neuron_update", "presynaptic_update", "postsynaptic_update", "synapse_dynamics")
# LIF neurons at rest below threshold (C 0.2 nF, 100 MOhm): a mean input of 0.2 nA, i.e.
# weight x in-degree x input rate (1/ms) x tau_syn (5 ms) = 0.2, makes them fire at tens of Hz
LIF = {"C": 0.2, "TauM": 20.0, "Vrest": -65.0, "Vreset": -65.0, "Vthresh": -50.0,
       "Ioffset": 0.0, "TauRefrac": 2.0}


def drive_weight(in_degree, rate_hz):
    return 0.2 / (in_degree * rate_hz / 1000.0 * 5.0)


@dataclass
class Setup:
    """A built-but-not-loaded model and how to drive it."""
    model: GeNNModel
    duration_ms: float                        # biological time of one run
    run: Callable[[], None]                   # one run (what is timed)
    after_load: Callable[[], None] = lambda: None
    recording_steps: int | None = None
    custom_updates: tuple = ()                # update group names, for their timers
    notes: dict = field(default_factory=dict)


@dataclass
class Context:
    backend: str
    scale: str
    batch_size: int
    trials: int
    multi_step: bool
    timing: bool = False

    @property
    def tiny(self) -> bool:
        return self.scale == "tiny"

    def name(self, base: str) -> str:
        return f"suite_{base}_{self.scale}{'_timed' if self.timing else ''}"


def _stepper(model, steps, multi_step):
    if multi_step:
        return lambda: model.step_time(steps)

    def run():
        for _ in range(steps):
            model.step_time()
    return run


# --------------------------------------------------------------------------------------------
# Workloads
# --------------------------------------------------------------------------------------------
def _microcircuit(ctx: Context, procedural: bool) -> Setup:
    import potjans_microcircuit as pm
    with open(pm.DEFAULT_DATA) as f:
        facts = json.load(f)
    # tiny: ~390 neurons; in-degrees scaled by 0.05 (DC compensation keeps the rates sensible)
    args = SimpleNamespace(backend=ctx.backend, seed=1234, kernel_profiling=ctx.timing,
                           neuron_scale=0.005 if ctx.tiny else 1.0,
                           connectivity_scale=0.05 if ctx.tiny else 1.0,
                           procedural_connectivity=procedural)
    model, _ = pm.build_model(args, facts)
    model.name = ctx.name("microcircuit_procedural" if procedural else "microcircuit_sparse")
    model.timing_enabled = ctx.timing
    duration = 5.0 if ctx.tiny else 1000.0
    steps = int(round(duration / model.dt))
    return Setup(model, duration, _stepper(model, steps, ctx.multi_step), recording_steps=steps)


def microcircuit_sparse(ctx):
    """Potjans-Diesmann microcircuit, SPARSE (77,169 neurons, 0.3e9 synapses; tiny ~390)."""
    return _microcircuit(ctx, procedural=False)


def microcircuit_procedural(ctx):
    """The microcircuit with PROCEDURAL connectivity (regenerated on every spike)."""
    return _microcircuit(ctx, procedural=True)


# EventProp-style training network (Wunderlich & Pehle 2021, "Event-based backpropagation can
# compute exact gradients for spiking neural networks"): the forward pass integrates LIF
# neurons with exponential synapses; every spike time goes into a per-neuron ring buffer; the
# backward pass of the previous trial runs alongside, reading the ring buffer in reverse time,
# integrating the adjoints (lambda_V, lambda_I) and emitting a backward spike (a spike-like
# event) at each stored spike time, at which the weight gradient accumulates -tau_syn lambda_I
# and the presynaptic adjoint receives g (lambda_V - lambda_I) through addToPre. The equations
# are simplified (this is a benchmark of the pattern: its memory traffic, events, reductions and
# per-trial host work, not a training script), but every step reads and writes what an
# EventProp step does.
_RING = """
const scalar tTrial = fmod(t, TrialTime);
const unsigned int ringOffset = (batch * num_neurons + id) * RingSize;
// backward pass of the previous trial, in reverse time
const scalar backT = TrialTime - tTrial - dt;
LambdaI += (LambdaV - LambdaI) * (dt / TauSyn);
LambdaV += (RevISyn - LambdaV) * (dt / TauM) + LossDrive * (dt / TrialTime);
BackSpike = 0;
if (RingReadOffset != RingReadEndOffset && backT <= RingSpikeTime[ringOffset + RingReadOffset]) {
    LambdaV += 0.1 * (LambdaV - LambdaI);
    BackSpike = 1;
    RingReadOffset--;
    if (RingReadOffset < 0) {
        RingReadOffset = RingSize - 1;
    }
}
"""
_RING_WRITE = """
RingSpikeTime[ringOffset + RingWriteOffset] = tTrial;
RingWriteOffset++;
if (RingWriteOffset >= RingSize) {
    RingWriteOffset = 0;
}
"""
_RING_VARS = [("LambdaV", "scalar"), ("LambdaI", "scalar"), ("BackSpike", "uint8_t"),
              ("RingReadOffset", "int"), ("RingReadEndOffset", "int"),
              ("RingWriteOffset", "int"), ("RingWriteStartOffset", "int"),
              ("LossDrive", "scalar", VarAccess.READ_ONLY_DUPLICATE)]
_RING_PARAMS = ["TauM", "TauSyn", "TrialTime", ("RingSize", "int")]

EP_INPUT = create_neuron_model(
    "EventPropInput", params=_RING_PARAMS,
    vars=[("Rate", "scalar", VarAccess.READ_ONLY_DUPLICATE)] + _RING_VARS,
    additional_input_vars=[("RevISyn", "scalar", 0.0)],
    extra_global_params=[("RingSpikeTime", "scalar*")],
    sim_code=_RING + "const scalar u = gennrand_uniform();\n",
    threshold_condition_code="u < Rate * dt",
    reset_code=_RING_WRITE)

EP_LIF = create_neuron_model(
    "EventPropLIF", params=_RING_PARAMS + ["Vthresh"],
    vars=[("V", "scalar")] + _RING_VARS,
    additional_input_vars=[("RevISyn", "scalar", 0.0)],
    extra_global_params=[("RingSpikeTime", "scalar*")],
    sim_code=_RING + "V += (Isyn - V) * (dt / TauM);\n",
    threshold_condition_code="V >= Vthresh",
    reset_code=_RING_WRITE + "V = 0.0;\n")

EP_SYNAPSE = create_weight_update_model(
    "EventPropSynapse", params=["TauSyn"],
    vars=[("g", "scalar", VarAccess.READ_ONLY), ("Gradient", "scalar")],
    pre_neuron_var_refs=[("BackSpike", "uint8_t")],
    post_neuron_var_refs=[("LambdaV", "scalar"), ("LambdaI", "scalar")],
    pre_spike_syn_code="addToPost(g);",
    pre_event_threshold_condition_code="BackSpike != 0",
    pre_event_syn_code="Gradient -= LambdaI * TauSyn;\naddToPre(g * (LambdaV - LambdaI));")


def _ep_reset_model(with_v: bool):
    refs = [("RingReadOffset", "int"), ("RingReadEndOffset", "int"),
            ("RingWriteOffset", "int", VarAccessMode.READ_ONLY),
            ("RingWriteStartOffset", "int")]
    code = """
    // the spikes of the trial that just ended are replayed backwards during the next one
    RingReadOffset = RingWriteOffset - 1;
    if (RingReadOffset < 0) {
        RingReadOffset = RingSize - 1;
    }
    RingReadEndOffset = RingWriteStartOffset - 1;
    if (RingReadEndOffset < 0) {
        RingReadEndOffset = RingSize - 1;
    }
    RingWriteStartOffset = RingWriteOffset;
    """
    if with_v:
        refs.append(("V", "scalar"))
        code += "V = 0.0;\n"
    return create_custom_update_model(f"EventPropReset{'V' if with_v else ''}",
                                      params=[("RingSize", "int")], var_refs=refs,
                                      update_code=code)


EP_REDUCE = create_custom_update_model(
    "EventPropGradientReduce",
    vars=[("ReducedGradient", "scalar", CustomUpdateVarAccess.REDUCE_BATCH_SUM)],
    var_refs=[("Gradient", "scalar")],
    update_code="ReducedGradient = Gradient;\nGradient = 0.0;")

EP_ADAM = create_custom_update_model(
    "EventPropAdam", params=["Beta1", "Beta2", "Epsilon", "Alpha"],
    vars=[("M", "scalar"), ("V", "scalar")],
    var_refs=[("Gradient", "scalar", VarAccessMode.READ_ONLY), ("Variable", "scalar")],
    update_code="""
    M = (Beta1 * M) + ((1.0 - Beta1) * Gradient);
    V = (Beta2 * V) + ((1.0 - Beta2) * Gradient * Gradient);
    Variable -= Alpha * M / (sqrt(V) + Epsilon);
    """)


def eventprop(ctx: Context) -> Setup:
    """EventProp-style training: 100 inputs, 100 + 100 LIF, batch 512 (tiny 32), 50-step trials."""
    batch = ctx.batch_size
    num_in, num_hidden, num_out = 100, 100, 100
    dt, steps = 1.0, 50 if not ctx.tiny else 20
    trial_ms, ring = steps * dt, 32
    model = GeNNModel("float", ctx.name(f"eventprop_b{batch}"), backend=ctx.backend)
    model.dt = dt
    model.seed = 7
    model.batch_size = batch
    model.timing_enabled = ctx.timing
    ring_params = {"TauM": 20.0, "TauSyn": 5.0, "TrialTime": trial_ms, "RingSize": ring}
    ring_init = {"LambdaV": 0.0, "LambdaI": 0.0, "BackSpike": 0, "RingReadOffset": 0,
                 "RingReadEndOffset": 0, "RingWriteOffset": 0, "RingWriteStartOffset": 0,
                 "LossDrive": 0.0}
    inp = model.add_neuron_population("Input", num_in, EP_INPUT, ring_params,
                                      dict(ring_init, Rate=0.0))
    hidden = model.add_neuron_population("Hidden", num_hidden, EP_LIF,
                                         dict(ring_params, Vthresh=1.0), dict(ring_init, V=0.0))
    out = model.add_neuron_population("Output", num_out, EP_LIF, dict(ring_params, Vthresh=1.0),
                                      dict(ring_init, V=0.0))
    pops = (inp, hidden, out)
    for pop in pops:
        pop.extra_global_params["RingSpikeTime"].set_init_values(
            np.zeros(batch * pop.num_neurons * ring, dtype=np.float32))
    rng = np.random.default_rng(3)
    synapses = []
    # mean input x (in-degree x rate x tau_syn) a little above threshold (1.0): tens of Hz
    for pre, post, rate_per_ms in ((inp, hidden, 0.025), (hidden, out, 0.03)):
        mean = 1.2 / (pre.num_neurons * rate_per_ms * 5.0)
        w = rng.normal(mean, 2.0 * mean, pre.num_neurons * post.num_neurons)
        sg = model.add_synapse_population(
            f"{pre.name}_{post.name}", "DENSE", pre, post,
            init_weight_update(EP_SYNAPSE, {"TauSyn": 5.0}, {"g": w, "Gradient": 0.0},
                               pre_var_refs={"BackSpike": create_var_ref(pre, "BackSpike")},
                               post_var_refs={"LambdaV": create_var_ref(post, "LambdaV"),
                                              "LambdaI": create_var_ref(post, "LambdaI")}),
            init_postsynaptic("ExpCurr", {"tau": 5.0}))
        sg.pre_target_var = "RevISyn"
        synapses.append(sg)
    for pop in pops:
        refs = {name: create_var_ref(pop, name) for name in
                ("RingReadOffset", "RingReadEndOffset", "RingWriteOffset",
                 "RingWriteStartOffset")}
        with_v = pop is not inp
        if with_v:
            refs["V"] = create_var_ref(pop, "V")
        model.add_custom_update(f"{pop.name}Reset", "Reset", _ep_reset_model(with_v),
                                {"RingSize": ring}, {}, refs)
    for sg in synapses:
        reduce = model.add_custom_update(f"{sg.name}Reduce", "GradientReduce", EP_REDUCE, {},
                                         {"ReducedGradient": 0.0},
                                         {"Gradient": create_wu_var_ref(sg, "Gradient")})
        model.add_custom_update(f"{sg.name}Adam", "Optimise", EP_ADAM,
                                {"Beta1": 0.9, "Beta2": 0.999, "Epsilon": 1e-8, "Alpha": 1e-3},
                                {"M": 0.0, "V": 0.0},
                                {"Gradient": create_wu_var_ref(reduce, "ReducedGradient"),
                                 "Variable": create_wu_var_ref(sg, "g")})
    # a pool of trial inputs, made before the clock starts: rates (spikes/ms) and a loss drive
    pool = [(rng.uniform(0.0, 0.05, (batch, num_in)).astype(np.float32),
             rng.normal(0.0, 1.0, (batch, num_out)).astype(np.float32)) for _ in range(4)]
    trials = ctx.trials
    counter = [0]

    def run():
        for _ in range(trials):
            rates, drive = pool[counter[0] % len(pool)]
            counter[0] += 1
            inp.vars["Rate"].view[:] = rates.reshape(inp.vars["Rate"].view.shape)
            inp.vars["Rate"].push_to_device()
            out.vars["LossDrive"].view[:] = drive.reshape(out.vars["LossDrive"].view.shape)
            out.vars["LossDrive"].push_to_device()
            for _ in range(steps):
                model.step_time()
            model.custom_update("Reset")
            model.custom_update("GradientReduce")
            model.custom_update("Optimise")

    return Setup(model, trials * trial_ms, run,
                 custom_updates=("Reset", "GradientReduce", "Optimise"),
                 notes={"batch_size": batch, "trials": trials, "steps_per_trial": steps})


def _poisson_lif(ctx, base, num_pre, num_post, matrix, connectivity, weight_update):
    model = GeNNModel("float", ctx.name(base), backend=ctx.backend)
    model.dt = 0.1
    model.seed = 11
    model.timing_enabled = ctx.timing
    pre = model.add_neuron_population("Source", num_pre, "Poisson", {"rate": SOURCE_HZ},
                                      {"timeStepToSpike": 0.0})
    post = model.add_neuron_population(
        "LIF", num_post, "LIF", LIF,
        {"V": init_var("Uniform", {"min": -60.0, "max": -50.0}), "RefracTime": 0.0})
    post.spike_recording_enabled = True
    kwargs = {} if connectivity is None else {"connectivity_init": connectivity}
    model.add_synapse_population(
        "Syn", matrix, pre, post, weight_update,
        init_postsynaptic("ExpCurr", {"tau": 5.0}), **kwargs)
    steps = 50 if ctx.tiny else 10_000
    return Setup(model, steps * model.dt, _stepper(model, steps, ctx.multi_step),
                 recording_steps=steps)


SOURCE_HZ = 20.0


def dense(ctx):
    """Poisson sources -> LIF, DENSE: 2,000 x 2,000 (4 million synapses; tiny 200 x 200)."""
    n = 200 if ctx.tiny else 2000
    w = drive_weight(n, SOURCE_HZ)
    g = init_var("Uniform", {"min": 0.5 * w, "max": 1.5 * w})
    return _poisson_lif(ctx, "dense", n, n, "DENSE", None,
                        init_weight_update("StaticPulse", {}, {"g": g}))


def bitmask(ctx):
    """Poisson sources -> LIF, BITMASK p = 0.1: 10,000 x 10,000 (tiny 200 x 200).

    One constant weight (BITMASK stores no per-synapse variables); 10 million synapses,
    12.5 MB of bits."""
    n, p = (200, 0.1) if ctx.tiny else (10_000, 0.1)
    return _poisson_lif(ctx, "bitmask", n, n, "BITMASK",
                        init_sparse_connectivity("FixedProbability", {"prob": p}),
                        init_weight_update("StaticPulseConstantWeight",
                                           {"g": drive_weight(n * p, SOURCE_HZ)}))


def toeplitz(ctx):
    """Two 3x3 Conv2D TOEPLITZ layers on a Poisson image: 64x64x2 -> 64x64x16 -> 64x64x16.

    'Same' padding; tiny: 8x8x2 -> 8x8x4 -> 8x8x4."""
    size, in_ch, ch = (8, 2, 4) if ctx.tiny else (64, 2, 16)
    model = GeNNModel("float", ctx.name("toeplitz"), backend=ctx.backend)
    model.dt = 0.1
    model.seed = 5
    model.timing_enabled = ctx.timing
    image = model.add_neuron_population("Image", size * size * in_ch, "Poisson",
                                        {"rate": 50.0}, {"timeStepToSpike": 0.0})
    init = {"V": init_var("Uniform", {"min": -60.0, "max": -50.0}), "RefracTime": 0.0}
    rng = np.random.default_rng(9)
    previous, previous_ch = image, in_ch
    layers = []
    for index in range(2):
        layer = model.add_neuron_population(f"Conv{index}", size * size * ch, "LIF", LIF, init)
        layer.spike_recording_enabled = True
        params = {"conv_kh": 3, "conv_kw": 3, "conv_ih": size, "conv_iw": size,
                  "conv_ic": previous_ch, "conv_oh": size, "conv_ow": size, "conv_oc": ch}
        w = drive_weight(3 * 3 * previous_ch, 50.0 if index == 0 else 30.0)
        kernel = rng.normal(w, 0.5 * w, 3 * 3 * previous_ch * ch)
        model.add_synapse_population(
            f"Conv{index}Syn", "TOEPLITZ", previous, layer,
            init_weight_update("StaticPulse", {}, {"g": kernel}),
            init_postsynaptic("ExpCurr", {"tau": 5.0}),
            init_toeplitz_connectivity("Conv2D", params))
        layers.append(layer)
        previous, previous_ch = layer, ch
    steps = 50 if ctx.tiny else 10_000
    return Setup(model, steps * model.dt, _stepper(model, steps, ctx.multi_step),
                 recording_steps=steps)


def balanced_100k(ctx):
    """Balanced E/I network of step_overhead.py: 100,000 LIF, ~10 million SPARSE synapses."""
    import step_overhead
    neurons = 400 if ctx.tiny else 100_000
    model = step_overhead.balanced_network(ctx.backend, neurons)
    model.name = ctx.name("balanced_100k")
    model.timing_enabled = ctx.timing
    steps = 50 if ctx.tiny else 10_000
    return Setup(model, steps * model.dt, _stepper(model, steps, ctx.multi_step),
                 recording_steps=steps)


def lif_1000(ctx):
    """1,000 unconnected LIF neurons: the per-step overhead."""
    import step_overhead
    model = step_overhead.small_network(ctx.backend)
    model.name = ctx.name("lif_1000")
    model.timing_enabled = ctx.timing
    steps = 50 if ctx.tiny else 10_000
    return Setup(model, steps * model.dt, _stepper(model, steps, ctx.multi_step))


WORKLOADS = {
    "microcircuit_sparse": microcircuit_sparse,
    "microcircuit_procedural": microcircuit_procedural,
    "eventprop": eventprop,
    "dense": dense,
    "bitmask": bitmask,
    "toeplitz": toeplitz,
    "balanced_100k": balanced_100k,
    "lif_1000": lif_1000,
}


# --------------------------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------------------------
def synchronise(model):
    """Wait until the device has finished everything queued (GPU steps may only be queued)."""
    sync = getattr(model._runtime, "synchronize", None)
    if sync is not None:
        sync()
        return
    for pop in model.neuron_populations.values():    # a small pull waits as well
        for var in pop.vars.values():
            var.pull_from_device()
            return


def _phase_times(model, custom_updates):
    times = {f"{phase}_time": getattr(model, f"{phase}_time") for phase in PHASES}
    for name in custom_updates:
        times[f"custom_update_{name}_time"] = model.get_custom_update_time(name)
    return times


def _rate(model, setup):
    recorded = [p for p in model.neuron_populations.values() if p.spike_recording_enabled]
    if not recorded or not setup.recording_steps:
        return None
    model.pull_recording_buffers_from_device()
    spikes = neurons = 0
    for pop in recorded:
        data = pop.spike_recording_data
        spikes += sum(len(times) for times, _ in data)
        neurons += pop.num_neurons * len(data)
    return spikes / neurons / (setup.recording_steps * model.dt / 1000.0)


def measure(workload, ctx: Context, repeats: int, phases: str, directory: str) -> dict:
    """Median wall time per biological second (and per-phase seconds per biological second)."""
    timed_here = phases == "same"
    setup = WORKLOADS[workload](Context(**{**ctx.__dict__, "timing": timed_here}))
    model = setup.model
    start = time.perf_counter()
    model.build(path_to_model=os.path.join(directory, workload))
    built = time.perf_counter()
    model.load(num_recording_timesteps=setup.recording_steps)
    setup.after_load()
    synchronise(model)
    loaded = time.perf_counter()
    figures = {"build_s": built - start, "load_s": loaded - built}
    if timed_here:
        figures["init_time"] = model.init_time
        figures["init_sparse_time"] = model.init_sparse_time
    setup.run()                              # warm-up (graph capture, caches, transients)
    synchronise(model)
    bio_s = setup.duration_ms / 1000.0
    walls, splits = [], []
    for _ in range(repeats):
        before = _phase_times(model, setup.custom_updates) if timed_here else None
        start = time.perf_counter()
        setup.run()
        synchronise(model)
        walls.append((time.perf_counter() - start) / bio_s)
        if timed_here:
            after = _phase_times(model, setup.custom_updates)
            splits.append({k: (after[k] - before[k]) / bio_s for k in after})
    figures["wall_per_bio_s"] = statistics.median(walls)
    figures["us_per_step"] = figures["wall_per_bio_s"] * model.dt * 1000.0
    figures["wall_per_bio_s_all"] = walls
    rate = _rate(model, setup)
    if rate is not None:
        figures["rate_hz"] = rate
    model.unload()
    if phases == "separate":
        splits, init = _separately_timed(workload, ctx, repeats, directory)
        figures.update(init)
    for key in (splits[0] if splits else {}):
        figures[key] = statistics.median(s[key] for s in splits)
    figures.update(setup.notes)
    return figures


def _separately_timed(workload, ctx, repeats, directory):
    setup = WORKLOADS[workload](Context(**{**ctx.__dict__, "timing": True}))
    model = setup.model
    model.build(path_to_model=os.path.join(directory, workload + "_timed"))
    model.load(num_recording_timesteps=setup.recording_steps)
    setup.after_load()
    init = {"init_time": model.init_time, "init_sparse_time": model.init_sparse_time}
    bio_s = setup.duration_ms / 1000.0
    setup.run()
    splits = []
    for _ in range(repeats):
        before = _phase_times(model, setup.custom_updates)
        setup.run()
        synchronise(model)
        after = _phase_times(model, setup.custom_updates)
        splits.append({k: (after[k] - before[k]) / bio_s for k in after})
    model.unload()
    return splits, init


def compile_cuda(workload, ctx: Context) -> float:
    """Generate the workload's CUDA and compile it with NVRTC (no GPU needed); seconds."""
    from pygenn._src.backends.cuda import generate_cuda
    from pygenn._src.build import nvrtc
    from pygenn._src.codegen.plan import ModelPlan
    model = WORKLOADS[workload](ctx).model
    start = time.perf_counter()
    generated = generate_cuda(ModelPlan(model, "cuda"))
    nvrtc.build_cached_cubin(generated.sources["runner.cu"], model.name, "sm_80")
    return time.perf_counter() - start


# --------------------------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------------------------
def host_description(backend) -> str:
    text = f"{socket.gethostname()} ({platform.machine()}, {os.cpu_count()} CPUs"
    if backend == "cuda":
        try:
            from pygenn._src.runtime import cuda_driver as cu
            device = cu.Device(0)
            text += f", {device.name}"
        except Exception:
            pass
    return text + ")"


def previous_entry(path, workload, backend, scale):
    if not path or not os.path.exists(path):
        return None
    found = None
    with open(path) as f:
        for line in f:
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if (entry.get("workload"), entry.get("backend"), entry.get("scale")) == \
                    (workload, backend, scale):
                found = entry
    return found


def format_figures(workload, figures) -> str:
    parts = [f"{workload:>24}: {figures['wall_per_bio_s']:10.4f} s per biological s"]
    split = [(key[:-5], figures[key]) for key in figures
             if key.endswith("_time") and key not in ("init_time", "init_sparse_time")]
    if split:
        parts.append("  (" + ", ".join(f"{name} {value:.4f}" for name, value in split) + ")")
    extra = [f"{figures['us_per_step']:.1f} us per step", f"build {figures['build_s']:.2f} s",
             f"load {figures['load_s']:.2f} s"]
    if "init_time" in figures:
        extra.append(f"init {figures['init_time']:.4f} s + sparse "
                     f"{figures['init_sparse_time']:.4f} s")
    if "rate_hz" in figures:
        extra.append(f"rate {figures['rate_hz']:.1f} Hz")
    parts.append("\n" + " " * 26 + ", ".join(extra))
    return "".join(parts)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", default=next(iter(backend_modules)),
                        help="backend name (default: the first of backend_modules)")
    parser.add_argument("--scale", choices=("tiny", "full"), default="full")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated workload names")
    parser.add_argument("--batch-size", type=int, default=None,
                        help="eventprop batch size (default 512; 32 at tiny scale)")
    parser.add_argument("--trials", type=int, default=None,
                        help="eventprop trials per timed run (default 20; 2 at tiny scale)")
    parser.add_argument("--phases", choices=("auto", "same", "separate", "off"),
                        default="auto", help="where the per-phase split is measured (auto: "
                        "the same model on CPU backends, a second build on the GPU)")
    parser.add_argument("--multi-step", action="store_true",
                        help="one step_time(n) call per run instead of a Python loop")
    parser.add_argument("--results", default=None, help="append JSON lines to this file")
    parser.add_argument("--compile-cuda", action="store_true",
                        help="only generate each workload's CUDA and compile it with NVRTC")
    parser.add_argument("--list", action="store_true", help="list the workloads and exit")
    args = parser.parse_args(argv)
    if args.list:
        for name, fn in WORKLOADS.items():
            doc = (fn.__doc__ or "").strip().splitlines()
            print(f"{name:>24}  {doc[0] if doc else ''}")
        return 0
    names = [n for n in args.only.split(",") if n] or list(WORKLOADS)
    unknown = [n for n in names if n not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workload(s) {unknown}; choose from {list(WORKLOADS)}")
    tiny = args.scale == "tiny"
    ctx = Context(args.backend, args.scale,
                  args.batch_size or (32 if tiny else 512),
                  args.trials or (2 if tiny else 20), args.multi_step)
    if args.compile_cuda:
        for name in names:
            seconds = compile_cuda(name, ctx)
            print(f"{name:>24}: CUDA generated and compiled with NVRTC in {seconds:.1f} s",
                  flush=True)
        return 0
    phases = args.phases
    if phases == "auto":
        phases = "separate" if args.backend == "cuda" else "same"
    host = host_description(args.backend)
    print(f"backend {args.backend}, scale {args.scale}, {args.repeats} repeat(s), "
          f"host {host}; figures: wall seconds per biological second (median), phases in "
          f"seconds per biological second", flush=True)
    failures = 0
    with tempfile.TemporaryDirectory(prefix="pygenn_suite_") as directory:
        for name in names:
            try:
                figures = measure(name, ctx, args.repeats, phases, directory)
            except Exception as error:          # report and carry on with the others
                failures += 1
                print(f"{name:>24}: FAILED: {type(error).__name__}: {error}", flush=True)
                continue
            workload = name if name != "eventprop" else f"eventprop_b{ctx.batch_size}"
            print(format_figures(workload, figures), flush=True)
            previous = previous_entry(args.results, workload, args.backend, args.scale)
            if previous is not None:
                old = previous["figures"]["wall_per_bio_s"]
                print(" " * 26 + f"previous ({previous['date']}): {old:.4f} s per biological "
                      f"s; now x{figures['wall_per_bio_s'] / old:.3f}", flush=True)
            if args.results:
                os.makedirs(os.path.dirname(os.path.abspath(args.results)), exist_ok=True)
                with open(args.results, "a") as f:
                    f.write(json.dumps({
                        "date": datetime.datetime.now().isoformat(timespec="seconds"),
                        "backend": args.backend, "host": host, "workload": workload,
                        "scale": args.scale, "repeats": args.repeats,
                        "figures": figures}) + "\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
