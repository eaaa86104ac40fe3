"""Time per step of a model whose traces decay through the subnormal range, with the
``flush_denormals`` preference on (the default) and off, on the CPU backends.

Learning rules keep exponentially decaying traces (eligibility traces in e-prop, STDP traces);
in single precision they pass below 1.2e-38 and stay subnormal for a long time. Most CPUs then
handle every operation on them in microcode. Here every neuron carries four traces that start
just below the smallest normal float and decay by 1e-4 per step, so they stay subnormal for the
whole run (about 160,000 steps); a LIF membrane is updated beside them.

    python benchmarks/subnormals.py [--neurons 10000] [--steps 2000] [--repeats 3]
        [--backends single_threaded_cpu,multi_threaded_cpu]

Each figure is the median over ``--repeats`` runs of one loaded model (each after 100 warm-up
steps) of the wall time of a ``step_time(steps)`` call, per step.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

try:
    import pygenn  # noqa: F401
except ImportError:                     # run from a checkout
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from pygenn import GeNNModel, create_neuron_model  # noqa: E402

TRACES = ("e0", "e1", "e2", "e3")

traced_lif = create_neuron_model(
    "traced_lif",
    params=["tau", "decay"],
    vars=[("V", "scalar")] + [(name, "scalar") for name in TRACES],
    sim_code="V += (-V + 0.5) * (dt / tau);\n"
             + "\n".join(f"{name} *= decay;" for name in TRACES),
    threshold_condition_code="V >= 1.0",
    reset_code="V = 0.0;\n" + "\n".join(f"{name} += 1.0e-39;" for name in TRACES))


def time_per_step(backend: str, flush: bool, neurons: int, steps: int, repeats: int,
                  workdir: str) -> list[float]:
    model = GeNNModel("float", f"subnormals_{backend}_{int(flush)}", backend=backend,
                      flush_denormals=flush)
    model.dt = 1.0
    start_values = {"V": 0.0, **{name: 1.1e-38 for name in TRACES}}
    model.add_neuron_population("pop", neurons, traced_lif, {"tau": 20.0, "decay": 0.9999},
                                start_values)
    model.build(path_to_model=workdir)
    model.load()
    model.step_time(100)                # warm-up
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        model.step_time(steps)
        samples.append((time.perf_counter() - started) / steps)
    model.unload()
    return samples


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--neurons", type=int, default=10000)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--backends", default="single_threaded_cpu,multi_threaded_cpu")
    args = parser.parse_args()
    print(f"{args.neurons:,} neurons with {len(TRACES)} subnormal traces each, {args.steps} steps "
          f"per run, medians of {args.repeats} runs")
    print(f"{'backend':>20} {'flush on [us/step]':>19} {'flush off [us/step]':>20} "
          f"{'off / on':>9}")
    with tempfile.TemporaryDirectory(prefix="pygenn_subnormals_") as workdir:
        os.environ.setdefault("PYGENN_CACHE_DIR", os.path.join(workdir, "cache"))
        for backend in [b for b in args.backends.split(",") if b]:
            on = time_per_step(backend, True, args.neurons, args.steps, args.repeats, workdir)
            off = time_per_step(backend, False, args.neurons, args.steps, args.repeats, workdir)
            on_m, off_m = statistics.median(on), statistics.median(off)
            print(f"{backend:>20} {on_m * 1e6:>19.1f} {off_m * 1e6:>20.1f} "
                  f"{off_m / on_m:>9.1f}   (runs: on "
                  + ", ".join(f"{s * 1e6:.1f}" for s in on) + "; off "
                  + ", ".join(f"{s * 1e6:.1f}" for s in off) + ")", flush=True)


if __name__ == "__main__":
    main()
