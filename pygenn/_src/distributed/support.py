"""What a model may do across ranks, checked before anything is built.

A synapse group whose source and target populations live on different ranks ("cross-rank")
runs on the target's rank and sees its source through a proxy population that holds only the
source's spikes (and spike times). Whatever else the group would read or write on the source
side cannot work that way; each such use raises ``DistributionError`` naming the synapse group
and what it does, so the user can put both populations on one rank (``partition=``) instead:

* weight update code that runs with the source neurons: ``pre_spike_code``,
  ``pre_dynamics_code``;
* spike-like events (``pre_event_threshold_condition_code``, ``pre_event_syn_code``): their
  condition is evaluated on the source's rank;
* presynaptic neuron variable references (``pre_var_refs`` of ``init_weight_update``);
* ``addToPre`` (input into the source neurons);
* custom updates and custom connectivity updates that reference groups on several ranks
  (``partition.custom_update_owner`` raises for those).

Spikes with any axonal delay, ``st_pre`` and ``prev_st_pre`` are exchanged. Batched models
(``batch_size > 1``) are not distributed yet.
"""
from __future__ import annotations

from ..model.code_roles import SYNAPTIC_ROLES
from . import partition as part


class DistributionError(ValueError):
    """The model does something the distributed model cannot do across ranks."""


#: weight update code roles that run on the source's side, with what they are
_SOURCE_SIDE_ROLES = {
    "pre_spike_code": "runs pre_spike_code with the source neurons",
    "pre_dynamics_code": "runs pre_dynamics_code with the source neurons",
    "pre_event_threshold_condition_code": "uses presynaptic spike-like events "
                                          "(pre_event_threshold_condition_code)",
    "pre_event_syn_code": "uses presynaptic spike-like events (pre_event_syn_code)",
}



def cross_rank_synapse_groups(model, ranks: dict) -> list:
    """Synapse groups whose source and target are on different ranks, in model order."""
    return [sg for sg in model.synapse_populations.values()
            if ranks[sg.src.name] != ranks[sg.trg.name]]


def problems(model, plan, ranks: dict) -> list:
    """Every reason the model cannot run with this assignment (messages; empty when fine).

    ``plan`` is the whole model's ``ModelPlan`` (its parsed code strings say what each
    synapse group's code uses).
    """
    found = []
    if model.batch_size != 1:
        found.append(f"model '{model.name}' has batch_size {model.batch_size}; distributed "
                     f"models are not batched yet (use batch_size 1)")
    for sg in cross_rank_synapse_groups(model, ranks):
        where = (f"{sg.description} connects {sg.src.description} (rank {ranks[sg.src.name]}) "
                 f"to {sg.trg.description} (rank {ranks[sg.trg.name]}) and")
        codes = plan.synapses[sg.name].codes
        for role, what in _SOURCE_SIDE_ROLES.items():
            if role in codes:
                found.append(f"{where} {what}")
        if sg.wu_pre_var_refs:
            found.append(f"{where} reads variables of its source population through "
                         f"presynaptic variable references ({', '.join(sg.wu_pre_var_refs)})")
        if any(codes[r].uses_name("addToPre") for r in SYNAPTIC_ROLES if r in codes):
            found.append(f"{where} calls addToPre (input into the source neurons)")
    for registry in (model.custom_updates, model.custom_connectivity_updates):
        for update in registry.values():
            try:
                part.custom_update_owner(update, ranks, model)
            except ValueError as error:
                found.append(str(error))
    return found


def check(model, plan, ranks: dict) -> None:
    """Raise ``DistributionError`` listing every problem ``problems`` finds."""
    found = problems(model, plan, ranks)
    if found:
        advice = ("Assign the populations involved to one rank with "
                  "GeNNModel(..., partition={'population': rank, ...}).")
        raise DistributionError("This model cannot run over several ranks with this "
                                "assignment of populations to ranks:\n  - "
                                + "\n  - ".join(found) + "\n" + advice)
