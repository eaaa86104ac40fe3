"""References to variables and extra global parameters of other groups.

A reference records the group it points into, the variable's name, what kind of storage it is
(``kind``), the variable's declared type and its access dimensions. Code generation maps
``(kind, group, var_name)`` to an array; validation compares types and dimensions.
"""
from __future__ import annotations

import re

from ..errors import did_you_mean
from ..lang.types import UnresolvedType
from .code_roles import SYNAPTIC_GETTERS
from .enums import (SynapseMatrixConnectivity, SynapseMatrixWeight, VarAccessDim,
                    get_var_access_dim)
from .groups import (CurrentSource, CustomConnectivityUpdate, CustomUpdate, CustomUpdateWU,
                     NeuronGroup, SynapseGroup, declared, model_code, model_name)

ELEMENT_BATCH = VarAccessDim.ELEMENT | VarAccessDim.BATCH

#: kinds of neuron-shaped reference whose ``group`` is a synapse group
SYNAPSE_GROUP_KINDS = ("psm", "wu_pre", "wu_post", "out_post", "den_delay", "src_spike_count")


class VarReference:
    """A reference to a neuron-shaped variable (one value per neuron, or per population).

    Attributes: ``group`` (the object owning the storage), ``var_name``, ``kind`` (one of
    "neuron", "current_source", "custom_update", "psm", "wu_pre", "wu_post", "ccu_pre",
    "ccu_post", "out_post", "den_delay", "spike_time", "prev_spike_time", "src_spike_count"),
    ``type`` (declared, unresolved), ``dims`` (VarAccessDim) and ``var`` (the declaration, or
    None for built-in arrays such as spike times).
    """

    def __init__(self, group, var_name: str, kind: str, type, dims, var=None):
        self.group = group
        self.var_name = var_name
        self.kind = kind
        self.type = UnresolvedType(type)
        self.dims = dims
        self.var = var

    @property
    def size(self) -> int:
        """Number of neurons the referenced variable has one value for."""
        return self.neuron_group_size_of()

    def neuron_group_size_of(self) -> int:
        group = self.group
        if self.kind in ("neuron", "spike_time", "prev_spike_time"):
            return group.num_neurons
        if self.kind == "current_source":
            return group.trg_pop.num_neurons
        if self.kind == "custom_update":
            return group.num_neurons
        if self.kind in ("wu_pre", "src_spike_count"):
            return group.src.num_neurons
        if self.kind == "ccu_pre":
            return group.synapse_group.src.num_neurons
        if self.kind == "ccu_post":
            return group.synapse_group.trg.num_neurons
        return group.trg.num_neurons  # psm, wu_post, out_post, den_delay

    @property
    def synapse_group(self):
        """The synapse group for synapse-group-owned kinds, else None."""
        return self.group if self.kind in SYNAPSE_GROUP_KINDS else None

    @property
    def target_description(self) -> str:
        return f"variable '{self.var_name}' of {self.group.description}"

    def __repr__(self):
        return f"VarReference({self.kind}, {self.group.name!r}, {self.var_name!r})"


class WUVarReference:
    """A reference to a per-synapse variable, optionally transposed into a second group.

    ``kind`` is "wu" (weight update model variable), "custom_update" (variable of a
    CustomUpdateWU) or "ccu" (synaptic variable of a custom connectivity update);
    ``synapse_group`` is the synapse group whose connectivity the variable follows.
    """

    def __init__(self, group, var_name: str, kind: str, type, dims, var=None,
                 transpose_group=None, transpose_var_name: str = "", transpose_type=None,
                 transpose_dims=None):
        self.group = group
        self.var_name = var_name
        self.kind = kind
        self.type = UnresolvedType(type)
        self.dims = dims
        self.var = var
        self.transpose_group = transpose_group
        self.transpose_var_name = transpose_var_name if transpose_group is not None else ""
        self.transpose_type = transpose_type
        self.transpose_dims = transpose_dims

    @property
    def synapse_group(self):
        return self.group if self.kind == "wu" else self.group.synapse_group

    @property
    def target_description(self) -> str:
        return f"variable '{self.var_name}' of {self.group.description}"

    def __repr__(self):
        return f"WUVarReference({self.kind}, {self.group.name!r}, {self.var_name!r})"


class EGPReference:
    """A reference to an extra global parameter of another group.

    ``kind`` is "neuron", "current_source", "custom_update", "ccu", "psm" or "wu".
    """

    def __init__(self, group, egp_name: str, kind: str, type, egp=None):
        self.group = group
        self.egp_name = egp_name
        self.kind = kind
        self.type = UnresolvedType(type)
        self.egp = egp

    def __repr__(self):
        return f"EGPReference({self.kind}, {self.group.name!r}, {self.egp_name!r})"


# ---------------------------------------------------------------------------- lookups
def _find(declarations: list, name: str, what: str, owner: str):
    if not isinstance(name, str):
        raise TypeError(f"{what} names are strings; {owner} got {name!r}")
    for declaration in declarations:
        if declaration.name == name:
            return declaration
    names = [d.name for d in declarations]
    raise RuntimeError(f"{what} '{name}' not found in {owner}." + did_you_mean(name, names))


def _find_var(model, getter: str, name: str, owner: str):
    return _find(declared(model, getter), name, "Variable", f"{owner} (model "
                 f"{model_name(model)})")


def _check_instance(group, classes, function: str, what: str):
    if not isinstance(group, classes):
        raise TypeError(f"{function} needs {what}, not {group!r}")


# ---------------------------------------------------------------------------- neuron-shaped
def create_var_ref(group, var_name: str) -> VarReference:
    """Reference a variable of a neuron group, current source or neuron-shaped custom update.

    Parameters
    ----------
    group : NeuronGroup, CurrentSource or CustomUpdate
        The group that owns the variable.
    var_name : str
        Name of the variable.

    Returns
    -------
    VarReference
        For ``var_refs`` of a custom update, current source, postsynaptic or weight
        update model.
    """
    if isinstance(group, CustomUpdateWU) or isinstance(group, SynapseGroup):
        raise TypeError(f"create_var_ref cannot reference {group.description}; use "
                        "create_wu_var_ref (per-synapse variables) or create_psm_var_ref / "
                        "create_wu_pre_var_ref / create_wu_post_var_ref")
    _check_instance(group, (NeuronGroup, CurrentSource, CustomUpdate), "create_var_ref",
                    "a neuron group, current source or custom update")
    var = _find_var(group.model, "get_vars", var_name, group.description)
    if isinstance(group, CustomUpdate):
        dims = get_var_access_dim(var.access, group.dims)
        return VarReference(group, var_name, "custom_update", var.type, dims, var)
    kind = "neuron" if isinstance(group, NeuronGroup) else "current_source"
    return VarReference(group, var_name, kind, var.type, get_var_access_dim(var.access), var)


def create_psm_var_ref(sg, var_name: str) -> VarReference:
    """Reference a variable of a synapse group's postsynaptic model.

    Parameters
    ----------
    sg : SynapseGroup
        The synapse group.
    var_name : str
        Name of the variable.

    Returns
    -------
    VarReference
        For ``var_refs`` of a custom update, current source, postsynaptic or weight
        update model.
    """
    _check_instance(sg, SynapseGroup, "create_psm_var_ref", "a synapse group")
    var = _find_var(sg.ps_model, "get_vars", var_name, f"{sg.description} postsynaptic model")
    return VarReference(sg, var_name, "psm", var.type, get_var_access_dim(var.access), var)


def create_wu_pre_var_ref(sg, var_name: str) -> VarReference:
    """Reference a presynaptic variable of a synapse group's weight update model.

    Parameters
    ----------
    sg : SynapseGroup
        The synapse group.
    var_name : str
        Name of the variable.

    Returns
    -------
    VarReference
        For ``var_refs`` of a custom update, current source, postsynaptic or weight
        update model.
    """
    _check_instance(sg, SynapseGroup, "create_wu_pre_var_ref", "a synapse group")
    var = _find_var(sg.model, "get_pre_vars", var_name,
                    f"{sg.description} weight update model presynaptic variables")
    return VarReference(sg, var_name, "wu_pre", var.type, get_var_access_dim(var.access), var)


def create_wu_post_var_ref(sg, var_name: str) -> VarReference:
    """Reference a postsynaptic variable of a synapse group's weight update model.

    Parameters
    ----------
    sg : SynapseGroup
        The synapse group.
    var_name : str
        Name of the variable.

    Returns
    -------
    VarReference
        For ``var_refs`` of a custom update, current source, postsynaptic or weight
        update model.
    """
    _check_instance(sg, SynapseGroup, "create_wu_post_var_ref", "a synapse group")
    var = _find_var(sg.model, "get_post_vars", var_name,
                    f"{sg.description} weight update model postsynaptic variables")
    return VarReference(sg, var_name, "wu_post", var.type, get_var_access_dim(var.access), var)


def create_pre_var_ref(ccu, var_name: str) -> VarReference:
    """Reference a presynaptic variable of a custom connectivity update (never batched).

    Parameters
    ----------
    ccu : CustomConnectivityUpdate
        The custom connectivity update.
    var_name : str
        Name of the variable.

    Returns
    -------
    VarReference
        For ``var_refs`` of a custom update, current source, postsynaptic or weight
        update model.
    """
    _check_instance(ccu, CustomConnectivityUpdate, "create_pre_var_ref",
                    "a custom connectivity update")
    var = _find_var(ccu.model, "get_pre_vars", var_name,
                    f"{ccu.description} presynaptic variables")
    return VarReference(ccu, var_name, "ccu_pre", var.type, _without_batch(var.access), var)


def create_post_var_ref(ccu, var_name: str) -> VarReference:
    """Reference a postsynaptic variable of a custom connectivity update (never batched).

    Parameters
    ----------
    ccu : CustomConnectivityUpdate
        The custom connectivity update.
    var_name : str
        Name of the variable.

    Returns
    -------
    VarReference
        For ``var_refs`` of a custom update, current source, postsynaptic or weight
        update model.
    """
    _check_instance(ccu, CustomConnectivityUpdate, "create_post_var_ref",
                    "a custom connectivity update")
    var = _find_var(ccu.model, "get_post_vars", var_name,
                    f"{ccu.description} postsynaptic variables")
    return VarReference(ccu, var_name, "ccu_post", var.type, _without_batch(var.access), var)


def _without_batch(access) -> VarAccessDim:
    return VarAccessDim(int(get_var_access_dim(access)) & ~int(VarAccessDim.BATCH))


def create_out_post_var_ref(sg) -> VarReference:
    """Reference a synapse group's postsynaptic input accumulator (``outPost``/``inSyn``).

    Parameters
    ----------
    sg : SynapseGroup
        The synapse group.

    Returns
    -------
    VarReference
    """
    _check_instance(sg, SynapseGroup, "create_out_post_var_ref", "a synapse group")
    return VarReference(sg, "outPost", "out_post", "scalar", ELEMENT_BATCH)


_ADD_TO_POST_DELAY = re.compile(r"\baddToPostDelay\b|\$\(\s*addToInSynDelay\b")

def uses_dendritic_delay(sg) -> bool:
    """Whether the group's synaptic code calls addToPostDelay (so it has a delay buffer)."""
    return any(_ADD_TO_POST_DELAY.search(model_code(sg.model, g)) for g in SYNAPTIC_GETTERS)


def create_den_delay_var_ref(sg) -> VarReference:
    """Reference a synapse group's dendritic delay ring buffer.

    Parameters
    ----------
    sg : SynapseGroup
        The synapse group.

    Returns
    -------
    VarReference
    """
    _check_instance(sg, SynapseGroup, "create_den_delay_var_ref", "a synapse group")
    if not uses_dendritic_delay(sg):
        raise RuntimeError(f"{sg.description} does not have dendritic delay buffer: its weight "
                           f"update model ({model_name(sg.model)}) never calls addToPostDelay.")
    return VarReference(sg, "denDelay", "den_delay", "scalar", ELEMENT_BATCH)


def create_src_spike_count_var_ref(sg) -> VarReference:
    """Reference the spike count of a synapse group's source population (one per batch).

    Parameters
    ----------
    sg : SynapseGroup
        The synapse group.

    Returns
    -------
    VarReference
    """
    _check_instance(sg, SynapseGroup, "create_src_spike_count_var_ref", "a synapse group")
    return VarReference(sg, "srcSpkCnt", "src_spike_count", "uint32_t", VarAccessDim.BATCH)


def create_spike_time_var_ref(ng) -> VarReference:
    """Reference the last spike times of a neuron group (type "timepoint").

    Parameters
    ----------
    ng : NeuronGroup
        The neuron group.

    Returns
    -------
    VarReference
    """
    _check_instance(ng, NeuronGroup, "create_spike_time_var_ref", "a neuron group")
    return VarReference(ng, "sT", "spike_time", "timepoint", ELEMENT_BATCH)


def create_prev_spike_time_var_ref(ng) -> VarReference:
    """Reference the previous spike times of a neuron group (type "timepoint").

    Parameters
    ----------
    ng : NeuronGroup
        The neuron group.

    Returns
    -------
    VarReference
    """
    _check_instance(ng, NeuronGroup, "create_prev_spike_time_var_ref", "a neuron group")
    return VarReference(ng, "prevST", "prev_spike_time", "timepoint", ELEMENT_BATCH)


# ---------------------------------------------------------------------------- per-synapse
def create_wu_var_ref(group, var_name: str, transpose_sg=None,
                      transpose_var_name: str = "") -> WUVarReference:
    """Reference a per-synapse variable of a synapse group, WU custom update or custom
    connectivity update; optionally transpose it into ``transpose_sg.transpose_var_name``.

    Parameters
    ----------
    group : SynapseGroup, CustomUpdateWU or CustomConnectivityUpdate
        The group that owns the per-synapse variable.
    var_name : str
        Name of the variable.
    transpose_sg : SynapseGroup, optional
        A synapse group with the opposite direction whose variable receives the
        transpose of this one when the custom update runs.
    transpose_var_name : str, optional
        The variable of ``transpose_sg`` that receives it.

    Returns
    -------
    WUVarReference
        For ``var_refs`` of a per-synapse custom update or a custom connectivity
        update.
    """
    ref = _plain_wu_var_ref(group, var_name)
    _check_individual_or_kernel(ref.synapse_group, var_name)
    if transpose_sg is None:
        return ref
    _check_instance(transpose_sg, SynapseGroup, "create_wu_var_ref (transpose target)",
                    "a synapse group")
    var = _find_var(transpose_sg.model, "get_vars", transpose_var_name,
                    transpose_sg.description)
    _check_transpose(ref, transpose_sg, var)
    ref.transpose_group = transpose_sg
    ref.transpose_var_name = transpose_var_name
    ref.transpose_type = var.type
    ref.transpose_dims = get_var_access_dim(var.access)
    return ref


def _plain_wu_var_ref(group, var_name: str) -> WUVarReference:
    if isinstance(group, SynapseGroup):
        var = _find_var(group.model, "get_vars", var_name,
                        f"{group.description} weight update model")
        return WUVarReference(group, var_name, "wu", var.type,
                              get_var_access_dim(var.access), var)
    if isinstance(group, CustomUpdateWU):
        var = _find_var(group.model, "get_vars", var_name, group.description)
        return WUVarReference(group, var_name, "custom_update", var.type,
                              get_var_access_dim(var.access, group.dims), var)
    if isinstance(group, CustomConnectivityUpdate):
        var = _find_var(group.model, "get_vars", var_name, group.description)
        return WUVarReference(group, var_name, "ccu", var.type, _without_batch(var.access), var)
    if isinstance(group, (NeuronGroup, CurrentSource, CustomUpdate)):
        raise TypeError(f"create_wu_var_ref cannot reference {group.description}, which is "
                        "neuron-shaped; use create_var_ref")
    raise TypeError(f"create_wu_var_ref needs a synapse group, custom WU update or custom "
                    f"connectivity update, not {group!r}")


def _check_individual_or_kernel(sg, var_name: str):
    if not (sg.matrix_type & SynapseMatrixWeight.INDIVIDUAL
            or sg.matrix_type & SynapseMatrixWeight.KERNEL):
        raise RuntimeError(
            f"Cannot reference variable '{var_name}' of {sg.description}: only synapse groups "
            f"with INDIVIDUAL or KERNEL weights store per-synapse variables (this one is "
            f"{sg.matrix_type.name}).")


def _check_transpose(ref: WUVarReference, transpose_sg, var):
    sg = ref.synapse_group
    where = (f"Transpose reference from {ref.target_description} to variable "
             f"'{var.name}' of {transpose_sg.description}")
    for group in (sg, transpose_sg):
        if not (group.matrix_type & SynapseMatrixConnectivity.DENSE
                and group.matrix_type & SynapseMatrixWeight.INDIVIDUAL):
            raise RuntimeError(f"{where}: transposes are only supported between DENSE synapse "
                               f"groups, but {group.description} is {group.matrix_type.name}.")
    if (transpose_sg.src.num_neurons != sg.trg.num_neurons
            or transpose_sg.trg.num_neurons != sg.src.num_neurons):
        raise RuntimeError(
            f"{where}: sizes do not transpose: {sg.description} is "
            f"{sg.src.num_neurons}x{sg.trg.num_neurons} but {transpose_sg.description} is "
            f"{transpose_sg.src.num_neurons}x{transpose_sg.trg.num_neurons}.")
    if not same_type(ref.type, var.type, sg._model):
        raise RuntimeError(f"{where}: types differ ('{ref.type}' and '{var.type}').")
    ref_batched = bool(int(ref.dims) & int(VarAccessDim.BATCH))
    var_batched = bool(int(get_var_access_dim(var.access)) & int(VarAccessDim.BATCH))
    if ref_batched != var_batched:
        raise RuntimeError(f"{where}: one variable is batched and the other is not; give both "
                           "the same access.")


def same_type(a, b, spec) -> bool:
    """Whether two declared types resolve to the same type for ``spec``'s precisions.

    GeNN compares the spellings, so a "scalar" reference to a "float" variable fails there;
    we compare resolved types, so "scalar" matches "float" when the model precision is float.
    """
    context = resolve_context(spec)
    try:
        return UnresolvedType(a).resolve(context) == UnresolvedType(b).resolve(context)
    except (KeyError, RuntimeError):
        return UnresolvedType(a) == UnresolvedType(b)


def resolve_context(spec) -> dict:
    from ..lang import types as t
    precision = getattr(spec, "precision", t.Float) if spec is not None else t.Float
    time_precision = getattr(spec, "time_precision", precision) if spec is not None else precision
    return {"scalar": precision, "timepoint": time_precision}


# ---------------------------------------------------------------------------- EGPs
def create_egp_ref(group, egp_name: str) -> EGPReference:
    """Reference an extra global parameter of a neuron group, current source, custom update
    or custom connectivity update.

    Parameters
    ----------
    group : NeuronGroup, CurrentSource, CustomUpdate or CustomConnectivityUpdate
        The group that owns the parameter.
    egp_name : str
        Name of the extra global parameter.

    Returns
    -------
    EGPReference
        For ``egp_refs`` of a custom update or custom connectivity update.
    """
    kinds = ((NeuronGroup, "neuron"), (CurrentSource, "current_source"),
             (CustomUpdate, "custom_update"), (CustomUpdateWU, "custom_update"),
             (CustomConnectivityUpdate, "ccu"))
    for cls, kind in kinds:
        if isinstance(group, cls):
            return _egp_ref(group, group.model, egp_name, kind, group.description)
    if isinstance(group, SynapseGroup):
        raise TypeError(f"create_egp_ref cannot reference {group.description}; use "
                        "create_wu_egp_ref or create_psm_egp_ref")
    raise TypeError(f"create_egp_ref needs a neuron group, current source, custom update or "
                    f"custom connectivity update, not {group!r}")


def create_psm_egp_ref(sg, egp_name: str) -> EGPReference:
    """Reference an extra global parameter of a synapse group's postsynaptic model.

    Parameters
    ----------
    sg : SynapseGroup
        The synapse group.
    egp_name : str
        Name of the extra global parameter.

    Returns
    -------
    EGPReference
        For ``egp_refs`` of a custom update or custom connectivity update.
    """
    _check_instance(sg, SynapseGroup, "create_psm_egp_ref", "a synapse group")
    return _egp_ref(sg, sg.ps_model, egp_name, "psm", f"{sg.description} postsynaptic model")


def create_wu_egp_ref(sg, egp_name: str) -> EGPReference:
    """Reference an extra global parameter of a synapse group's weight update model.

    Parameters
    ----------
    sg : SynapseGroup
        The synapse group.
    egp_name : str
        Name of the extra global parameter.

    Returns
    -------
    EGPReference
        For ``egp_refs`` of a custom update or custom connectivity update.
    """
    _check_instance(sg, SynapseGroup, "create_wu_egp_ref", "a synapse group")
    return _egp_ref(sg, sg.model, egp_name, "wu", f"{sg.description} weight update model")


def _egp_ref(group, model, egp_name: str, kind: str, owner: str) -> EGPReference:
    egp = _find(declared(model, "get_extra_global_params"), egp_name, "Extra global parameter",
                f"{owner} (model {model_name(model)})")
    return EGPReference(group, egp_name, kind, egp.type, egp)
