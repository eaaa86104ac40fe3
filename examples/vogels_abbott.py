"""Vogels & Abbott (2005) style balanced network (CUBA variant): LIF neurons, exponential currents.

4,000 neurons (80 % excitatory), 2 % connection probability, run for 1 s of biological time on the
default backend; prints population rates and saves a spike raster with population rates as
``vogels_abbott.png`` (needs matplotlib: ``pip install ".[examples]"``).

    python examples/vogels_abbott.py [num_neurons] [--backend single_threaded_cpu]
"""
import argparse
import os
import time

from pygenn import GeNNModel, init_postsynaptic, init_sparse_connectivity, init_var, \
    init_weight_update

DURATION_MS = 1000.0
PLOT_FILE = "vogels_abbott.png"


def build_network(num_neurons, backend=None):
    """The model and its excitatory and inhibitory populations (spikes recorded)."""
    model = GeNNModel("float", "vogels_abbott", backend=backend)
    model.dt = 0.1
    model.seed = 1234

    # Resting potential above threshold (as in the CUBA variant of the benchmark): neurons fire
    # on their own and the balance of excitation and inhibition keeps the rate low and irregular.
    lif_params = {"C": 0.2, "TauM": 20.0, "Vrest": -49.0, "Vreset": -60.0, "Vthresh": -50.0,
                  "Ioffset": 0.0, "TauRefrac": 5.0}
    lif_init = {"V": init_var("Uniform", {"min": -60.0, "max": -50.0}), "RefracTime": 0.0}

    num_exc = int(num_neurons * 0.8)
    exc = model.add_neuron_population("E", num_exc, "LIF", lif_params, lif_init)
    inh = model.add_neuron_population("I", num_neurons - num_exc, "LIF", lif_params, lif_init)
    exc.spike_recording_enabled = True
    inh.spike_recording_enabled = True

    connectivity = init_sparse_connectivity("FixedProbabilityNoAutapse", {"prob": 0.02})
    exc_weight = init_weight_update("StaticPulseConstantWeight", {"g": 0.0648})
    inh_weight = init_weight_update("StaticPulseConstantWeight", {"g": -0.18})
    exc_syn = init_postsynaptic("ExpCurr", {"tau": 5.0})
    inh_syn = init_postsynaptic("ExpCurr", {"tau": 10.0})
    for source, weight, psm in ((exc, exc_weight, exc_syn), (inh, inh_weight, inh_syn)):
        for target in (exc, inh):
            model.add_synapse_population(f"{source.name}{target.name}", "SPARSE", source,
                                         target, weight, psm, connectivity)
    return model, exc, inh


def save_plot(exc, inh, path):
    """Raster of both populations above their rate histograms; False without matplotlib."""
    try:
        from pygenn import plot
        figure = plot.raster_and_rates(exc, inh, bin_ms=5.0, colors=["tab:red", "tab:blue"],
                                       title="Vogels-Abbott network: spikes and population "
                                             "rates")
    except ImportError as error:
        print(f"no plot: {error}")
        return False
    figure.savefig(path, dpi=120)
    import matplotlib.pyplot as plt
    plt.close(figure)
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("num_neurons", type=int, nargs="?", default=4000)
    parser.add_argument("--backend", default=None)
    parser.add_argument("--plot", default=PLOT_FILE, help="where to save the plot (PNG)")
    args = parser.parse_args(argv)

    model, exc, inh = build_network(args.num_neurons, args.backend)
    num_steps = int(round(DURATION_MS / model.dt))
    start = time.perf_counter()
    model.build()
    model.load(num_recording_timesteps=num_steps)
    built = time.perf_counter()
    # the same as calling model.step_time() num_steps times; a long run shows a progress bar
    model.step_time(num_steps)
    model.pull_recording_buffers_from_device()
    simulated = time.perf_counter()

    print(f"build + load {built - start:.2f} s, simulation of {DURATION_MS / 1000:.1f} s "
          f"biological time {simulated - built:.2f} s")
    rates = {}
    for pop in (exc, inh):
        times, _ = pop.spike_recording_data[0]
        rates[pop.name] = len(times) / pop.num_neurons / (DURATION_MS / 1000.0)
        print(f"population {pop.name}: {len(times)} spikes, mean rate {rates[pop.name]:.1f} Hz")
    if save_plot(exc, inh, args.plot):
        print(f"raster and rate plot saved to {os.path.abspath(args.plot)}")
    return rates


if __name__ == "__main__":
    main()
