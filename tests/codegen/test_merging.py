"""Populations whose generated code is identical share one generated function."""
from pygenn import GeNNModel
from pygenn._src.backends.cpu import generate_cpu
from pygenn._src.codegen.plan import ModelPlan


def _model(num_populations, same_params=True):
    model = GeNNModel("float", "merging", backend="single_threaded_cpu")
    for i in range(num_populations):
        params = {"C": 1.0, "TauM": 20.0, "Vrest": -70.0, "Vreset": -70.0, "Vthresh": -51.0,
                  "Ioffset": 1.5 if same_params else 1.0 + i, "TauRefrac": 2.0}
        model.add_neuron_population(f"pop{i}", 10 + i, "LIF", params,
                                    {"V": -70.0, "RefracTime": 0.0})
    return model


def _neuron_update_groups(model):
    generated = generate_cpu(ModelPlan(model, "single_threaded_cpu"))
    return [m for m in generated.merged_groups if m.kind == "NeuronUpdate"], generated


def test_hundred_populations_share_one_function():
    groups, generated = _neuron_update_groups(_model(100, same_params=False))
    assert len(groups) == 1 and len(groups[0].members) == 100
    # the differing parameter and sizes became struct fields
    names = {f.name for f in groups[0].fields}
    assert {"p_Ioffset", "numNeurons"} <= names
    source = generated.sources["runner.cc"]
    # once per compiled copy of the neuron update: the baseline one, and an AVX2 one where
    # the update has a vectorised state pass (backends/cpu.py)
    copies = 2 if "pygenn_neuron_update_avx2" in source else 1
    assert source.count("// ---- neuron model 'LIF' sim_code ----") == copies


def test_agreed_parameters_are_printed_as_literals():
    groups, generated = _neuron_update_groups(_model(3, same_params=True))
    names = {f.name for f in groups[0].fields}
    assert "p_Ioffset" not in names and "numNeurons" in names
    assert "1.5f" in groups[0].code
