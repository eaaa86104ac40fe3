"""The public surface of GeNN 5's pygenn: module list and every exported name."""
import importlib
import warnings

import pytest

import pygenn

ALL = [
    "create_current_source_model", "create_custom_update_model",
    "create_custom_connectivity_update_model", "create_den_delay_var_ref",
    "create_neuron_model", "create_out_post_var_ref", "create_postsynaptic_model",
    "create_post_var_ref", "create_pre_var_ref", "create_prev_spike_time_var_ref",
    "create_psm_var_ref", "create_sparse_connect_init_snippet", "create_spike_time_var_ref",
    "create_src_spike_count_var_ref", "create_toeplitz_connect_init_snippet", "create_var_ref",
    "create_weight_update_model", "create_wu_pre_var_ref", "create_wu_post_var_ref",
    "create_wu_var_ref", "create_egp_ref", "create_psm_egp_ref", "create_var_init_snippet",
    "create_wu_egp_ref", "get_var_access_dim", "init_postsynaptic", "init_sparse_connectivity",
    "init_toeplitz_connectivity", "init_var", "init_weight_update",
    "CurrentSource", "CustomConnectivityUpdate", "CustomUpdate", "CustomUpdateBase",
    "CustomUpdateWU", "CustomUpdateVarAccess", "GeNNModel", "ModelSpec", "NeuronGroup",
    "ParallelismHint", "PlogSeverity", "SynapseGroup", "SynapseMatrixType",
    "SynapseMatrixConnectivity", "SynapseMatrixWeight", "VarAccess", "VarAccessDim",
    "VarAccessMode", "VarAccessModeAttribute", "VarLocation", "VarLocationAttribute"]

MODULES = ["pygenn.genn_model", "pygenn.genn_groups", "pygenn.model_preprocessor",
           "pygenn.types", "pygenn.neuron_models", "pygenn.weight_update_models",
           "pygenn.postsynaptic_models", "pygenn.current_source_models",
           "pygenn.custom_update_models", "pygenn.custom_connectivity_update_models",
           "pygenn.init_var_snippets", "pygenn.init_sparse_connectivity_snippets",
           "pygenn.init_toeplitz_connectivity_snippets", "pygenn.single_threaded_cpu_backend",
           "pygenn._genn", "pygenn._runtime"]


def test_all_is_exactly_genns():
    assert sorted(pygenn.__all__) == sorted(ALL)


@pytest.mark.parametrize("name", ALL)
def test_exported_name_imports(name):
    assert getattr(pygenn, name) is not None


@pytest.mark.parametrize("module", MODULES)
def test_module_exists(module):
    importlib.import_module(module)


def test_version():
    assert isinstance(pygenn.__version__, str) and pygenn.__version__.count(".") >= 2


def test_submodule_imports():
    from pygenn import genn_model, types
    from pygenn.genn_model import backend_modules
    assert "single_threaded_cpu" in backend_modules
    assert types.Float.name == "float" and genn_model.GeNNModel is pygenn.GeNNModel


def test_genn_groups_mixins_and_combined_classes():
    from pygenn import genn_groups
    for mixin, group in [("NeuronGroupMixin", "NeuronGroup"),
                         ("SynapseGroupMixin", "SynapseGroup"),
                         ("CurrentSourceMixin", "CurrentSource"),
                         ("CustomUpdateMixin", "CustomUpdate"),
                         ("CustomUpdateWUMixin", "CustomUpdateWU"),
                         ("CustomConnectivityUpdateMixin", "CustomConnectivityUpdate")]:
        assert issubclass(getattr(genn_groups, group), getattr(genn_groups, mixin))
        assert issubclass(getattr(genn_groups, mixin), genn_groups.GroupMixin)
    assert issubclass(pygenn.CustomUpdate, pygenn.CustomUpdateBase)


def test_model_preprocessor_classes():
    from pygenn import model_preprocessor as mp
    assert issubclass(mp.Array, mp.ArrayBase) and issubclass(mp.VariableBase, mp.ArrayBase)
    assert issubclass(mp.Variable, mp.VariableBase)
    assert issubclass(mp.SynapseVariable, mp.VariableBase)
    assert issubclass(mp.ExtraGlobalParameter, mp.Array)


def test_genn_core_names():
    from pygenn._genn import ModelSpec, NumericValue, VarInit
    assert NumericValue(3).value == 3 and VarInit(1.0).constant_value == 1.0
    assert ModelSpec is pygenn.ModelSpec


def test_deprecated_genn_model_helpers():
    from pygenn import genn_model
    with pytest.warns(FutureWarning, match="4.9.0"):
        init = genn_model.init_connectivity("OneToOne", {})
    assert init.snippet.name == "OneToOne"

    def func(pars, dt):
        return 1.0

    for wrapper in (genn_model.create_dpf_class, genn_model.create_cmlf_class,
                    genn_model.create_cksf_class):
        with pytest.warns(FutureWarning, match="4.9.0"):
            made = wrapper(func)
        assert made() is func


def test_builtin_model_by_name():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        name = "LIF"                # looked up by a name known only at run time
        assert getattr(pygenn.neuron_models, name)().name == "LIF"
