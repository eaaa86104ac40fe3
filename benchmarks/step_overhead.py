"""Microseconds per ``step_time()`` driven from a plain Python loop.

Two networks: a 1,000-neuron LIF population (the per-step host overhead dominates) and a
100,000-neuron, ~10-million-synapse balanced network. Each figure is the median of several timed
runs; every backend in ``backend_modules`` is measured side by side in this one process, so the
printed ratio compares them on the same machine.

    python benchmarks/step_overhead.py [--steps N] [--repeats R] [--backends cuda,single_threaded_cpu]
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time

import numpy as np

from pygenn import GeNNModel, init_postsynaptic, init_sparse_connectivity, init_var, \
    init_weight_update
from pygenn.genn_model import backend_modules

LIF = {"C": 0.2, "TauM": 20.0, "Vrest": -49.0, "Vreset": -60.0, "Vthresh": -50.0,
       "Ioffset": 0.0, "TauRefrac": 5.0}


def small_network(backend: str) -> GeNNModel:
    model = GeNNModel("float", f"step_small_{backend}", backend=backend)
    model.dt = 0.1
    model.add_neuron_population("pop", 1000, "LIF", LIF,
                                {"V": init_var("Uniform", {"min": -60.0, "max": -50.0}),
                                 "RefracTime": 0.0})
    return model


def balanced_network(backend: str, num_neurons=100_000, synapses_per_neuron=100) -> GeNNModel:
    """Vogels-Abbott-style CUBA network: 80/20 E/I, ~num_neurons * synapses_per_neuron synapses."""
    model = GeNNModel("float", f"step_balanced_{backend}", backend=backend)
    model.dt = 0.1
    model.seed = 1
    init = {"V": init_var("Uniform", {"min": -60.0, "max": -50.0}), "RefracTime": 0.0}
    num_exc = int(0.8 * num_neurons)
    exc = model.add_neuron_population("E", num_exc, "LIF", LIF, init)
    inh = model.add_neuron_population("I", num_neurons - num_exc, "LIF", LIF, init)
    exc.spike_recording_enabled = True
    inh.spike_recording_enabled = True
    prob = synapses_per_neuron / num_neurons
    scale = 80 / synapses_per_neuron   # same input per neuron as the 4,000-neuron model (p=0.02)
    for source, weight, tau in ((exc, 0.0648, 5.0), (inh, -0.18, 10.0)):
        for target in (exc, inh):
            model.add_synapse_population(
                f"{source.name}{target.name}", "SPARSE", source, target,
                init_weight_update("StaticPulse", {}, {"g": init_var(
                    "Normal", {"mean": weight * scale, "sd": abs(weight * scale) / 10})}),
                init_postsynaptic("ExpCurr", {"tau": tau}),
                init_sparse_connectivity("FixedProbabilityNoAutapse", {"prob": prob}))
    return model


def time_steps(model: GeNNModel, steps: int, repeats: int):
    """Median microseconds per step over ``repeats`` runs of ``steps`` steps, and the mean
    firing rate (Hz) over the last run when the model records spikes."""
    recorded = [p for p in model.neuron_populations.values() if p.spike_recording_enabled]
    with tempfile.TemporaryDirectory() as directory:
        start = time.perf_counter()
        model.build(path_to_model=directory)
        built = time.perf_counter()
        model.load(num_recording_timesteps=steps if recorded else None)
        _synchronise(model)
        loaded = time.perf_counter()
        synapses = sum(int(np.sum(sg.get_sparse_pre_inds() >= 0))
                       for sg in _pulled(model.synapse_populations.values()))
        print(f"    {model.name}: build {built - start:.2f} s, load (allocate + initialise "
              f"{synapses:,} synapses) {loaded - built:.2f} s")
        for _ in range(max(steps, 2000)):  # warm-up: graph capture, caches, initial transient
            model.step_time()
        _synchronise(model)
        samples = []
        for _ in range(repeats):
            start = time.perf_counter()
            for _ in range(steps):
                model.step_time()
            _synchronise(model)
            samples.append((time.perf_counter() - start) / steps * 1e6)
        rate = None
        if recorded:
            model.pull_recording_buffers_from_device()
            spikes = sum(len(p.spike_recording_data[0][0]) for p in recorded)
            neurons = sum(p.num_neurons for p in recorded)
            rate = spikes / neurons / (steps * model.dt / 1000.0)
        model.unload()
    return statistics.median(samples), rate


def _pulled(synapse_groups):
    for sg in synapse_groups:
        sg.pull_connectivity_from_device()
        yield sg


def _synchronise(model):
    sync = getattr(model._runtime, "synchronize", None)
    if sync is not None:
        sync()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--backends", default=",".join(backend_modules))
    parser.add_argument("--balanced-neurons", type=int, default=100_000)
    args = parser.parse_args()
    backends = [b for b in args.backends.split(",") if b]
    results = {}
    for backend in backends:
        small, _ = time_steps(small_network(backend), args.steps, args.repeats)
        big, rate = time_steps(balanced_network(backend, args.balanced_neurons),
                               max(args.steps // 2, 1000), args.repeats)
        results[backend] = (small, big)
        print(f"{backend:>20}: 1,000 LIF {small:9.2f} us/step | "
              f"{args.balanced_neurons:,}-neuron balanced network {big:10.2f} us/step "
              f"(mean rate {rate:.1f} Hz)")
    if len(results) > 1:
        names = list(results)
        ref = results[names[-1]]
        for name in names[:-1]:
            small, big = results[name]
            print(f"ratio {name}/{names[-1]}: small {small / ref[0]:.3f}, "
                  f"balanced {big / ref[1]:.3f}")


if __name__ == "__main__":
    main()
