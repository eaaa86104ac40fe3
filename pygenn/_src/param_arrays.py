"""Where a snippet's dynamic parameters and extra global parameters are stored.

A group's runtime arrays are keyed ``(group name, array name)``. A snippet's dynamic parameters
and EGPs need array names that cannot collide with those of the other snippets of the same group
(a synapse group has a weight update model, a postsynaptic model, variable initialisers and a
connectivity initialiser). This module is the one table of those names: the plan registers the
arrays with it, code generation binds struct fields with it and the interface loads EGP values
with it, so a struct field can only ever point at an array that exists.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ParamArrays:
    """How one snippet role names its dynamic-parameter and EGP arrays.

    Parameters
    ----------
    egp_prefix, egp_suffix
        An EGP ``e`` is stored as ``f"{egp_prefix}{e}{egp_suffix}"``.
    dynamic_prefix
        A dynamic parameter ``p`` is stored as ``f"{dynamic_prefix}{p}"``.
    """

    egp_prefix: str = ""
    egp_suffix: str = ""
    dynamic_prefix: str = "dyn_"

    def egp(self, name: str) -> str:
        """Array name of extra global parameter ``name``."""
        return f"{self.egp_prefix}{name}{self.egp_suffix}"

    def dynamic(self, name: str) -> str:
        """Array name of dynamic parameter ``name``."""
        return f"{self.dynamic_prefix}{name}"


# the group's own model: neuron, weight update, current source, custom (connectivity) update
MODEL = ParamArrays()
# a synapse group's postsynaptic model
POSTSYNAPTIC = ParamArrays(egp_prefix="ps_", dynamic_prefix="ps_dyn_")
# connectivity initialisers: GeNN's '<egp>SparseConnect' / '<egp>ToeplitzConnect'
SPARSE_CONNECTIVITY = ParamArrays(egp_suffix="SparseConnect", dynamic_prefix="conn_dyn_")
TOEPLITZ_CONNECTIVITY = ParamArrays(egp_suffix="ToeplitzConnect", dynamic_prefix="conn_dyn_")


def var_init(var_name: str) -> ParamArrays:
    """EGPs of the init snippet of variable ``var_name``: GeNN's '<egp><var>'."""
    return ParamArrays(egp_suffix=var_name, dynamic_prefix=f"init_{var_name}_dyn_")


# the roles ``set_dynamic_param_value`` looks in, in order: a synapse group's weight update model
# first, then its postsynaptic model (other groups only have MODEL arrays)
DYNAMIC_LOOKUP_ORDER = (MODEL, POSTSYNAPTIC)
