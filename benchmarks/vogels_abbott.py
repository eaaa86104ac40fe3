"""Vogels & Abbott (2005) COBA balanced network: pygenn vs Brian2 (C++ standalone) vs NEST.

The classic COBA benchmark (Brette et al. 2007; the parameters of Brian2's, ANNarchy's and
brian2cuda's COBA benchmark): LIF neurons, 80 % excitatory / 20 % inhibitory, random connectivity
with probability p = 0.02 at 4,000 neurons, exponentially decaying conductances, dt = 0.1 ms,
5 ms refractory period, a constant drive of 20 mV (times g_L) and initial V ~ Normal(-55, 5) mV.
``--scales 10`` means 40,000 neurons with p = 0.002: the in-degree (80) and therefore each
neuron's input stay the same.

The same equations in each simulator's units:

    taum dV/dt = (El - V) + ge (Ee - V) + gi (Ei - V) + I        (Brian2; ge, gi in units of g_L)
    C dV/dt = gL (El - V) + Ge (Ee - V) + Gi (Ei - V) + Ie         (NEST iaf_cond_exp; nS, pA, pF)
    pygenn LIF (C in nF, currents in nA) + ExpCond (inSyn in uS, injects inSyn (E - V))

with C = 200 pF, g_L = C / taum = 10 nS, so Brian2's weights 0.6 / 6.7 (units of g_L) are
6 nS / 67 nS (NEST: 6.0 / -67.0; pygenn: 0.006 / 0.067 uS) and I = 20 mV is 200 pA (pygenn
Ioffset 0.2 nA).

Every run happens in its own subprocess (so a simulator that is not installed, or crashes, is
reported and skipped); the figures are medians over ``--repeats`` runs, each with its own seed.
"build" is everything before the first simulated step: network description, code generation
and compilation (pygenn and Brian2 compile cold, into fresh temporary directories), and
allocating / initialising the state and connectivity. "sim" is the wall time of the simulation
loop only, per second of biological time: pygenn's ``while model.t < duration:
model.step_time()`` Python loop, Brian2 standalone's own timing of its run loop
(timed with std::chrono::steady_clock by code inserted around it: Brian2's own timer,
``device._last_run_time``, is CPU time without OpenMP), NEST's ``nest.Run()``.

    pip install ".[benchmarks]"
With ``--competitors 0,2`` each configuration runs twice: on the idle machine and with 2
CPU-bound competing processes (default: idle, then one competitor per core this process may
run on). The benchmark starts the competitors itself before each run and stops them after it,
so a simulator is measured the way it behaves on a shared machine.

    pip install ".[benchmarks]"
    python benchmarks/vogels_abbott.py [--scales 1,10,100] [--duration 1000]
        [--simulators pygenn,brian2,nest] [--repeats 3] [--threads 2] [--precision float]
        [--competitors 0,N] [--backend multi_threaded_cpu] [--brian2-python PATH]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager

BASE_NEURONS = 4000
BASE_PROB = 0.02
EXC_FRACTION = 0.8
DT = 0.1                  # ms

# Model parameters (Brian2 COBA benchmark)
TAUM = 20.0               # ms
TAUE = 5.0                # ms
TAUI = 10.0               # ms
V_THRESH = -50.0          # mV
V_RESET = -60.0           # mV
E_LEAK = -60.0            # mV
E_EXC = 0.0               # mV
E_INH = -80.0             # mV
DRIVE = 20.0              # mV (I in Brian2's equation, i.e. I_e / g_L)
REFRACTORY = 5.0          # ms
V_INIT_MEAN = -55.0       # mV
V_INIT_SD = 5.0           # mV
W_EXC = 0.6               # units of g_L
W_INH = 6.7               # units of g_L
C_M = 0.2                 # nF (200 pF)
G_LEAK = C_M / TAUM       # uS (10 nS)

RESULT_TAG = "VOGELS_ABBOTT_RESULT "
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# ---------------------------------------------------------------------------------------------
# The three simulators. Each returns a dict: build_s, sim_s (wall seconds of the whole run),
# spikes, synapses.
# ---------------------------------------------------------------------------------------------
def run_pygenn(num_neurons, prob, duration, seed, threads, precision, workdir, backend=""):
    os.environ["PYGENN_CACHE_DIR"] = os.path.join(workdir, "pygenn_cache")  # cold build
    start = time.perf_counter()
    try:
        import pygenn  # noqa: F401 (installed)
    except ImportError:
        sys.path.append(REPO_ROOT)  # run from a checkout
    from pygenn import (GeNNModel, create_var_ref, init_postsynaptic, init_sparse_connectivity,
                        init_var, init_weight_update)

    from pygenn.genn_model import backend_modules
    # by default the fastest CPU backend here (multi_threaded_cpu on a multi-core machine):
    # this is a CPU comparison even where a GPU is present
    if not backend:
        backend = ("multi_threaded_cpu" if "multi_threaded_cpu" in backend_modules
                   else "single_threaded_cpu")
    model = GeNNModel(precision, "vogels_abbott_coba", backend=backend)
    model.dt = DT
    model.seed = seed
    lif_params = {"C": C_M, "TauM": TAUM, "Vrest": E_LEAK, "Vreset": V_RESET,
                  "Vthresh": V_THRESH, "Ioffset": DRIVE * G_LEAK, "TauRefrac": REFRACTORY}
    lif_init = {"V": init_var("Normal", {"mean": V_INIT_MEAN, "sd": V_INIT_SD}),
                "RefracTime": 0.0}
    num_exc = int(round(num_neurons * EXC_FRACTION))
    exc = model.add_neuron_population("E", num_exc, "LIF", lif_params, lif_init)
    inh = model.add_neuron_population("I", num_neurons - num_exc, "LIF", lif_params, lif_init)
    exc.spike_recording_enabled = True
    inh.spike_recording_enabled = True

    connectivity = init_sparse_connectivity("FixedProbability", {"prob": prob})
    for source, weight, tau, e_rev in ((exc, W_EXC, TAUE, E_EXC), (inh, W_INH, TAUI, E_INH)):
        for target in (exc, inh):
            model.add_synapse_population(
                f"{source.name}{target.name}", "SPARSE", source, target,
                init_weight_update("StaticPulseConstantWeight", {"g": weight * G_LEAK}),
                init_postsynaptic("ExpCond", {"tau": tau, "E": e_rev},
                                  var_refs={"V": create_var_ref(target, "V")}),
                connectivity)

    num_steps = int(round(duration / DT))
    model.build(path_to_model=workdir)
    model.load(num_recording_timesteps=num_steps)
    built = time.perf_counter()
    while model.timestep < num_steps:
        model.step_time()
    simulated = time.perf_counter()

    model.pull_recording_buffers_from_device()
    spikes = sum(len(pop.spike_recording_data[0][0]) for pop in (exc, inh))
    synapses = 0
    for sg in model.synapse_populations.values():
        sg.pull_connectivity_from_device()
        synapses += len(sg.get_sparse_pre_inds())
    model.unload()
    return {"build_s": built - start, "sim_s": simulated - built, "spikes": spikes,
            "synapses": synapses}


def run_brian2(num_neurons, prob, duration, seed, threads, precision, workdir):
    start = time.perf_counter()
    import numpy as np
    import brian2 as b2
    from brian2 import ms, mV

    b2.prefs.logging.console_log_level = "WARNING"
    b2.prefs.logging.file_log = False
    b2.prefs.logging.delete_log_on_exit = True
    if precision == "float":
        b2.prefs.core.default_float_dtype = np.float32
    directory = os.path.join(workdir, "brian2_standalone")
    b2.set_device("cpp_standalone", directory=directory, build_on_run=False)
    b2.prefs.devices.cpp_standalone.openmp_threads = 0  # single-threaded, like pygenn's CPU
    # Brian2's own timer of its run loop (device._last_run_time) is std::clock(), the
    # process's CPU time, when it runs without OpenMP: that leaves out the time the process
    # waits for a core, which would flatter it on a loaded machine. So the run loop is timed
    # by the wall clock here, as pygenn's is, with code inserted around it in main().
    b2.prefs.codegen.cpp.headers += ["<chrono>", "<cstdio>"]
    b2.device.insert_code("before_network_run",
                          "const auto _bench_start = std::chrono::steady_clock::now();")
    b2.device.insert_code("after_network_run", (
        "{ FILE *_f = fopen(\"bench_wall_time.txt\", \"w\"); fprintf(_f, \"%.9f\", "
        "std::chrono::duration<double>(std::chrono::steady_clock::now() - _bench_start)"
        ".count()); fclose(_f); }"))
    b2.defaultclock.dt = DT * ms
    b2.seed(seed)

    namespace = {"taum": TAUM * ms, "taue": TAUE * ms, "taui": TAUI * ms,
                 "Vt": V_THRESH * mV, "Vr": V_RESET * mV, "El": E_LEAK * mV, "Ee": E_EXC * mV,
                 "Ei": E_INH * mV, "I": DRIVE * mV, "we": W_EXC, "wi": W_INH}
    eqs = """
    dv/dt = (El - v + ge * (Ee - v) + gi * (Ei - v) + I) / taum : volt (unless refractory)
    dge/dt = -ge / taue : 1
    dgi/dt = -gi / taui : 1
    """
    num_exc = int(round(num_neurons * EXC_FRACTION))
    group = b2.NeuronGroup(num_neurons, eqs, threshold="v > Vt", reset="v = Vr",
                           refractory=REFRACTORY * ms, method="euler", namespace=namespace)
    group.v = f"{V_INIT_MEAN}*mV + {V_INIT_SD}*mV*randn()"
    exc, inh = group[:num_exc], group[num_exc:]
    exc_syn = b2.Synapses(exc, group, on_pre="ge += we", namespace=namespace)
    exc_syn.connect(p=prob)
    inh_syn = b2.Synapses(inh, group, on_pre="gi += wi", namespace=namespace)
    inh_syn.connect(p=prob)
    monitor = b2.SpikeMonitor(group, record=False)
    b2.run(duration * ms, namespace=namespace)
    b2.device.build(directory=directory, compile=True, run=False, with_output=False)
    compiled = time.perf_counter()
    b2.device.run(directory=directory, with_output=False, run_args=[])
    finished = time.perf_counter()
    # the C++ run loop only (not connectivity generation), by the wall clock
    with open(os.path.join(directory, "bench_wall_time.txt")) as f:
        sim = float(f.read())
    # the binary's time outside the run loop (allocation, connectivity) counts as build
    build = (compiled - start) + (finished - compiled - sim)
    result = {"build_s": build, "sim_s": sim, "spikes": int(monitor.num_spikes),
              "synapses": int(len(exc_syn) + len(inh_syn))}
    b2.device.reinit()
    return result


def run_nest(num_neurons, prob, duration, seed, threads, precision, workdir):
    start = time.perf_counter()
    import nest

    if hasattr(nest, "VerbosityLevel"):
        nest.verbosity = nest.VerbosityLevel.ERROR
    else:
        nest.set_verbosity("M_ERROR")
    nest.ResetKernel()
    nest.SetKernelStatus({"resolution": DT, "local_num_threads": threads, "rng_seed": seed,
                          "print_time": False, "data_path": workdir})
    c_m = C_M * 1000.0          # pF
    g_l = G_LEAK * 1000.0       # nS
    params = {"C_m": c_m, "g_L": g_l, "E_L": E_LEAK, "V_th": V_THRESH, "V_reset": V_RESET,
              "t_ref": REFRACTORY, "E_ex": E_EXC, "E_in": E_INH, "tau_syn_ex": TAUE,
              "tau_syn_in": TAUI, "I_e": DRIVE * g_l}
    num_exc = int(round(num_neurons * EXC_FRACTION))
    exc = nest.Create("iaf_cond_exp", num_exc, params=params)
    inh = nest.Create("iaf_cond_exp", num_neurons - num_exc, params=params)
    everyone = exc + inh
    everyone.V_m = nest.random.normal(mean=V_INIT_MEAN, std=V_INIT_SD)
    rule = {"rule": "pairwise_bernoulli", "p": prob, "allow_autapses": True}
    nest.Connect(exc, everyone, rule, {"synapse_model": "static_synapse",
                                       "weight": W_EXC * g_l, "delay": DT})
    nest.Connect(inh, everyone, rule, {"synapse_model": "static_synapse",
                                       "weight": -W_INH * g_l, "delay": DT})
    recorder = nest.Create("spike_recorder")
    nest.Connect(everyone, recorder)
    nest.Prepare()
    built = time.perf_counter()
    nest.Run(duration)
    simulated = time.perf_counter()
    nest.Cleanup()
    return {"build_s": built - start, "sim_s": simulated - built,
            "spikes": int(recorder.n_events), "synapses": int(nest.num_connections) - num_neurons}


SIMULATORS = {"pygenn": run_pygenn, "brian2": run_brian2, "nest": run_nest}


def worker(args):
    """One run in this (sub)process; prints its result as a tagged JSON line."""
    workdir = tempfile.mkdtemp(prefix=f"vogels_abbott_{args.worker}_")
    try:
        prob = BASE_PROB * BASE_NEURONS / args.neurons
        extra = {"backend": args.backend} if args.worker == "pygenn" else {}
        result = SIMULATORS[args.worker](args.neurons, prob, args.duration, args.seed,
                                         args.threads, args.precision, workdir, **extra)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    result["rate_hz"] = result["spikes"] / args.neurons / (args.duration / 1000.0)
    result["sim_per_bio_s"] = result["sim_s"] / (args.duration / 1000.0)
    sys.stdout.flush()
    print(RESULT_TAG + json.dumps(result), flush=True)


# ---------------------------------------------------------------------------------------------
# Driver: subprocess per run, medians, table.
# ---------------------------------------------------------------------------------------------
def usable_cores() -> int:
    """The cores this process may run on (its affinity mask), else all of them."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:            # not Linux
        return os.cpu_count() or 1


@contextmanager
def competitors(count: int):
    """``count`` CPU-bound processes (a Python busy loop each) running while the block runs.

    They are ordinary processes at the default priority, as other users' jobs would be; each is
    stopped (SIGTERM, then SIGKILL) and reaped when the block ends, also on errors.
    """
    procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
             for _ in range(count)]
    try:
        if procs:
            time.sleep(0.2)           # let them start spinning before the run begins
        yield
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def run_one(sim, neurons, seed, args, load=0):
    python = args.brian2_python if sim == "brian2" and args.brian2_python else sys.executable
    command = [python, os.path.abspath(__file__), "--worker", sim,
               "--neurons", str(neurons), "--duration", str(args.duration), "--seed", str(seed),
               "--threads", str(args.threads), "--precision", args.precision,
               "--backend", args.backend]
    env = dict(os.environ)
    if sim == "brian2":
        env["OMP_NUM_THREADS"] = "1"
    try:
        with competitors(load):
            proc = subprocess.run(command, capture_output=True, text=True,
                                  timeout=args.timeout, env=env)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {args.timeout} s"
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_TAG):
            return json.loads(line[len(RESULT_TAG):]), None
    lines = (proc.stderr or proc.stdout).strip().splitlines()
    missing = any("ModuleNotFoundError" in l or "No module named" in l for l in lines)
    tail = lines[-1] if lines else f"exit status {proc.returncode}"
    return None, ("not installed: " if missing else "failed: ") + tail


def fmt(value, spec):
    return "-" if value is None else format(value, spec)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", default="1,10,100",
                        help="network sizes as multiples of 4,000 neurons (same in-degree)")
    parser.add_argument("--duration", type=float, default=1000.0, help="biological time (ms)")
    parser.add_argument("--simulators", default="pygenn,brian2,nest")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="NEST threads")
    parser.add_argument("--precision", default="float", choices=["float", "double"],
                        help="pygenn's and Brian2's floating-point type (NEST is always double)")
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per run")
    parser.add_argument("--competitors", default=f"0,{usable_cores()}",
                        help="comma-separated numbers of CPU-bound competing processes to run "
                             "each configuration with (default: 0 and one per usable core)")
    parser.add_argument("--backend", default="",
                        help="pygenn's backend (default multi_threaded_cpu where there is more "
                             "than one core, else single_threaded_cpu)")
    parser.add_argument("--brian2-python", default="",
                        help="the Python interpreter to run Brian2 with (e.g. a virtual "
                             "environment's, where Brian2 needs an older numpy than pygenn's)")
    parser.add_argument("--worker", choices=list(SIMULATORS), help=argparse.SUPPRESS)
    parser.add_argument("--neurons", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return

    scales = [float(s) for s in args.scales.split(",") if s]
    sims = [s for s in args.simulators.split(",") if s]
    unknown = [s for s in sims if s not in SIMULATORS]
    if unknown:
        parser.error(f"unknown simulator(s) {unknown}; choose from {list(SIMULATORS)}")
    print(f"COBA network, {args.duration:g} ms biological time, dt {DT} ms, {args.repeats} "
          f"repeat(s), precision {args.precision} (NEST double, {args.threads} threads); "
          f"{os.cpu_count()} CPU cores")
    loads = [int(n) for n in args.competitors.split(",") if n.strip()]
    rows = []
    skipped = {}
    for scale in scales:
        neurons = int(round(BASE_NEURONS * scale))
        for load in loads:
            medians = {}
            for sim in sims:
                if sim in skipped:
                    continue
                samples = []
                for repeat in range(args.repeats):
                    result, error = run_one(sim, neurons, args.seed + repeat, args, load)
                    if result is None:
                        print(f"  {sim} at {neurons:,} neurons: {error}", flush=True)
                        if error.startswith("not installed"):
                            skipped[sim] = error
                        break
                    samples.append(result)
                    print(f"  {sim:>7} {neurons:>9,} neurons, {load} competitor(s), run "
                          f"{repeat + 1}: build {result['build_s']:7.2f} s, sim "
                          f"{result['sim_per_bio_s']:8.3f} s per biological s, rate "
                          f"{result['rate_hz']:5.1f} Hz, {result['synapses']:,} synapses",
                          flush=True)
                if samples:
                    medians[sim] = {key: statistics.median(s[key] for s in samples)
                                    for key in ("build_s", "sim_per_bio_s", "rate_hz",
                                                "synapses")}
            rows.append((neurons, load, medians))

    header = (f"{'simulator':>9} {'neurons':>9} {'competitors':>11} {'synapses':>12} "
              f"{'build [s]':>10} {'sim [s/bio s]':>14} {'rate [Hz]':>10} {'pygenn/brian2':>14} "
              f"{'pygenn/nest':>12}")
    print()
    print(f"medians of {args.repeats} run(s); sim = wall time of the simulation loop per second "
          f"of biological time; ratios are of sim times; competitors = CPU-bound processes "
          f"running beside it ({usable_cores()} usable cores)")
    print(header)
    print("-" * len(header))
    for neurons, load, medians in rows:
        pg = medians.get("pygenn")
        for sim in sims:
            if sim not in medians:
                print(f"{sim:>9} {neurons:>9,} {load:>11} {'(no result)':>12}")
                continue
            m = medians[sim]
            ratio_b = ratio_n = None
            if sim == "pygenn":
                if "brian2" in medians:
                    ratio_b = pg["sim_per_bio_s"] / medians["brian2"]["sim_per_bio_s"]
                if "nest" in medians:
                    ratio_n = pg["sim_per_bio_s"] / medians["nest"]["sim_per_bio_s"]
            print(f"{sim:>9} {neurons:>9,} {load:>11} {int(m['synapses']):>12,} "
                  f"{m['build_s']:>10.2f} {m['sim_per_bio_s']:>14.3f} {m['rate_hz']:>10.1f} "
                  f"{fmt(ratio_b, '.2f'):>14} {fmt(ratio_n, '.2f'):>12}")
    for sim, error in skipped.items():
        print(f"{sim} skipped: {error}")


if __name__ == "__main__":
    main()
