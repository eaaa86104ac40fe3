"""The code strings of a weight update model: one table that everything else reads.

A weight update model has eleven code strings. Each has a *role* (its keyword name in
``create_weight_update_model``, e.g. ``"pre_spike_syn_code"``), a getter on the model
(``get_pre_spike_syn_code``) and GeNN's wording in error messages ("weight update model sim
code"). The model base class, the factory, validation, the plan and the distributed support
checks all take the roles from ``WU_CODE_ROLES`` instead of spelling them out.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CodeRole:
    """One code string of a weight update model.

    Attributes
    ----------
    name : str
        The role: the keyword name of the code string (``"pre_spike_syn_code"``).
    getter : str
        The model method that returns it (``"get_pre_spike_syn_code"``).
    wording : str
        How GeNN's messages name it ("weight update model sim code").
    doc : str
        The getter's docstring: when the code runs.
    expression : bool
        True for a condition (an expression, not statements).
    synaptic : bool
        True for code run per synapse (it may call ``addToPost`` and read synapse state).
    """

    name: str
    getter: str
    wording: str
    doc: str
    expression: bool = False
    synaptic: bool = False


def _role(name: str, wording: str, doc: str, **flags) -> CodeRole:
    return CodeRole(name, "get_" + name, "weight update model " + wording, doc, **flags)


# In the order GeNN declares them (the order of the getters, the factory's keywords and
# of validation's messages)
WU_CODE_ROLES: tuple[CodeRole, ...] = (
    _role("pre_spike_syn_code", "sim code",
          "Run per synapse when a presynaptic spike arrives.", synaptic=True),
    _role("pre_event_syn_code", "presynaptic event code",
          "Run per synapse when a presynaptic spike-like event arrives.", synaptic=True),
    _role("post_event_syn_code", "postsynaptic event code",
          "Run per synapse when a postsynaptic spike-like event arrives.", synaptic=True),
    _role("post_spike_syn_code", "learn post code",
          "Run per synapse when a postsynaptic spike arrives.", synaptic=True),
    _role("synapse_dynamics_code", "synapse dynamics",
          "Run every step for every synapse.", synaptic=True),
    _role("pre_event_threshold_condition_code", "presynaptic event threshold condition code",
          "Expression: true when a presynaptic neuron emits a spike-like event.",
          expression=True),
    _role("post_event_threshold_condition_code", "postsynaptic event threshold condition code",
          "Expression: true when a postsynaptic neuron emits a spike-like event.",
          expression=True),
    _role("pre_spike_code", "presynaptic spike code", "Run once per spiking presynaptic neuron."),
    _role("post_spike_code", "postsynaptic spike code",
          "Run once per spiking postsynaptic neuron."),
    _role("pre_dynamics_code", "presynaptic dynamics code",
          "Run every step per presynaptic neuron."),
    _role("post_dynamics_code", "postsynaptic dynamics code",
          "Run every step per postsynaptic neuron."),
)

#: role -> getter, the ``CODE_GETTERS`` of ``WeightUpdateModelBase``
WU_CODE_GETTERS: dict[str, str] = {role.name: role.getter for role in WU_CODE_ROLES}

#: the roles run per synapse, and their getters
SYNAPTIC_ROLES: tuple[str, ...] = tuple(role.name for role in WU_CODE_ROLES if role.synaptic)
SYNAPTIC_GETTERS: tuple[str, ...] = tuple(role.getter for role in WU_CODE_ROLES
                                          if role.synaptic)
