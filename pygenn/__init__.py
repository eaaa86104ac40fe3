"""pygenn: a pure-Python implementation of GeNN 5's PyGeNN."""
from . import (  # noqa: F401 - GeNN makes these submodules attributes of pygenn
               current_source_models, custom_connectivity_update_models,
               custom_update_models, genn_model, init_sparse_connectivity_snippets,
               init_toeplitz_connectivity_snippets, init_var_snippets, neuron_models,
               postsynaptic_models, types, weight_update_models)
from ._src.model.enums import (CustomUpdateVarAccess, ParallelismHint, PlogSeverity,
                               SynapseMatrixConnectivity, SynapseMatrixType,
                               SynapseMatrixWeight, VarAccess, VarAccessDim, VarAccessMode,
                               VarAccessModeAttribute, VarLocation, VarLocationAttribute)
from ._src.model.spec import ModelSpec
# registers the distributed model with GeNNModel (GeNNModel(..., distribution=...) and ranks
# started by the launcher); the interface itself does not import the distributed package
from ._src import distributed as _distributed  # noqa: F401
from .genn_groups import (CurrentSource, CustomConnectivityUpdate, CustomUpdate,
                          CustomUpdateBase, CustomUpdateWU, NeuronGroup, SynapseGroup)
from .genn_model import (GeNNModel, create_current_source_model,
                         create_custom_connectivity_update_model, create_custom_update_model,
                         create_den_delay_var_ref, create_egp_ref, create_neuron_model,
                         create_out_post_var_ref, create_post_var_ref,
                         create_postsynaptic_model, create_pre_var_ref,
                         create_prev_spike_time_var_ref, create_psm_egp_ref, create_psm_var_ref,
                         create_sparse_connect_init_snippet, create_spike_time_var_ref,
                         create_src_spike_count_var_ref, create_toeplitz_connect_init_snippet,
                         create_var_init_snippet, create_var_ref, create_weight_update_model,
                         create_wu_egp_ref, create_wu_post_var_ref, create_wu_pre_var_ref,
                         create_wu_var_ref, get_var_access_dim, init_postsynaptic,
                         init_sparse_connectivity, init_toeplitz_connectivity, init_var,
                         init_weight_update)


def _package_version() -> str:
    try:
        from importlib.metadata import PackageNotFoundError, version
    except ImportError:  # pragma: no cover - Python < 3.8
        return "5.4.0"
    try:
        return version("pygenn")
    except PackageNotFoundError:
        return "5.4.0"


__version__ = _package_version()

__all__ = [
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
