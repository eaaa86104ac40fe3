"""Regenerate the golden generated sources under ``tests/golden/``.

Each reference model below is written the way a PyGeNN script writes it. For every model and
every backend this script generates the sources (without compiling them) and writes them to
``tests/golden/<model>/<backend>/<file>``. ``tests/unit/test_golden_sources.py`` regenerates
them in memory and shows a unified diff when the generated code changes.

Run it from the repository root after an intended change of the generated code, and commit the
changed golden files with that change::

    python tests/golden/regenerate.py

``--check`` only compares (exit status 1 and the diffs when they differ); model names given on
the command line restrict either mode to those models.
"""
from __future__ import annotations

import argparse
import difflib
import re
import sys
from pathlib import Path

import numpy as np

GOLDEN_DIR = Path(__file__).resolve().parent
REPOSITORY = GOLDEN_DIR.parent.parent
if str(REPOSITORY) not in sys.path:
    sys.path.insert(0, str(REPOSITORY))     # the checkout's pygenn, not an installed one

# imported only now, after the line above (hence E402)
from pygenn import (GeNNModel, create_custom_connectivity_update_model,  # noqa: E402
                    create_custom_update_model, create_neuron_model, create_var_ref,
                    create_weight_update_model, create_wu_var_ref, init_postsynaptic,
                    init_sparse_connectivity, init_toeplitz_connectivity, init_var,
                    init_weight_update)
from pygenn import CustomUpdateVarAccess, VarAccessMode  # noqa: E402

BACKENDS = ("single_threaded_cpu", "multi_threaded_cpu", "cuda")

# The reference models are small, but each uses its feature the way a real network does.
LIF_PARAMS = {"C": 1.0, "TauM": 20.0, "Vrest": -70.0, "Vreset": -70.0, "Vthresh": -51.0,
              "Ioffset": 0.0, "TauRefrac": 2.0}
LIF_VARS = {"V": init_var("Uniform", {"min": -70.0, "max": -51.0}), "RefracTime": 0.0}


def _model(name: str, precision: str = "float") -> GeNNModel:
    model = GeNNModel(precision, name, backend="single_threaded_cpu")
    model.dt = 0.1
    model.seed = 1234
    return model


def _lif(model: GeNNModel, name: str, size: int, offset: float = 0.0):
    return model.add_neuron_population(name, size, "LIF", {**LIF_PARAMS, "Ioffset": offset},
                                       LIF_VARS)


def lif_poisson_sparse() -> GeNNModel:
    """Poisson input to LIF neurons through SPARSE synapses with an axonal delay; spikes
    recorded in both populations."""
    model = _model("lif_poisson_sparse")
    poisson = model.add_neuron_population("Input", 100, "Poisson", {"rate": 20.0},
                                          {"timeStepToSpike": 0.0})
    lif = _lif(model, "Excitatory", 80)
    synapses = model.add_synapse_population(
        "InputExcitatory", "SPARSE", poisson, lif,
        init_weight_update("StaticPulse", {}, {"g": init_var("Normal", {"mean": 0.5, "sd": 0.1})}),
        init_postsynaptic("ExpCurr", {"tau": 5.0}),
        init_sparse_connectivity("FixedProbability", {"prob": 0.1}))
    synapses.axonal_delay_steps = 5
    poisson.spike_recording_enabled = True
    lif.spike_recording_enabled = True
    return model


def stdp_dense() -> GeNNModel:
    """Additive pair-based STDP on DENSE synapses between two LIF populations."""
    model = _model("stdp_dense")
    pre = _lif(model, "Pre", 20, offset=1.5)
    post = _lif(model, "Post", 10)
    model.add_synapse_population(
        "PrePost", "DENSE", pre, post,
        init_weight_update("STDP", {"tauPlus": 20.0, "tauMinus": 20.0, "Aplus": 0.01,
                                    "Aminus": 0.012, "Wmin": 0.0, "Wmax": 1.0}, {"g": 0.5}),
        init_postsynaptic("ExpCurr", {"tau": 5.0}))
    return model


def procedural() -> GeNNModel:
    """PROCEDURAL connectivity whose weights are drawn again each time a row is delivered."""
    model = _model("procedural")
    pre = _lif(model, "Pre", 200, offset=1.5)
    post = _lif(model, "Post", 100)
    model.add_synapse_population(
        "PrePost", "PROCEDURAL", pre, post,
        init_weight_update("StaticPulse", {}, {"g": init_var("Normal", {"mean": 0.1, "sd": 0.02})}),
        init_postsynaptic("DeltaCurr"),
        init_sparse_connectivity("FixedProbabilityNoAutapse", {"prob": 0.05}))
    return model


def bitmask() -> GeNNModel:
    """BITMASK connectivity with one global weight."""
    model = _model("bitmask")
    pre = _lif(model, "Pre", 64, offset=1.5)
    post = _lif(model, "Post", 48)
    model.add_synapse_population(
        "PrePost", "BITMASK", pre, post,
        init_weight_update("StaticPulseConstantWeight", {"g": 0.25}),
        init_postsynaptic("DeltaCurr"),
        init_sparse_connectivity("FixedProbability", {"prob": 0.2}))
    return model


def toeplitz_conv() -> GeNNModel:
    """A 3x3 two-channel convolution over an 8x8 image as TOEPLITZ connectivity."""
    model = _model("toeplitz_conv")
    image = model.add_neuron_population("Image", 64, "Poisson", {"rate": 50.0},
                                        {"timeStepToSpike": 0.0})
    features = _lif(model, "Features", 128)
    kernel = np.linspace(-0.5, 0.5, 3 * 3 * 2)
    model.add_synapse_population(
        "Conv", "TOEPLITZ", image, features,
        init_weight_update("StaticPulse", {}, {"g": kernel}),
        init_postsynaptic("ExpCurr", {"tau": 2.0}),
        init_toeplitz_connectivity("Conv2D", {"conv_kh": 3, "conv_kw": 3, "conv_ih": 8,
                                              "conv_iw": 8, "conv_ic": 1, "conv_oh": 8,
                                              "conv_ow": 8, "conv_oc": 2}))
    return model


BATCH_STATS = create_custom_update_model(
    "BatchStats", var_refs=[("v", "scalar", VarAccessMode.READ_ONLY)],
    vars=[("total", "scalar", CustomUpdateVarAccess.REDUCE_BATCH_SUM),
          ("peak", "scalar", CustomUpdateVarAccess.REDUCE_BATCH_MAX)],
    update_code="total = v;\npeak = v;")

SCALE_WEIGHTS = create_custom_update_model(
    "ScaleWeights", params=["factor"], var_refs=[("g", "scalar")], update_code="g *= factor;")


def batch_reduction() -> GeNNModel:
    """Batch size 4: a custom update reducing a neuron variable over the batch and one scaling
    the (shared) weights."""
    model = _model("batch_reduction")
    model.batch_size = 4
    pre = _lif(model, "Pre", 30, offset=1.5)
    post = _lif(model, "Post", 20)
    synapses = model.add_synapse_population(
        "PrePost", "DENSE", pre, post, init_weight_update("StaticPulse", {}, {"g": 0.1}),
        init_postsynaptic("DeltaCurr"))
    model.add_custom_update("Stats", "Reduce", BATCH_STATS, {}, {"total": 0.0, "peak": 0.0},
                            {"v": create_var_ref(post, "V")})
    model.add_custom_update("Scale", "Plasticity", SCALE_WEIGHTS, {"factor": 0.99}, {},
                            {"g": create_wu_var_ref(synapses, "g")})
    return model


PRUNE = create_custom_connectivity_update_model(
    "Prune", params=["threshold"], var_refs=[("g", "scalar")],
    row_update_code="""
    for_each_synapse {
        if (g < threshold) {
            remove_synapse();
        }
    }""")

GROW = create_custom_connectivity_update_model(
    "Grow", params=["weight"], pre_vars=[("rowSize", "scalar")], var_refs=[("g", "scalar")],
    host_update_code="""
    pullRowLengthFromDevice();
    for (uint32_t i = 0; i < num_pre; i++) {
        rowSize[i] = row_length[i];
    }
    pushrowSizeToDevice();
    """,
    row_update_code="""
    if (rowSize < 8.0) {
        add_synapse((id_pre + row_length) % num_post, weight);
    }""")


def custom_connectivity() -> GeNNModel:
    """Custom connectivity updates on SPARSE synapses: one prunes weak synapses on the device,
    one adds synapses and runs host code."""
    model = _model("custom_connectivity")
    pre = _lif(model, "Pre", 40, offset=1.5)
    post = _lif(model, "Post", 40)
    synapses = model.add_synapse_population(
        "PrePost", "SPARSE", pre, post,
        init_weight_update("StaticPulse", {}, {"g": init_var("Uniform", {"min": 0.0, "max": 1.0})}),
        init_postsynaptic("DeltaCurr"),
        init_sparse_connectivity("FixedNumberPostWithReplacement", {"num": 8}))
    synapses.max_connections = 12               # room for the synapses Grow adds
    model.add_custom_connectivity_update("Prune", "Rewire", synapses, PRUNE, {"threshold": 0.1},
                                         {}, {}, {}, {"g": create_wu_var_ref(synapses, "g")})
    model.add_custom_connectivity_update("Grow", "Grow", synapses, GROW, {"weight": 0.5},
                                         {}, {"rowSize": 0.0}, {},
                                         {"g": create_wu_var_ref(synapses, "g")})
    return model


def conductance_current_source() -> GeNNModel:
    """Conductance-based (ExpCond) synapses and two current sources: DC and Poisson noise."""
    model = _model("conductance_current_source", precision="double")
    pre = _lif(model, "Pre", 50)
    post = _lif(model, "Post", 50)
    model.add_current_source("Drive", "DC", pre, {"amp": 1.5})
    model.add_current_source("Noise", "PoissonExp", post,
                             {"weight": 0.5, "tauSyn": 5.0, "rate": 100.0}, {"current": 0.0})
    model.add_synapse_population(
        "PrePost", "SPARSE", pre, post,
        init_weight_update("StaticPulse", {}, {"g": 0.05}),
        init_postsynaptic("ExpCond", {"tau": 5.0, "E": 0.0}, {}, {"V": create_var_ref(post, "V")}),
        init_sparse_connectivity("FixedProbability", {"prob": 0.2}))
    return model


GRADED = create_weight_update_model(
    "GradedRelease", params=["threshold", "scale"], vars=[("g", "scalar")],
    pre_neuron_var_refs=[("V_pre", "scalar", VarAccessMode.READ_ONLY)],
    pre_event_threshold_condition_code="V_pre > threshold",
    pre_event_syn_code="addToPost(g * scale * (V_pre - threshold));")


def spike_events() -> GeNNModel:
    """Spike-like events: graded release whenever the presynaptic voltage exceeds a level,
    with event recording."""
    model = _model("spike_events")
    pre = _lif(model, "Pre", 30, offset=1.5)
    post = _lif(model, "Post", 30)
    model.add_synapse_population(
        "PrePost", "SPARSE", pre, post,
        init_weight_update(GRADED, {"threshold": -60.0, "scale": 0.01}, {"g": 1.0},
                           pre_var_refs={"V_pre": create_var_ref(pre, "V")}),
        init_postsynaptic("ExpCurr", {"tau": 5.0}),
        init_sparse_connectivity("FixedProbability", {"prob": 0.3}))
    pre.spike_event_recording_enabled = True
    return model


NOISY_LIF = create_neuron_model(
    "NoisyLIF", params=["TauM", "Vthresh", "Vreset", "sigma"], vars=[("V", "scalar")],
    sim_code="""
    V += (-V + Isyn) * (dt / TauM) + sigma * sqrt(dt) * gennrand_normal();
    if (gennrand_uniform() < 0.001) {
        V = Vreset;
    }""",
    threshold_condition_code="V >= Vthresh",
    reset_code="V = Vreset;")


def rng_neuron() -> GeNNModel:
    """A custom neuron model that draws random numbers every step."""
    model = _model("rng_neuron")
    neurons = model.add_neuron_population(
        "Noisy", 100, NOISY_LIF, {"TauM": 10.0, "Vthresh": 1.0, "Vreset": 0.0, "sigma": 0.5},
        {"V": init_var("Uniform", {"min": 0.0, "max": 1.0})})
    neurons.spike_recording_enabled = True
    return model


def dendritic_delay() -> GeNNModel:
    """Per-synapse dendritic delays (StaticPulseDendriticDelay) on SPARSE synapses."""
    model = _model("dendritic_delay")
    pre = _lif(model, "Pre", 40, offset=1.5)
    post = _lif(model, "Post", 40)
    synapses = model.add_synapse_population(
        "PrePost", "SPARSE", pre, post,
        init_weight_update("StaticPulseDendriticDelay", {},
                           {"g": 0.2, "d": init_var("Uniform", {"min": 0.0, "max": 9.0})}),
        init_postsynaptic("ExpCurr", {"tau": 5.0}),
        init_sparse_connectivity("FixedProbability", {"prob": 0.25}))
    synapses.max_dendritic_delay_timesteps = 10
    return model


MODELS = {builder.__name__: builder for builder in (
    lif_poisson_sparse, stdp_dense, procedural, bitmask, toeplitz_conv, batch_reduction,
    custom_connectivity, conductance_current_source, spike_events, rng_neuron,
    dendritic_delay)}


# ---------------------------------------------------------------------- generation
def _backend(name: str):
    """The backend object named ``name``, also where it could not run (CUDA without a GPU):
    generating code needs neither a GPU nor a compiler."""
    from pygenn._src.backends import registry
    classes = {"single_threaded_cpu": registry.CpuBackend,
               "multi_threaded_cpu": registry.MultiThreadedCpuBackend,
               "cuda": registry.CudaBackend}
    return classes[name]()


# what could differ between machines or runs if it ever reached a generated file
_VOLATILE = [(re.compile(r"(?<![\w.])/(?:home|tmp|work|root|usr|opt|var)/[^\s\"'<>]*"),
              "<path>")]


def _mask(text: str) -> str:
    for pattern, replacement in _VOLATILE:
        text = pattern.sub(replacement, text)
    return text


def generate(model_name: str) -> dict[str, str]:
    """The generated sources of one reference model on every backend.

    Parameters
    ----------
    model_name : str
        A key of ``MODELS``.

    Returns
    -------
    dict of str to str
        ``"<backend>/<file>"`` (a path relative to ``tests/golden/<model_name>``) -> the text.
    """
    from pygenn._src.codegen.plan import ModelPlan

    files = {}
    for backend_name in BACKENDS:
        model = MODELS[model_name]()
        model.finalize_checks()
        backend = _backend(backend_name)
        generated = backend.generate(ModelPlan(model, backend.name, debug_code=False))
        for file_name, text in generated.sources.items():
            files[f"{backend_name}/{file_name}"] = _mask(text)
    return files


def stored(model_name: str) -> dict[str, str]:
    """The golden files of one model as stored in ``tests/golden/<model_name>``."""
    directory = GOLDEN_DIR / model_name
    return {path.relative_to(directory).as_posix(): path.read_text(encoding="utf-8")
            for path in sorted(directory.rglob("*")) if path.is_file()}


def differences(model_name: str, max_lines: int = 60) -> list[str]:
    """One readable report per golden file of ``model_name`` that differs from what is
    generated now (a unified diff cut after ``max_lines`` lines); empty when all match."""
    expected, actual = stored(model_name), generate(model_name)
    reports = []
    for name in sorted(set(expected) | set(actual)):
        where = f"tests/golden/{model_name}/{name}"
        if name not in actual:
            reports.append(f"{where}: stored but no longer generated")
            continue
        if name not in expected:
            reports.append(f"{where}: generated but not stored")
            continue
        if expected[name] == actual[name]:
            continue
        diff = list(difflib.unified_diff(expected[name].splitlines(), actual[name].splitlines(),
                                         f"{where} (stored)", f"{where} (generated now)",
                                         lineterm=""))
        shown = diff[:max_lines]
        if len(diff) > max_lines:
            shown.append(f"... ({len(diff) - max_lines} more diff lines)")
        reports.append("\n".join(shown))
    return reports


def write(model_name: str) -> list[str]:
    """Write the golden files of one model (removing stale ones); the paths written."""
    directory = GOLDEN_DIR / model_name
    files = generate(model_name)
    for old in sorted(directory.rglob("*"), reverse=True) if directory.exists() else []:
        relative = old.relative_to(directory).as_posix()
        if old.is_file() and relative not in files:
            old.unlink()
        elif old.is_dir() and not any(old.iterdir()):
            old.rmdir()
    written = []
    for name, text in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        written.append(str(path.relative_to(REPOSITORY)))
    return written


def main(argv=None) -> int:
    """Command line: write (default) or ``--check`` the golden sources."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", metavar="MODEL",
                        help=f"models to regenerate (default all: {', '.join(MODELS)})")
    parser.add_argument("--check", action="store_true",
                        help="compare only; exit status 1 when a golden file differs")
    args = parser.parse_args(argv)
    unknown = [name for name in args.models if name not in MODELS]
    if unknown:
        parser.error(f"unknown model(s) {', '.join(unknown)}; the models are "
                     f"{', '.join(MODELS)}")
    names = args.models or list(MODELS)
    if args.check:
        reports = [report for name in names for report in differences(name)]
        print("\n\n".join(reports) or "golden sources up to date")
        return 1 if reports else 0
    total = 0
    for name in names:
        for path in write(name):
            total += (REPOSITORY / path).stat().st_size
            print(path)
    print(f"{total / 1024:.0f} KiB written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
