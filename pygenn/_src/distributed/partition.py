"""Which rank simulates which population: the default (balanced) assignment and explicit ones.

Whole neuron populations are assigned to ranks. Everything else follows its neuron population:
a synapse group lives on the rank of its *target* (its connectivity is initialised there and
its input buffer is next to the neurons it feeds), a current source on the rank of the
population it drives, a custom update on the rank of the groups it references (all of them must
be on one rank) and a custom connectivity update on the rank of its synapse group.

The default assignment balances an estimate of each population's work per step (neurons plus
the synapses of the groups that target it) with the greedy "largest first onto the least
loaded rank" rule. It is deterministic, so every rank computes the same one from the same
model description.
"""
from __future__ import annotations

import numbers

from ..model.enums import SynapseMatrixConnectivity as Conn


def synapse_estimate(sg) -> float:
    """About how many synapses ``sg`` has (the work its target's rank does per spike)."""
    num_pre, num_post = sg.src.num_neurons, sg.trg.num_neurons
    if getattr(sg, "connections_set", False):
        return float(len(sg.ind))
    dense = bool(int(sg.matrix_type) & int(Conn.DENSE))
    init = sg.sparse_connectivity_initialiser
    if init is not None and not dense:
        params = {k: getattr(v, "value", v) for k, v in init.params.items()}
        if "prob" in params:
            return float(params["prob"]) * num_pre * num_post
        try:
            row = init.calc_max_row_length(num_pre, num_post)
        except Exception:             # a user function that fails here fails at build too
            row = None
        if row is not None:
            return float(min(row, num_post)) * num_pre
    return float(num_pre) * num_post


def population_costs(model) -> dict:
    """Estimated work per step of every neuron population (name -> cost)."""
    costs = {name: float(ng.num_neurons) for name, ng in model.neuron_populations.items()}
    for sg in model.synapse_populations.values():
        costs[sg.trg.name] += synapse_estimate(sg)
    return costs


def check_explicit(model, explicit, num_ranks: int) -> dict:
    """``explicit`` (population or name -> rank) checked against the model; names -> ranks."""
    if explicit is None:
        return {}
    if not hasattr(explicit, "items"):
        raise TypeError(f"partition must be a dict of neuron population (or its name) -> rank, "
                        f"not {explicit!r}")
    result = {}
    for key, rank in explicit.items():
        name = key if isinstance(key, str) else getattr(key, "name", None)
        if name not in model.neuron_populations:
            raise ValueError(f"partition names {key!r}, which is not a neuron population of "
                             f"model '{model.name}' (populations: "
                             f"{', '.join(model.neuron_populations)})")
        if isinstance(rank, bool) or not isinstance(rank, numbers.Integral) \
                or not 0 <= rank < num_ranks:
            raise ValueError(f"partition assigns neuron population '{name}' to rank {rank!r}, "
                             f"but ranks are 0 to {num_ranks - 1} ({num_ranks} ranks)")
        result[name] = int(rank)
    return result


def assign(model, num_ranks: int, explicit=None) -> dict:
    """Rank of every neuron population (name -> rank).

    Parameters
    ----------
    model : ModelSpec
        The whole model, as every rank describes it.
    num_ranks : int
        Number of ranks.
    explicit : dict, optional
        Populations (or their names) -> rank, taken as given; the others are balanced around
        them.
    """
    ranks = check_explicit(model, explicit, num_ranks)
    costs = population_costs(model)
    load = [0.0] * num_ranks
    for name, rank in ranks.items():
        load[rank] += costs[name]
    # largest first, ties by name: every rank computes the same assignment
    for name in sorted((n for n in costs if n not in ranks), key=lambda n: (-costs[n], n)):
        rank = min(range(num_ranks), key=lambda r: (load[r], r))
        ranks[name] = rank
        load[rank] += costs[name]
    return {name: ranks[name] for name in model.neuron_populations}


# ------------------------------------------------------------------ owners of other groups
def synapse_owner(sg, ranks: dict) -> int:
    return ranks[sg.trg.name]


def current_source_owner(cs, ranks: dict) -> int:
    return ranks[cs.trg_pop.name]


def _group_owner(group, ranks: dict, model) -> int:
    """Rank of any group a reference can point into."""
    name = group.name
    if name in model.neuron_populations:
        return ranks[name]
    if name in model.synapse_populations:
        return synapse_owner(group, ranks)
    if name in model.current_sources:
        return current_source_owner(group, ranks)
    if name in model.custom_updates:
        return custom_update_owner(group, ranks, model)
    if name in model.custom_connectivity_updates:
        return synapse_owner(group.synapse_group, ranks)
    raise KeyError(name)


def reference_owners(update, ranks: dict, model) -> dict:
    """Rank of every group ``update`` references: {group description: rank}."""
    owners = {}
    refs = list(getattr(update, "var_refs", {}).values())
    refs += list(getattr(update, "pre_var_refs", {}).values())
    refs += list(getattr(update, "post_var_refs", {}).values())
    refs += list(getattr(update, "egp_refs", {}).values())
    for ref in refs:
        for group in (ref.group, getattr(ref, "transpose_group", None)):
            if group is not None:
                owners[group.description] = _group_owner(group, ranks, model)
        if getattr(ref, "kind", "") == "src_spike_count":
            # the spike count of the synapse group's source population
            owners[ref.group.src.description] = ranks[ref.group.src.name]
    sg = getattr(update, "synapse_group", None)
    if sg is not None:
        owners[sg.description] = synapse_owner(sg, ranks)
    return owners


def custom_update_owner(cu, ranks: dict, model) -> int:
    """The one rank every group ``cu`` references lives on (ValueError if they differ)."""
    owners = reference_owners(cu, ranks, model)
    distinct = sorted(set(owners.values()))
    if len(distinct) > 1:
        where = "; ".join(f"{what} on rank {rank}" for what, rank in owners.items())
        raise ValueError(f"{cu.description} references groups on different ranks ({where}). "
                         f"A custom update runs on one rank: assign those neuron populations "
                         f"to one rank with GeNNModel(..., partition={{...}})")
    return distinct[0] if distinct else 0


def describe(ranks: dict, num_ranks: int, model) -> str:
    """A few lines saying what each rank simulates (for logs and errors)."""
    costs = population_costs(model)
    lines = []
    for rank in range(num_ranks):
        names = [n for n, r in ranks.items() if r == rank]
        work = sum(costs[n] for n in names)
        lines.append(f"rank {rank}: {', '.join(names) or '(nothing)'} (~{work:.3g} neurons + "
                     f"synapses)")
    return "\n".join(lines)
