"""Vogels & Abbott (2005) balanced network written in PyNN, run by pygenn's PyNN backend.

Benchmarks 1 (COBA: IF_cond_exp, conductance synapses) and 2 (CUBA: IF_curr_exp, current
synapses) of Brette et al. (2007): 4,000 neurons, 80 % excitatory, 2 % connection probability,
1 s of biological time; in COBA a Poisson input drives the network for the first 50 ms. Prints
the mean rates. Needs PyNN (``pip install ".[pynn]"``).

    python examples/pynn_vogels_abbott.py [CUBA|COBA] [--backend multi_threaded_cpu]
    python examples/pynn_vogels_abbott.py COBA --simulator pyNN.nest   # the same on NEST
"""
import argparse
import importlib
import time

# cell parameters: 20,000 um^2 of membrane with 1 uF/cm^2 and 5e-5 S/cm^2 leak
AREA_CM2 = 20000e-8
CM_NF = 1.0 * AREA_CM2 * 1000.0          # 0.2 nF
TAU_M_MS = CM_NF / (5e-5 * AREA_CM2 * 1e6)  # 20 ms
V_THRESH, V_RESET, REFRACTORY = -50.0, -60.0, 5.0
TAU_EXC, TAU_INH = 5.0, 10.0
E_REV_EXC, E_REV_INH = 0.0, -80.0
# synaptic weights (nS); CUBA's currents are the COBA conductances at -60 mV
CONDUCTANCES_NS = {"COBA": (4.0, 51.0), "CUBA": (0.27, 4.5)}
RESTING_POTENTIAL = {"COBA": -60.0, "CUBA": -49.0}
CONNECTION_PROBABILITY = 0.02
DELAY_MS = 0.2


def build(sim, benchmark, num_neurons, seed):
    """Create the network; returns the excitatory and inhibitory populations."""
    from pyNN.random import NumpyRNG, RandomDistribution
    rng = NumpyRNG(seed=seed)
    parameters = {"tau_m": TAU_M_MS, "cm": CM_NF, "v_rest": RESTING_POTENTIAL[benchmark],
                  "v_thresh": V_THRESH, "v_reset": V_RESET, "tau_refrac": REFRACTORY,
                  "tau_syn_E": TAU_EXC, "tau_syn_I": TAU_INH}
    exc_nS, inh_nS = CONDUCTANCES_NS[benchmark]
    if benchmark == "COBA":
        celltype = sim.IF_cond_exp(e_rev_E=E_REV_EXC, e_rev_I=E_REV_INH, **parameters)
        weights = (exc_nS * 1e-3, inh_nS * 1e-3)  # uS
    else:
        celltype = sim.IF_curr_exp(**parameters)
        weights = (exc_nS * 1e-3 * (E_REV_EXC - V_RESET),  # nA
                   inh_nS * 1e-3 * (E_REV_INH - V_RESET))
    num_exc = num_neurons * 4 // 5
    exc = sim.Population(num_exc, celltype, label="excitatory")
    inh = sim.Population(num_neurons - num_exc, celltype, label="inhibitory")
    for population in (exc, inh):
        population.initialize(v=RandomDistribution("uniform", (V_RESET, V_THRESH), rng=rng))
        population.record("spikes")

    connector = sim.FixedProbabilityConnector(CONNECTION_PROBABILITY, rng=rng)
    for source, weight, receptor in ((exc, weights[0], "excitatory"),
                                     (inh, weights[1], "inhibitory")):
        for target in (exc, inh):
            sim.Projection(source, target, connector,
                           sim.StaticSynapse(weight=weight, delay=DELAY_MS),
                           receptor_type=receptor)
    if benchmark == "COBA":
        drive = sim.Population(20, sim.SpikeSourcePoisson(rate=100.0, duration=50.0),
                               label="drive")
        for target in (exc, inh):
            sim.Projection(drive, target, sim.FixedProbabilityConnector(0.01, rng=rng),
                           sim.StaticSynapse(weight=0.1, delay=DELAY_MS),
                           receptor_type="excitatory")
    return exc, inh


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("benchmark", nargs="?", default="CUBA", choices=["CUBA", "COBA"])
    parser.add_argument("--simulator", default="pygenn.pynn",
                        help="PyNN backend module (default pygenn.pynn; e.g. pyNN.nest)")
    parser.add_argument("--backend", default=None,
                        help="pygenn backend: single_threaded_cpu, multi_threaded_cpu or cuda")
    parser.add_argument("--neurons", type=int, default=4000)
    parser.add_argument("--duration", type=float, default=1000.0, help="ms")
    parser.add_argument("--seed", type=int, default=98765)
    args = parser.parse_args(argv)

    sim = importlib.import_module(args.simulator)
    options = {"rng_seed": args.seed}
    if args.simulator == "pygenn.pynn" and args.backend:
        options["backend"] = args.backend
    sim.setup(timestep=0.1, min_delay=DELAY_MS, max_delay=1.0, **options)
    start = time.perf_counter()
    exc, inh = build(sim, args.benchmark, args.neurons, args.seed)
    built = time.perf_counter()
    sim.run(args.duration)
    simulated = time.perf_counter()
    rates = {population.label: population.mean_spike_count() * 1000.0 / args.duration
             for population in (exc, inh)}
    compile_note = " (including GeNN code generation)" if args.simulator == "pygenn.pynn" else ""
    print(f"{args.benchmark} on {args.simulator}"
          f"{' (' + args.backend + ')' if args.backend else ''}: network built in "
          f"{built - start:.1f} s, {args.duration:g} ms simulated{compile_note} in "
          f"{simulated - built:.1f} s")
    for label, rate in rates.items():
        print(f"  {label}: mean rate {rate:.2f} Hz")
    sim.end()
    return rates


if __name__ == "__main__":
    main()
