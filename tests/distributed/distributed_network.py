"""The networks the distributed tests run on 1, 2 and 3 ranks (importable by spawned ranks).

``describe`` ("basic"): Poisson input, three LIF populations and a plastic readout; SPARSE
(FixedProbability and FixedNumberPostWithReplacement), DENSE and PROCEDURAL connectivity; axonal
delays 0 to 3; STDP (reads st_pre and st_post), a synapse model that reads prev_st_pre; a
dynamic parameter and a custom update. ``describe_delayed`` ("delayed", "delayed_quirk"): the
same kinds of groups with delays of 2 steps or more between populations, so the ranks exchange
spikes every 3 steps, and FixedNumberTotalWithReplacement groups targeting different ranks.
Everything random (initial V, connectivity, weights, Poisson spikes) comes from the model's
seed.
"""
from __future__ import annotations

import os

import numpy as np

from pygenn import (GeNNModel, create_custom_update_model, create_var_ref,
                    create_weight_update_model, init_postsynaptic, init_sparse_connectivity,
                    init_var, init_weight_update)

LIF = {"C": 1.0, "TauM": 20.0, "Vrest": -65.0, "Vreset": -65.0, "Vthresh": -50.0,
       "Ioffset": 0.0, "TauRefrac": 2.0}
STDP = {"tauPlus": 20.0, "tauMinus": 20.0, "Aplus": 0.01, "Aminus": 0.012, "Wmin": 0.0,
        "Wmax": 1.0}
NUM_STEPS = 400
NUM_REC = 200

# input scaled by how long ago the presynaptic neuron spiked before this spike
_PREV_SPIKE_PULSE = create_weight_update_model(
    "PrevSpikePulse", vars=[("g", "scalar")],
    pre_spike_syn_code="addToPost(t - prev_st_pre > 20.0 ? g : 0.5 * g);")

_RESET_V = create_custom_update_model(
    "ResetV", var_refs=[("V", "scalar")], params=["value"], update_code="V = value;")


def describe(model) -> dict:
    """Add the network to ``model``; returns its neuron populations by name."""
    model.dt = 0.5
    model.seed = 4321
    poisson = model.add_neuron_population("poisson", 100, "Poisson", {"rate": 40.0},
                                          {"timeStepToSpike": 0.0})
    v_init = init_var("Uniform", {"min": -65.0, "max": -50.0})
    exc = model.add_neuron_population("exc", 160, "LIF", LIF,
                                      {"V": v_init, "RefracTime": 0.0})
    inh = model.add_neuron_population("inh", 40, "LIF", LIF, {"V": v_init, "RefracTime": 0.0})
    out = model.add_neuron_population("out", 20, "LIF", dict(LIF, Ioffset=0.2),
                                      {"V": v_init, "RefracTime": 0.0})
    exc.set_param_dynamic("Ioffset")
    for pop in (poisson, exc, inh, out):
        pop.spike_recording_enabled = True
    exp_curr = init_postsynaptic("ExpCurr", {"tau": 5.0})
    model.add_synapse_population(
        "poisson_exc", "SPARSE", poisson, exc,
        init_weight_update("StaticPulse", {}, {"g": init_var("Uniform", {"min": 0.5,
                                                                         "max": 1.5})}),
        exp_curr, init_sparse_connectivity("FixedProbability", {"prob": 0.2}))
    ee = model.add_synapse_population(
        "exc_exc", "SPARSE", exc, exc, init_weight_update("StaticPulse", {}, {"g": 0.3}),
        exp_curr, init_sparse_connectivity("FixedProbability", {"prob": 0.05}))
    ee.axonal_delay_steps = 2
    ei = model.add_synapse_population(
        "exc_inh", "DENSE", exc, inh,
        init_weight_update("StaticPulse", {}, {"g": init_var("Uniform", {"min": 0.0,
                                                                         "max": 0.2})}),
        exp_curr)
    ei.axonal_delay_steps = 1
    model.add_synapse_population(
        "inh_exc", "SPARSE", inh, exc, init_weight_update("StaticPulse", {}, {"g": -1.0}),
        init_postsynaptic("DeltaCurr"),
        init_sparse_connectivity("FixedNumberPostWithReplacement", {"num": 10}))
    eo = model.add_synapse_population(
        "exc_out", "SPARSE", exc, out, init_weight_update("STDP", STDP, {"g": 0.5}),
        exp_curr, init_sparse_connectivity("FixedProbability", {"prob": 0.3}))
    eo.axonal_delay_steps = 3
    io = model.add_synapse_population(
        "inh_out", "SPARSE", inh, out, init_weight_update(_PREV_SPIKE_PULSE, {}, {"g": -0.5}),
        exp_curr, init_sparse_connectivity("FixedProbability", {"prob": 0.5}))
    io.axonal_delay_steps = 1
    # poisson neurons can spike in consecutive steps, and this group's delay is the largest
    # on poisson: prev_st_pre comes from the newest queue slot (GeNN's quirk, kept)
    po = model.add_synapse_population(
        "poisson_out_prev", "SPARSE", poisson, out,
        init_weight_update(_PREV_SPIKE_PULSE, {}, {"g": 0.3}), exp_curr,
        init_sparse_connectivity("FixedProbability", {"prob": 0.2}))
    po.axonal_delay_steps = 2
    model.add_synapse_population(
        "poisson_out", "PROCEDURAL", poisson, out,
        init_weight_update("StaticPulseConstantWeight", {"g": 0.4}), exp_curr,
        init_sparse_connectivity("FixedProbability", {"prob": 0.1}))
    model.add_custom_update("reset_out", "Reset", _RESET_V, {"value": -60.0}, {},
                            {"V": create_var_ref(out, "V")})
    return {"poisson": poisson, "exc": exc, "inh": inh, "out": out}


def describe_delayed(model, quirk: bool = False, longer: int = 0) -> dict:
    """A network whose synapse groups between different populations all have axonal delays of
    2 steps or more, so over any partition the ranks exchange spikes every 3 steps.

    Synapse groups within one population (never across ranks) have delay 0. Two groups use
    FixedNumberTotalWithReplacement (exc -> inh and inh -> exc, so their targets are on
    different ranks when exc and inh are); STDP (st_pre) with delay 4; prev_st_pre read from
    inh and poisson with delay 2, short of their sources' largest delays. With ``quirk``,
    poisson's prev_st_pre group gets poisson's largest delay (4), whose read wraps round to the
    newest queue slot: the exchange must then run every step where it crosses ranks.
    ``longer`` adds that many steps to the delay of every group between different
    populations (overlapped exchanges then let more steps compute while spikes travel).
    """
    model.dt = 0.5
    model.seed = 8765
    poisson = model.add_neuron_population("poisson", 100, "Poisson", {"rate": 40.0},
                                          {"timeStepToSpike": 0.0})
    v_init = init_var("Uniform", {"min": -65.0, "max": -50.0})
    exc = model.add_neuron_population("exc", 160, "LIF", LIF,
                                      {"V": v_init, "RefracTime": 0.0})
    inh = model.add_neuron_population("inh", 40, "LIF", LIF, {"V": v_init, "RefracTime": 0.0})
    out = model.add_neuron_population("out", 20, "LIF", dict(LIF, Ioffset=0.2),
                                      {"V": v_init, "RefracTime": 0.0})
    exc.set_param_dynamic("Ioffset")
    for pop in (poisson, exc, inh, out):
        pop.spike_recording_enabled = True
    exp_curr = init_postsynaptic("ExpCurr", {"tau": 5.0})

    def connect(name, matrix, source, target, weight_update, psm, connectivity, delay):
        sg = model.add_synapse_population(name, matrix, source, target, weight_update, psm,
                                          connectivity)
        sg.axonal_delay_steps = delay + (longer if source is not target else 0)
        return sg

    uniform_g = {"g": init_var("Uniform", {"min": 0.5, "max": 1.5})}
    connect("poisson_exc", "SPARSE", poisson, exc, init_weight_update("StaticPulse", {},
                                                                      uniform_g),
            exp_curr, init_sparse_connectivity("FixedProbability", {"prob": 0.2}), 2)
    connect("exc_exc", "SPARSE", exc, exc, init_weight_update("StaticPulse", {}, {"g": 0.3}),
            exp_curr, init_sparse_connectivity("FixedProbability", {"prob": 0.05}), 0)
    connect("exc_inh", "SPARSE", exc, inh,
            init_weight_update("StaticPulse", {}, {"g": init_var("Uniform", {"min": 0.0,
                                                                             "max": 0.4})}),
            exp_curr, init_sparse_connectivity("FixedNumberTotalWithReplacement",
                                               {"num": 1500}), 2)
    connect("inh_exc", "SPARSE", inh, exc, init_weight_update("StaticPulse", {}, {"g": -1.0}),
            init_postsynaptic("DeltaCurr"),
            init_sparse_connectivity("FixedNumberTotalWithReplacement", {"num": 1200}), 3)
    connect("inh_inh", "SPARSE", inh, inh, init_weight_update("StaticPulse", {}, {"g": -0.5}),
            exp_curr, init_sparse_connectivity("FixedProbability", {"prob": 0.1}), 0)
    connect("exc_out", "SPARSE", exc, out, init_weight_update("STDP", STDP, {"g": 0.5}),
            exp_curr, init_sparse_connectivity("FixedProbability", {"prob": 0.3}), 4)
    connect("inh_out", "SPARSE", inh, out,
            init_weight_update(_PREV_SPIKE_PULSE, {}, {"g": -0.5}), exp_curr,
            init_sparse_connectivity("FixedProbability", {"prob": 0.5}), 2)
    connect("poisson_out_prev", "SPARSE", poisson, out,
            init_weight_update(_PREV_SPIKE_PULSE, {}, {"g": 0.3}), exp_curr,
            init_sparse_connectivity("FixedProbability", {"prob": 0.2}), 4 if quirk else 2)
    connect("poisson_out", "PROCEDURAL", poisson, out,
            init_weight_update("StaticPulseConstantWeight", {"g": 0.4}), exp_curr,
            init_sparse_connectivity("FixedProbability", {"prob": 0.1}), 4)
    model.add_custom_update("reset_out", "Reset", _RESET_V, {"value": -60.0}, {},
                            {"V": create_var_ref(out, "V")})
    return {"poisson": poisson, "exc": exc, "inh": inh, "out": out}


#: the networks the tests run, by name
NETWORKS = {"basic": describe, "delayed": describe_delayed,
            "delayed_quirk": lambda model: describe_delayed(model, quirk=True),
            "delayed_longer": lambda model: describe_delayed(model, longer=3)}

#: synapse groups whose connectivity the tests compare where it is FixedNumberTotalWithReplacement
COMPARED_CONNECTIVITY = ("exc_inh", "inh_exc")


def simulate(model, pops: dict, path: str) -> dict:
    """Build, load and run ``model``; everything the tests compare, as plain arrays."""
    model.build(path)
    model.load(num_recording_timesteps=NUM_REC)
    spikes = {name: ([], []) for name in pops}
    while model.timestep < NUM_STEPS:
        model.step_time()
        if model.timestep == 150:
            pops["exc"].set_dynamic_param_value("Ioffset", 0.5)
        if model.timestep == 250:
            model.custom_update("Reset")
        if model.timestep % NUM_REC == 0:
            model.pull_recording_buffers_from_device()
            for name, pop in pops.items():
                times, ids = pop.spike_recording_data[0]
                order = np.lexsort((ids, times))
                spikes[name][0].append(times[order])
                spikes[name][1].append(ids[order])
    result = {"spikes": {name: (np.concatenate(t), np.concatenate(i))
                         for name, (t, i) in spikes.items()}}
    is_local = getattr(model, "is_local", lambda g: True)
    stdp = model.synapse_populations["exc_out"]
    if is_local(stdp):
        stdp.vars["g"].pull_from_device()
        result["stdp_g"] = stdp.vars["g"].values.copy()
    out = pops["out"]
    if is_local(out):
        out.vars["V"].pull_from_device()
        result["out_V"] = out.vars["V"].values.copy()
    result["connectivity"] = {}
    for name in COMPARED_CONNECTIVITY:
        sg = model.synapse_populations[name]
        init = sg.sparse_connectivity_initialiser
        if init is not None and init.snippet.name == "FixedNumberTotalWithReplacement" \
                and is_local(sg):
            sg.pull_connectivity_from_device()
            result["connectivity"][name] = (sg.get_sparse_pre_inds().copy(),
                                            sg.get_sparse_post_inds().copy())
    return result


def run_one_rank(path: str, network: str = "basic") -> dict:
    """The reference: a plain GeNNModel."""
    model = GeNNModel("float", f"dist_{network}", backend="single_threaded_cpu")
    return simulate(model, NETWORKS[network](model), path)


def run_rank(path: str, partition=None, backend: str = "single_threaded_cpu",
             network: str = "basic", overlap: bool = True) -> dict:
    """One rank of the distributed model (run by ``run_ranks``)."""
    model = GeNNModel("float", f"dist_{network}", backend=backend, partition=partition,
                      overlap_exchange=overlap)
    pops = NETWORKS[network](model)
    result = simulate(model, pops, path)
    result["exchange_interval"] = model.exchange_interval
    result["exchange_every"] = model.exchange_every
    result["exchange_lag"] = model.exchange_lag
    result["num_exchanges"] = model.num_exchanges
    # state of populations other ranks simulate: a clear error, not wrong numbers
    result["remote_errors"] = {}
    for name, pop in pops.items():
        if not model.is_local(pop):
            try:
                _ = pop.vars["V" if "V" in pop.vars else "timeStepToSpike"].view
            except RuntimeError as error:
                result["remote_errors"][name] = str(error)
    result["rank"] = model.rank
    result["partition"] = model.partition
    result["pid"] = os.getpid()
    return result
