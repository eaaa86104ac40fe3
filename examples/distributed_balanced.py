"""A balanced network of LIF neurons that runs on one rank or on several.

An ordinary PyGeNN script. Run it on one process::

    python examples/distributed_balanced.py

or as 3 ranks (processes) on this machine, each simulating some of its populations and
exchanging spikes every step; the spikes are identical::

    python -m pygenn.distributed -n 3 examples/distributed_balanced.py

(with MPI: ``PYGENN_DISTRIBUTION=mpi mpirun -n 3 python examples/distributed_balanced.py``,
after ``pip install "pygenn[mpi]"``). Every rank runs the whole script; recorded spikes are
gathered to every rank, so the summary below is the same on each, and only rank 0 prints it.
``--steps N`` sets the length (default 2000 steps of 0.1 ms), ``--save FILE`` writes every
population's spikes to an ``.npz`` file.
"""
import argparse
import time

import numpy as np

from pygenn import GeNNModel, init_postsynaptic, init_sparse_connectivity, init_var
from pygenn import init_weight_update

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--steps", type=int, default=2000)
parser.add_argument("--save", default=None)
options = parser.parse_args()

LIF = {"C": 0.2, "TauM": 20.0, "Vrest": -60.0, "Vreset": -60.0, "Vthresh": -50.0,
       "Ioffset": 0.0, "TauRefrac": 5.0}
NUM_EXC_POPS, EXC_SIZE, INH_SIZE = 4, 800, 800

model = GeNNModel("float", "distributed_balanced")
model.dt = 0.1
model.seed = 1234
initial = {"V": init_var("Uniform", {"min": -60.0, "max": -50.0}), "RefracTime": 0.0}
poisson = model.add_neuron_population("poisson", 500, "Poisson", {"rate": 20.0},
                                      {"timeStepToSpike": 0.0})
exc = [model.add_neuron_population(f"exc{i}", EXC_SIZE, "LIF", LIF, initial)
       for i in range(NUM_EXC_POPS)]
inh = model.add_neuron_population("inh", INH_SIZE, "LIF", LIF, initial)
populations = [poisson] + exc + [inh]
for pop in populations:
    pop.spike_recording_enabled = True

connect = init_sparse_connectivity("FixedProbability", {"prob": 0.02})
excitatory = init_postsynaptic("ExpCurr", {"tau": 5.0})
inhibitory = init_postsynaptic("ExpCurr", {"tau": 10.0})
for target in exc + [inh]:
    model.add_synapse_population(f"poisson_{target.name}", "SPARSE", poisson, target,
                                 init_weight_update("StaticPulse", {}, {"g": 0.3}),
                                 excitatory, connect)
    for source in exc:
        sg = model.add_synapse_population(
            f"{source.name}_{target.name}", "SPARSE", source, target,
            init_weight_update("StaticPulse", {}, {"g": 0.08}), excitatory, connect)
        sg.axonal_delay_steps = 10          # 1 ms
    sg = model.add_synapse_population(f"inh_{target.name}", "SPARSE", inh, target,
                                      init_weight_update("StaticPulse", {}, {"g": -0.6}),
                                      inhibitory, connect)
    sg.axonal_delay_steps = 5

start = time.perf_counter()
model.build()
model.load(num_recording_timesteps=options.steps)
loaded = time.perf_counter()
while model.timestep < options.steps:
    model.step_time()
simulated = time.perf_counter()
model.pull_recording_buffers_from_device()

rank = getattr(model, "rank", 0)             # 0 on a plain, one-process run
if rank == 0:
    ranks = getattr(model, "num_ranks", 1)
    print(f"{ranks} rank(s); build + load {loaded - start:.2f} s, simulation "
          f"{simulated - loaded:.2f} s for {options.steps * model.dt:.0f} ms")
    if ranks > 1:
        print("partition:", model.partition)
    for pop in populations:
        times, ids = pop.spike_recording_data[0]
        rate = len(times) / pop.num_neurons / (options.steps * model.dt / 1000.0)
        print(f"  {pop.name:8s} {len(times):7d} spikes  {rate:6.2f} Hz")
    if options.save:
        np.savez(options.save, **{f"{pop.name}_{what}": data
                                  for pop in populations
                                  for what, data in zip(("times", "ids"),
                                                        pop.spike_recording_data[0])})
