"""``GeNNModel``, the model/snippet factories, initialisers and ``backend_modules``."""
from __future__ import annotations

import warnings

from ._src.interface.backends import backend_modules
from ._src.interface.genn_model import GeNNModel
from ._src.model.enums import get_var_access_dim
from ._src.model.factories import (create_current_source_model,
                                   create_custom_connectivity_update_model,
                                   create_custom_update_model, create_neuron_model,
                                   create_postsynaptic_model, create_sparse_connect_init_snippet,
                                   create_toeplitz_connect_init_snippet, create_var_init_snippet,
                                   create_weight_update_model)
from ._src.model.init import (init_postsynaptic, init_sparse_connectivity,
                              init_toeplitz_connectivity, init_var, init_weight_update)
from ._src.model.refs import (create_den_delay_var_ref, create_egp_ref, create_out_post_var_ref,
                              create_post_var_ref, create_pre_var_ref,
                              create_prev_spike_time_var_ref, create_psm_egp_ref,
                              create_psm_var_ref, create_spike_time_var_ref,
                              create_src_spike_count_var_ref, create_var_ref, create_wu_egp_ref,
                              create_wu_post_var_ref, create_wu_pre_var_ref, create_wu_var_ref)


def _deprecated(old: str, new: str) -> None:
    warnings.warn(f"{old} has been deprecated since GeNN 4.9.0; use {new}", FutureWarning,
                  stacklevel=3)


def init_connectivity(init_sparse_connect_snippet, params=None):
    """Deprecated alias of ``init_sparse_connectivity`` (GeNN 4's name).

    Parameters
    ----------
    init_sparse_connect_snippet : InitSparseConnectivitySnippetBase or str
        The connectivity snippet, or a built-in's name.
    params : dict, optional
        Value of each of the snippet's parameters.

    Returns
    -------
    SparseConnectivityInit
    """
    _deprecated("init_connectivity", "init_sparse_connectivity")
    return init_sparse_connectivity(init_sparse_connect_snippet, params)


def create_dpf_class(dp_func):
    """Deprecated (GeNN 4): derived parameter functions are now passed directly.

    Parameters
    ----------
    dp_func : callable
        The derived parameter function.

    Returns
    -------
    callable
        A class-like callable returning ``dp_func``, as GeNN 4 scripts expect.
    """
    _deprecated("create_dpf_class", "the function itself")
    return lambda: dp_func


def create_cmlf_class(cml_func):
    """Deprecated (GeNN 4): row and column length functions are now passed directly.

    Parameters
    ----------
    cml_func : callable
        The maximum row or column length function.

    Returns
    -------
    callable
        A class-like callable returning ``cml_func``, as GeNN 4 scripts expect.
    """
    _deprecated("create_cmlf_class", "the function itself")
    return lambda: cml_func


def create_cksf_class(cks_func):
    """Deprecated (GeNN 4): kernel size functions are now passed directly.

    Parameters
    ----------
    cks_func : callable
        The kernel size function.

    Returns
    -------
    callable
        A class-like callable returning ``cks_func``, as GeNN 4 scripts expect.
    """
    _deprecated("create_cksf_class", "the function itself")
    return lambda: cks_func


__all__ = [
    "GeNNModel", "backend_modules", "get_var_access_dim", "create_neuron_model",
    "create_weight_update_model", "create_postsynaptic_model", "create_current_source_model",
    "create_custom_update_model", "create_custom_connectivity_update_model",
    "create_var_init_snippet", "create_sparse_connect_init_snippet",
    "create_toeplitz_connect_init_snippet", "init_var", "init_sparse_connectivity",
    "init_toeplitz_connectivity", "init_postsynaptic", "init_weight_update",
    "init_connectivity", "create_dpf_class", "create_cmlf_class", "create_cksf_class",
    "create_var_ref", "create_psm_var_ref", "create_wu_pre_var_ref", "create_wu_post_var_ref",
    "create_pre_var_ref", "create_post_var_ref", "create_out_post_var_ref",
    "create_den_delay_var_ref", "create_src_spike_count_var_ref", "create_spike_time_var_ref",
    "create_prev_spike_time_var_ref", "create_wu_var_ref", "create_egp_ref",
    "create_psm_egp_ref", "create_wu_egp_ref"]
