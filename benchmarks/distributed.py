"""Wall time per biological second of one model on 1, 2, 3, ... CPU ranks (issue 16).

The model: a balanced network split into ``--pops`` excitatory populations and one inhibitory
population (whole populations are what ranks own), with Poisson input, FixedProbability
connectivity and 1 ms / 0.5 ms axonal delays (``--input-delay`` steps from the Poisson input,
default 0); dt 0.1 ms. Each rank count runs as that many
processes on this machine (``pygenn.distributed.run_ranks``), ``--repeats`` times; the figure is
the median over repeats of the slowest rank's simulation loop (``step_time()`` including the
spike exchange), per simulated second. "plain" is an ordinary GeNNModel in one process. Every
run's spike count is printed: they must agree across rank counts (the model is the same).
Ranks exchange spikes every (smallest cross-rank axonal delay + 1) steps: every step with the
default undelayed input, every 6 steps with ``--input-delay 5`` (the column "every"); where
that is 2 or more, ``--overlap`` lets exchanges overlap the next step(s) (every one step
fewer; the column "lag": steps computed while an exchange travels, the smallest over ranks);
``--no-overlap`` (the default, as the model's) runs them blocking.

    python benchmarks/distributed.py [--ranks 1 2 3] [--neurons 20000] [--ms 1000]
                                     [--input-delay 5] [--overlap | --no-overlap]

On a machine with fewer cores than ranks the ranks share cores, and every step waits for the
slowest: expect no speed-up there; the exchange's cost is what this measures then.
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

LIF = {"C": 0.2, "TauM": 20.0, "Vrest": -60.0, "Vreset": -60.0, "Vthresh": -50.0,
       "Ioffset": 0.0, "TauRefrac": 5.0}


def describe(model, num_neurons: int, num_exc_pops: int, backend: str, input_delay: int = 0):
    from pygenn import init_postsynaptic, init_sparse_connectivity, init_var, init_weight_update

    model.dt = 0.1
    model.seed = 7
    exc_size = int(0.8 * num_neurons) // num_exc_pops
    inh_size = num_neurons - exc_size * num_exc_pops
    initial = {"V": init_var("Uniform", {"min": -60.0, "max": -50.0}), "RefracTime": 0.0}
    poisson = model.add_neuron_population("poisson", 1000, "Poisson", {"rate": 10.0},
                                          {"timeStepToSpike": 0.0})
    exc = [model.add_neuron_population(f"exc{i}", exc_size, "LIF", LIF, initial)
           for i in range(num_exc_pops)]
    inh = model.add_neuron_population("inh", inh_size, "LIF", LIF, initial)
    pops = [poisson] + exc + [inh]
    for pop in pops:
        pop.spike_recording_enabled = True
    prob = min(1.0, 80.0 / num_neurons)          # ~80 recurrent inputs per neuron
    connect = init_sparse_connectivity("FixedProbability", {"prob": prob})
    input_connect = init_sparse_connectivity("FixedProbability", {"prob": 0.02})
    excitatory = init_postsynaptic("ExpCurr", {"tau": 5.0})
    inhibitory = init_postsynaptic("ExpCurr", {"tau": 10.0})
    for target in exc + [inh]:
        sg = model.add_synapse_population(f"poisson_{target.name}", "SPARSE", poisson, target,
                                          init_weight_update("StaticPulse", {}, {"g": 0.35}),
                                          excitatory, input_connect)
        sg.axonal_delay_steps = input_delay
        for source in exc:
            sg = model.add_synapse_population(
                f"{source.name}_{target.name}", "SPARSE", source, target,
                init_weight_update("StaticPulse", {}, {"g": 0.1}), excitatory, connect)
            sg.axonal_delay_steps = 10
        sg = model.add_synapse_population(f"inh_{target.name}", "SPARSE", inh, target,
                                          init_weight_update("StaticPulse", {}, {"g": -0.5}),
                                          inhibitory, connect)
        sg.axonal_delay_steps = 5
    return pops


def run(num_neurons: int, num_exc_pops: int, milliseconds: float, backend: str, path: str,
        input_delay: int, distributed: bool, overlap: bool = False):
    """Build, load and simulate; (loop seconds, spikes, exchange seconds, build+load s,
    steps between exchanges, steps computed while an exchange travels)."""
    from pygenn import GeNNModel

    kwargs = {"distribution": None, "overlap_exchange": overlap} if distributed else {}
    model = GeNNModel("float", "dist_bench", backend=backend, **kwargs)
    model.show_progress = False
    pops = describe(model, num_neurons, num_exc_pops, backend, input_delay)
    start = time.perf_counter()
    model.build(path)
    steps = int(round(milliseconds / model.dt))
    model.load(num_recording_timesteps=steps)
    loaded = time.perf_counter()
    while model.timestep < steps:
        model.step_time()
    loop = time.perf_counter() - loaded
    model.pull_recording_buffers_from_device()
    spikes = sum(len(pop.spike_recording_data[0][0]) for pop in pops)
    return (loop, spikes, getattr(model, "exchange_time", 0.0), loaded - start,
            getattr(model, "exchange_every", None), getattr(model, "exchange_lag", None))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ranks", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--neurons", type=int, default=20000)
    parser.add_argument("--pops", type=int, default=4, help="excitatory populations")
    parser.add_argument("--ms", type=float, default=1000.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--backend", default="single_threaded_cpu")
    parser.add_argument("--input-delay", type=int, default=0,
                        help="axonal delay (steps) of the Poisson input's synapse groups")
    parser.add_argument("--overlap", dest="overlap", action="store_true", default=False,
                        help="overlap exchanges with computation where delays allow")
    parser.add_argument("--no-overlap", dest="overlap", action="store_false",
                        help="blocking exchanges (the default)")
    options = parser.parse_args()
    from pygenn.distributed import run_ranks

    print(f"{options.neurons} neurons in {options.pops + 1} populations (+1000 Poisson), "
          f"{options.ms:.0f} ms, backend {options.backend}, {os.cpu_count()} CPUs, input "
          f"delay {options.input_delay} steps, overlap {'on' if options.overlap else 'off'}")
    print("ranks    s per bio s (median, range)    exchange s/bio s (median, range)   every  lag"
          "   spikes   build+load s")
    with tempfile.TemporaryDirectory() as path:
        for label, ranks in [("plain", None)] + [(str(n), n) for n in options.ranks]:
            figures = []
            for _ in range(options.repeats):
                args = (options.neurons, options.pops, options.ms, options.backend, path,
                        options.input_delay)
                if ranks is None:
                    results = [run(*args, False)]
                else:
                    results = run_ranks(run, ranks, *args, True, options.overlap)
                slowest = max(results, key=lambda r: r[0])
                lag = None if results[0][5] is None else min(r[5] for r in results)
                figures.append((slowest[0], slowest[2], results[0][1], slowest[3],
                                results[0][4], lag))
            per_second = [f[0] * 1000.0 / options.ms for f in figures]
            exchange = [f[1] * 1000.0 / options.ms for f in figures]
            every = "-" if figures[0][4] is None else str(figures[0][4])
            lag = "-" if figures[0][5] is None else str(figures[0][5])
            print(f"{label:6s}   {statistics.median(per_second):7.3f} "
                  f"({min(per_second):.3f}-{max(per_second):.3f})"
                  f"{'':10s}{statistics.median(exchange):7.3f} "
                  f"({min(exchange):.3f}-{max(exchange):.3f}){'':12s}{every:>5s}  {lag:>3s}   "
                  f"{figures[0][2]:8d}   {statistics.median(f[3] for f in figures):.2f}")


if __name__ == "__main__":
    main()
