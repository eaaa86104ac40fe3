"""The Potjans & Diesmann (2014) cortical microcircuit, written with the pygenn API.

77,169 LIF neurons in 8 populations, ~0.3 billion synapses with normally distributed weights and
dendritic delays, Poisson background through exponential currents, dt = 0.1 ms. Every fact comes
from benchmarks/data/potjans_microcircuit.json. The simulation loop is a plain Python
``while model.t < duration: model.step_time()``.

    python benchmarks/potjans_microcircuit.py --duration 1000 [--neuron-scale 1.0]
        [--connectivity-scale 1.0] [--procedural-connectivity] [--kernel-profiling]
        [--multi-step] [--save-data] [--backend cuda] [--data path/to/potjans_microcircuit.json]

Prints build, load and simulation times, the real-time factor (wall time / biological time) and
each population's mean rate next to the published one, and saves a raster plot with a rate bar
chart (``microcircuit.png``) when matplotlib is installed.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import time

import numpy as np

from pygenn import (GeNNModel, VarLocation, init_postsynaptic, init_sparse_connectivity,
                    init_var, init_weight_update)

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DATA = os.path.join(HERE, "data", "potjans_microcircuit.json")  # published parameters


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=1000.0, help="biological time (ms)")
    parser.add_argument("--neuron-scale", type=float, default=1.0)
    parser.add_argument("--connectivity-scale", type=float, default=1.0)
    parser.add_argument("--procedural-connectivity", action="store_true",
                        help="regenerate connectivity on every spike instead of storing it")
    parser.add_argument("--kernel-profiling", action="store_true",
                        help="enable timing_enabled and print each phase's time")
    parser.add_argument("--multi-step", action="store_true",
                        help="run the whole duration with one step_time(num_steps) call "
                             "(replayed multi-step CUDA graphs) instead of a Python loop")
    parser.add_argument("--save-data", action="store_true",
                        help="save each population's spikes as <pop>_spikes.npy")
    parser.add_argument("--backend", default=None, help="backend name (default: the first "
                        "entry of pygenn.genn_model.backend_modules)")
    parser.add_argument("--data", default=os.environ.get("PYGENN_MICROCIRCUIT_DATA",
                                                         DEFAULT_DATA))
    parser.add_argument("--seed", type=int, default=1234)
    return parser.parse_args()


def population_names(facts):
    return [f"{layer}{pop}" for layer in facts["layers"] for pop in facts["populations"]]


def mean_input_current(facts, target):
    """Mean synaptic input (nA) a neuron of ``target`` receives at the published rates; used for
    the DC compensation when in-degrees are scaled down."""
    layer, _ = target[:-1], target[-1]
    total = 0.0
    for source in population_names(facts):
        src_layer, src_pop = source[:-1], source[-1]
        p = facts["connection_probabilities_target_by_source"][target][source]
        if p == 0.0:
            continue
        n_src = facts["num_neurons"][src_layer][src_pop]
        n_trg = facts["num_neurons"][layer][target[-1]]
        in_degree = full_synapse_number(p, n_src, n_trg) / n_trg
        total += mean_weight(facts, source, target) * in_degree * \
            facts["reported_mean_rates_hz"][src_layer][src_pop]
    total += (facts["external_weight_nA"] * facts["external_in_degree"][layer][target[-1]]
              * facts["background_rate_hz_per_synapse"])
    return total


def full_synapse_number(p, n_pre, n_post):
    return int(round(math.log(1.0 - p) / math.log((n_pre * n_post - 1.0) / (n_pre * n_post))))


def mean_weight(facts, source, target):
    weight = facts["mean_weight_nA"]
    if source.endswith("I"):
        weight *= facts["relative_inhibitory_weight_g"]
    elif source == "4E" and target == "23E":
        weight *= facts["weight_L4E_to_L23E_factor"]
    return weight


def build_model(args, facts):
    dt = facts["dt_ms"]
    lif_facts = facts["lif"]
    k = args.connectivity_scale
    model = GeNNModel("float", "potjans_microcircuit", backend=args.backend)
    model.dt = dt
    model.seed = args.seed
    model.timing_enabled = args.kernel_profiling
    model.default_narrow_sparse_ind_enabled = True
    model.fuse_postsynaptic_models = True     # as in GeNN's own microcircuit script,
    model.default_var_location = VarLocation.DEVICE        # which also keeps state and
    model.default_sparse_connectivity_location = VarLocation.DEVICE   # synapses on the GPU
    populations = {}
    for name in population_names(facts):
        layer, pop = name[:-1], name[-1]
        n = int(round(facts["num_neurons"][layer][pop] * args.neuron_scale))
        dc = 0.0
        if k < 1.0:
            dc = 0.001 * 0.5 * (1.0 - math.sqrt(k)) * mean_input_current(facts, name)
        params = {"C": lif_facts["C_nF"], "TauM": lif_facts["tau_m_ms"],
                  "Vrest": lif_facts["V_rest_mV"], "Vreset": lif_facts["V_reset_mV"],
                  "Vthresh": lif_facts["V_thresh_mV"], "Ioffset": dc,
                  "TauRefrac": lif_facts["tau_refrac_ms"]}
        init = {"V": init_var("Normal", {"mean": lif_facts["V_init_mean_mV"],
                                         "sd": lif_facts["V_init_sd_mV"]}),
                "RefracTime": 0.0}
        pop_group = model.add_neuron_population(name, n, "LIF", params, init)
        pop_group.spike_recording_enabled = True
        rate = facts["external_in_degree"][layer][pop] * facts["background_rate_hz_per_synapse"]
        model.add_current_source(f"{name}_background", "PoissonExp", pop_group,
                                 {"weight": facts["external_weight_nA"] / math.sqrt(k),
                                  "tauSyn": lif_facts["tau_syn_ms"], "rate": rate * k},
                                 {"current": 0.0})
        populations[name] = pop_group
    max_delay = {pop: facts["mean_delay_ms"][pop] + 3.0 * facts["delay_sd_ms"][pop]
                 for pop in facts["populations"]}
    max_delay_steps = {pop: int(math.ceil(d / dt)) + 1 for pop, d in max_delay.items()}
    matrix = "PROCEDURAL" if args.procedural_connectivity else "SPARSE"
    for target in population_names(facts):
        for source in population_names(facts):
            p = facts["connection_probabilities_target_by_source"][target][source]
            if p == 0.0:
                continue
            pre, post = populations[source], populations[target]
            num = int(round(full_synapse_number(
                p, facts["num_neurons"][source[:-1]][source[-1]],
                facts["num_neurons"][target[:-1]][target[-1]]) * args.neuron_scale * k))
            if num == 0:
                continue
            src_pop = source[-1]
            weight = mean_weight(facts, source, target) / math.sqrt(k)
            relative_sd = (facts["relative_weight_sd_L4E_to_L23E"]
                           if (source, target) == ("4E", "23E") else facts["relative_weight_sd"])
            bounds = ({"min": 0.0, "max": float(np.finfo(np.float32).max)} if weight > 0 else
                      {"min": -float(np.finfo(np.float32).max), "max": 0.0})
            weight_init = init_var("NormalClipped", dict(mean=weight,
                                                         sd=abs(weight) * relative_sd, **bounds))
            delay_init = init_var("NormalClippedDelay",
                                  {"mean": facts["mean_delay_ms"][src_pop],
                                   "sd": facts["delay_sd_ms"][src_pop], "min": 0.0,
                                   "max": max_delay[src_pop]})
            sg = model.add_synapse_population(
                f"{source}_{target}", matrix, pre, post,
                init_weight_update("StaticPulseDendriticDelay", {},
                                   {"g": weight_init, "d": delay_init}),
                init_postsynaptic("ExpCurr", {"tau": lif_facts["tau_syn_ms"]}),
                init_sparse_connectivity("FixedNumberTotalWithReplacement", {"num": num}))
            sg.max_dendritic_delay_timesteps = max_delay_steps[src_pop]
    return model, populations


def main():
    args = parse_args()
    with open(args.data) as f:
        facts = json.load(f)
    steps = int(round(args.duration / facts["dt_ms"]))
    start = time.perf_counter()
    model, populations = build_model(args, facts)
    model.build()
    built = time.perf_counter()
    model.load(num_recording_timesteps=steps)
    loaded = time.perf_counter()
    if args.multi_step:
        model.step_time(steps)
    else:
        while model.t < args.duration:
            model.step_time()
    sync = getattr(model._runtime, "synchronize", None)
    if sync is not None:
        sync()
    simulated = time.perf_counter()
    model.pull_recording_buffers_from_device()

    sim_time = simulated - loaded
    print(f"backend {model.backend_name}: {model.num_neurons:,} neurons")
    print(f"build {built - start:.2f} s, load {loaded - built:.2f} s, "
          f"simulation {sim_time:.2f} s for {args.duration:.0f} ms")
    print(f"real-time factor {sim_time / (args.duration / 1000.0):.3f}")
    if args.kernel_profiling:
        for name in ("init_time", "init_sparse_time", "neuron_update_time",
                     "presynaptic_update_time", "postsynaptic_update_time",
                     "synapse_dynamics_time"):
            print(f"  {name}: {getattr(model, name):.3f} s")
        profile = getattr(model._runtime, "profile_kernels", None)
        if profile is not None:
            print("  per kernel, us per step (1000 extra steps, launched one by one):")
            for kernel, seconds in profile(1000).items():
                print(f"    {kernel:>28}: {seconds * 1e3:8.2f}")
    rates = {}
    for name, pop in populations.items():
        times, ids = pop.spike_recording_data[0]
        rates[name] = len(times) / pop.num_neurons / (args.duration / 1000.0)
        reported = facts["reported_mean_rates_hz"][name[:-1]][name[-1]]
        print(f"  {name:>4}: {rates[name]:6.2f} Hz (published {reported:.3f} Hz)")
        if args.save_data:
            np.save(f"{name}_spikes.npy", np.vstack((times, ids)))
    save_plot(populations, rates, facts)


def save_plot(populations, rates, facts):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    fig, (raster, bars) = plt.subplots(1, 2, figsize=(12, 6), width_ratios=(3, 1))
    offset = 0
    for pop in populations.values():
        times, ids = pop.spike_recording_data[0]
        keep = ids < max(1, pop.num_neurons // 20)        # a 5 % sample keeps the plot light
        raster.scatter(times[keep], ids[keep] + offset, s=0.5)
        offset += max(1, pop.num_neurons // 20)
    raster.set_xlabel("time [ms]")
    raster.set_ylabel("neuron (5 % sample)")
    names = list(rates)
    bars.barh(names, [rates[n] for n in names], label="pygenn")
    bars.scatter([facts["reported_mean_rates_hz"][n[:-1]][n[-1]] for n in names], names,
                 c="k", marker="x", label="published")
    bars.set_xlabel("mean rate [Hz]")
    bars.legend()
    fig.tight_layout()
    fig.savefig("microcircuit.png", dpi=100)
    print("plot saved to microcircuit.png")


if __name__ == "__main__":
    main()
