"""The part of a model one rank simulates, presented to the ordinary build and load.

``LocalView`` is a context manager: inside it the model's registries (``neuron_populations``,
``synapse_populations``, ...) hold only what this rank simulates, so ``lifecycle.build`` and
``lifecycle.load`` generate, compile and allocate just that; outside it the user's script sees
the whole model again. What a rank simulates:

* the neuron populations assigned to it, with their current sources and every synapse group
  that targets them (all of a target's inputs are local, so ``Isyn`` sums them in the same
  order as on one rank);
* for every source population of those synapse groups that another rank owns, a *proxy*: a
  neuron population of the same name and size, with no variables and no code (it never spikes
  by itself), whose spike lists ``exchange.SpikeExchange`` fills after every step;
* the custom updates and custom connectivity updates whose groups are all local.

Every local population keeps the delay slots and spike queue the whole model gives it
(``ModelPlan`` honours ``_distributed_delay_slots``/``_distributed_spike_queue``): synapse groups
that read a delayed slot, ``st_pre`` or ``prev_st_pre`` then read exactly what they read on one
rank, even though some of the population's outgoing groups live elsewhere.
"""
from __future__ import annotations

from ..interface import groups as interface_groups
from ..model.factories import create_neuron_model
from . import partition as part

#: the neuron model of proxies: nothing to update, never spikes by itself
_PROXY_MODEL = None


def proxy_model():
    global _PROXY_MODEL
    if _PROXY_MODEL is None:
        _PROXY_MODEL = create_neuron_model("PygennRemoteSpikeSource")
    return _PROXY_MODEL


class LocalView:
    """What rank ``rank`` simulates of ``model`` (see the module docstring).

    Parameters
    ----------
    model : GeNNModel
        The whole model (every rank describes the same one).
    ranks : dict
        Neuron population name -> rank.
    rank : int
        This rank.
    plan : ModelPlan
        The whole model's plan (delay slots and spike queues of every population).
    """

    def __init__(self, model, ranks: dict, rank: int, plan):
        self.model, self.ranks, self.rank = model, ranks, rank
        owned = {name for name, r in ranks.items() if r == rank}
        self.owned = owned
        self.synapse_groups = {name: sg for name, sg in model.synapse_populations.items()
                               if part.synapse_owner(sg, ranks) == rank}
        self.proxies = {}
        for sg in self.synapse_groups.values():
            if sg.src.name not in owned and sg.src.name not in self.proxies:
                self.proxies[sg.src.name] = self._make_proxy(sg.src)
        self.neuron_groups = {}
        for name, ng in model.neuron_populations.items():   # model order, as on one rank
            if name in owned:
                self.neuron_groups[name] = ng
            elif name in self.proxies:
                self.neuron_groups[name] = self.proxies[name]
        self.current_sources = {name: cs for name, cs in model.current_sources.items()
                                if part.current_source_owner(cs, ranks) == rank}
        self.custom_updates = {name: cu for name, cu in model.custom_updates.items()
                               if part.custom_update_owner(cu, ranks, model) == rank}
        self.custom_connectivity_updates = {
            name: ccu for name, ccu in model.custom_connectivity_updates.items()
            if part.synapse_owner(ccu.synapse_group, ranks) == rank}
        # outgoing groups of local populations that stay (their targets are local)
        self.out_syn = {name: [sg for sg in self.synapse_groups.values() if sg.src.name == name]
                        for name in self.neuron_groups}
        self.queues = {name: (plan.neurons[name].num_delay_slots, plan.neurons[name].spike_queue)
                       for name in self.neuron_groups}
        self._saved = None

    def _make_proxy(self, source):
        proxy = interface_groups.NeuronGroup(source.name, source.num_neurons, proxy_model(),
                                             {}, {}, self.model)
        proxy.user_call_site = source.user_call_site
        proxy._create_wrappers()
        return proxy

    @property
    def update_group_names(self) -> set:
        """Custom update group names with at least one member on this rank."""
        return {u.update_group_name for u in list(self.custom_updates.values())
                + list(self.custom_connectivity_updates.values())}

    def __enter__(self):
        model = self.model
        self._saved = {
            "registries": (model.neuron_populations, model.synapse_populations,
                           model.current_sources, model.custom_updates,
                           model.custom_connectivity_updates),
            "out_syn": {name: ng.out_syn for name, ng in self.neuron_groups.items()},
            "src": {name: sg.src for name, sg in self.synapse_groups.items()},
        }
        model.neuron_populations = dict(self.neuron_groups)
        model.synapse_populations = dict(self.synapse_groups)
        model.current_sources = dict(self.current_sources)
        model.custom_updates = dict(self.custom_updates)
        model.custom_connectivity_updates = dict(self.custom_connectivity_updates)
        for name, ng in self.neuron_groups.items():
            ng.out_syn = list(self.out_syn[name])
            ng._distributed_delay_slots, ng._distributed_spike_queue = self.queues[name]
        for sg in self.synapse_groups.values():
            if sg.src.name in self.proxies:
                sg.src = self.proxies[sg.src.name]
        return self

    def __exit__(self, *exc_info):
        model, saved = self.model, self._saved
        (model.neuron_populations, model.synapse_populations, model.current_sources,
         model.custom_updates, model.custom_connectivity_updates) = saved["registries"]
        for name, ng in self.neuron_groups.items():
            ng.out_syn = saved["out_syn"][name]
            del ng._distributed_delay_slots, ng._distributed_spike_queue
        for name, sg in self.synapse_groups.items():
            sg.src = saved["src"][name]
        self._saved = None
        return False
