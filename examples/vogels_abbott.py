"""Vogels & Abbott (2005) style balanced network (CUBA variant): LIF neurons, exponential currents.

4,000 neurons (80 % excitatory), 2 % connection probability, run for 1 s of biological time on the
default backend; prints population rates and saves a spike raster if matplotlib is installed.
"""
import sys
import time

import numpy as np

from pygenn import GeNNModel, init_postsynaptic, init_sparse_connectivity, init_var, \
    init_weight_update

NUM_NEURONS = int(sys.argv[1]) if len(sys.argv) > 1 else 4000
DURATION_MS = 1000.0

model = GeNNModel("float", "vogels_abbott")
model.dt = 0.1
model.seed = 1234

# Resting potential above threshold (as in the CUBA variant of the benchmark): neurons fire on
# their own and the balance of excitation and inhibition keeps the rate low and irregular.
lif_params = {"C": 0.2, "TauM": 20.0, "Vrest": -49.0, "Vreset": -60.0, "Vthresh": -50.0,
              "Ioffset": 0.0, "TauRefrac": 5.0}
lif_init = {"V": init_var("Uniform", {"min": -60.0, "max": -50.0}), "RefracTime": 0.0}

num_exc = int(NUM_NEURONS * 0.8)
exc = model.add_neuron_population("E", num_exc, "LIF", lif_params, lif_init)
inh = model.add_neuron_population("I", NUM_NEURONS - num_exc, "LIF", lif_params, lif_init)
exc.spike_recording_enabled = True
inh.spike_recording_enabled = True

connectivity = init_sparse_connectivity("FixedProbabilityNoAutapse", {"prob": 0.02})
exc_weight = init_weight_update("StaticPulseConstantWeight", {"g": 0.0648})
inh_weight = init_weight_update("StaticPulseConstantWeight", {"g": -0.18})
exc_syn = init_postsynaptic("ExpCurr", {"tau": 5.0})
inh_syn = init_postsynaptic("ExpCurr", {"tau": 10.0})
for source, weight, psm in ((exc, exc_weight, exc_syn), (inh, inh_weight, inh_syn)):
    for target in (exc, inh):
        model.add_synapse_population(f"{source.name}{target.name}", "SPARSE", source, target,
                                     weight, psm, connectivity)

start = time.perf_counter()
model.build()
model.load(num_recording_timesteps=int(DURATION_MS / model.dt))
built = time.perf_counter()
while model.t < DURATION_MS:
    model.step_time()
simulated = time.perf_counter()
model.pull_recording_buffers_from_device()

print(f"build + load {built - start:.2f} s, simulation of {DURATION_MS / 1000:.1f} s biological "
      f"time {simulated - built:.2f} s")
for pop in (exc, inh):
    times, ids = pop.spike_recording_data[0]
    rate = len(times) / pop.num_neurons / (DURATION_MS / 1000.0)
    print(f"population {pop.name}: {len(times)} spikes, mean rate {rate:.1f} Hz")

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(8, 4))
    for pop, colour, offset in ((exc, "tab:red", 0), (inh, "tab:blue", num_exc)):
        times, ids = pop.spike_recording_data[0]
        ax.scatter(times, ids + offset, s=1, c=colour)
    ax.set_xlabel("time [ms]")
    ax.set_ylabel("neuron")
    fig.savefig("vogels_abbott_raster.png", dpi=100)
    print("raster saved to vogels_abbott_raster.png")
except ImportError:
    pass
