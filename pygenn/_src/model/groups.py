"""Core population objects: neuron groups, synapse groups, current sources, custom updates.

These hold the validated model description that code generation reads. The
Python behaviour users see on top (``vars``, ``values``, recording data ...) is added by the
mix-ins of ``pygenn._src.interface.groups``. ``ModelSpec`` (spec.py) creates these objects after
validating what the user passed; setters here validate what users may change afterwards.
"""
from __future__ import annotations

from .enums import VarLocation
from .group_base import (Group, VarLocations, _check_location, declared, declared_names,
                         model_code, model_name, plain_param_values)
from .synapse_group import SynapseGroup, _check_target_var

# the model description's groups and helpers, importable from here as before the split
__all__ = ["Group", "NeuronGroup", "SynapseGroup", "CurrentSource", "CustomUpdateBase",
           "CustomUpdate", "CustomUpdateWU", "CustomConnectivityUpdate", "VarLocations",
           "declared", "declared_names", "model_code", "model_name", "plain_param_values"]


class NeuronGroup(Group):
    """A population of neurons sharing one neuron model."""

    kind = "Neuron group"
    # On a rank of a distributed model the delay slots and spike queue the whole model gives
    # this population (some of its synapse groups live on other ranks); set and removed
    # around a rank's build (distributed/localise.py). 1 and False: only the local model's
    # synapse groups decide.
    _distributed_delay_slots = 1
    _distributed_spike_queue = False

    def __init__(self, name: str, num_neurons: int, model, params: dict,
                 var_initialisers: dict, spec):
        super().__init__(name, model, params, spec)
        self.num_neurons = num_neurons
        self.var_initialisers = var_initialisers
        self._var_locations = self._locations(model, "get_vars", "variable")
        self.spike_recording_enabled = False
        self.spike_event_recording_enabled = False
        self.recording_zero_copy_enabled = False
        self.spike_time_location = self._default_location()
        self.prev_spike_time_location = self._default_location()
        self.in_syn: list = []
        self.out_syn: list = []
        self.current_sources: list = []

    def var_location(self, name: str) -> VarLocation:
        """Where the variable ``name`` is stored (host, device or both).

        Parameters
        ----------
        name : str
            Name of the variable.

        Returns
        -------
        VarLocation
        """
        return self._var_locations.get(name)

    get_var_location = var_location

    @property
    def spike_time_location(self) -> VarLocation:
        """Location of the spike-time array."""
        return self._spike_time_location

    @spike_time_location.setter
    def spike_time_location(self, value):
        self._spike_time_location = _check_location(value, "spike_time_location")

    @property
    def prev_spike_time_location(self) -> VarLocation:
        """Location of the previous-spike-time array."""
        return self._prev_spike_time_location

    @prev_spike_time_location.setter
    def prev_spike_time_location(self, value):
        self._prev_spike_time_location = _check_location(value, "prev_spike_time_location")

    def set_var_location(self, var_name: str, loc) -> None:
        """Choose where the variable ``var_name`` is stored (before build).

        Parameters
        ----------
        var_name : str
            Name of the variable.
        loc : VarLocation
            ``VarLocation.HOST_DEVICE`` (the default), ``DEVICE`` or ``HOST_DEVICE_ZERO_COPY``.
        """
        self._var_locations.set(var_name, loc)

    @property
    def _num_delay_slots(self) -> int:
        """Delay slots from axonal/back-prop delays (code generation adds ``[d]`` reads)."""
        delays = [sg.axonal_delay_steps for sg in self.out_syn]
        delays += [sg.back_prop_delay_steps for sg in self.in_syn]
        return 1 + max(delays, default=0)


class CurrentSource(Group):
    """A current injected into every neuron of one neuron group."""

    kind = "Current source"

    def __init__(self, name: str, model, trg_pop, params: dict, var_initialisers: dict, spec):
        super().__init__(name, model, params, spec)
        self.trg_pop = trg_pop
        self.var_initialisers = var_initialisers
        self.neuron_var_refs: dict = {}
        self._target_var = "Isyn"
        self._var_locations = self._locations(model, "get_vars", "variable")

    @property
    def target_var(self) -> str:
        """Input variable of the target neuron the injected current adds to."""
        return self._target_var

    @target_var.setter
    def target_var(self, name: str):
        self._target_var = _check_target_var(name, self.trg_pop, f"{self.description}: "
                                             "target_var")

    def var_location(self, name):
        """Where the variable ``name`` is stored (host, device or both).

        Parameters
        ----------
        name : str
            Name of the variable.

        Returns
        -------
        VarLocation
        """
        return self._var_locations.get(name)

    get_var_location = var_location

    def set_var_location(self, var_name, loc):
        """Choose where the variable ``var_name`` is stored (before build).

        Parameters
        ----------
        var_name : str
            Name of the variable.
        loc : VarLocation
            ``VarLocation.HOST_DEVICE`` (the default), ``DEVICE`` or ``HOST_DEVICE_ZERO_COPY``.
        """
        self._var_locations.set(var_name, loc)


class CustomUpdateBase(Group):
    """What neuron-shaped and weight-update-shaped custom updates share."""

    kind = "Custom update"

    def __init__(self, name: str, update_group_name: str, model, params: dict,
                 var_initialisers: dict, var_refs: dict, egp_refs: dict, dims, spec):
        super().__init__(name, model, params, spec)
        self.update_group_name = update_group_name
        self.var_initialisers = var_initialisers
        self.var_refs = var_refs
        self.egp_refs = egp_refs
        self.dims = dims
        self._var_locations = self._locations(model, "get_vars", "variable")

    @property
    def _dims(self):
        return self.dims

    def var_location(self, name):
        """Where the variable ``name`` is stored (host, device or both).

        Parameters
        ----------
        name : str
            Name of the variable.

        Returns
        -------
        VarLocation
        """
        return self._var_locations.get(name)

    get_var_location = var_location

    def set_var_location(self, var_name, loc):
        """Choose where the variable ``var_name`` is stored (before build).

        Parameters
        ----------
        var_name : str
            Name of the variable.
        loc : VarLocation
            ``VarLocation.HOST_DEVICE`` (the default), ``DEVICE`` or ``HOST_DEVICE_ZERO_COPY``.
        """
        self._var_locations.set(var_name, loc)


class CustomUpdate(CustomUpdateBase):
    """A custom update over neuron-shaped variables; ``num_neurons`` is their common size."""

    def __init__(self, name, update_group_name, model, params, var_initialisers, var_refs,
                 egp_refs, dims, num_neurons: int, spec):
        super().__init__(name, update_group_name, model, params, var_initialisers, var_refs,
                         egp_refs, dims, spec)
        self.num_neurons = num_neurons


class CustomUpdateWU(CustomUpdateBase):
    """A custom update over the per-synapse variables of one synapse group."""

    def __init__(self, name, update_group_name, model, params, var_initialisers, var_refs,
                 egp_refs, dims, synapse_group, spec):
        super().__init__(name, update_group_name, model, params, var_initialisers, var_refs,
                         egp_refs, dims, spec)
        self.synapse_group = synapse_group



class CustomConnectivityUpdate(Group):
    """Code that changes the connectivity of one SPARSE synapse group."""

    kind = "Custom connectivity update"

    def initialisers(self) -> list:
        """Initialisers of the update's synapse, presynaptic and postsynaptic variables."""
        return [*self.var_initialisers.values(), *self.pre_var_initialisers.values(),
                *self.post_var_initialisers.values()]

    def __init__(self, name: str, update_group_name: str, synapse_group, model, params: dict,
                 var_initialisers: dict, pre_var_initialisers: dict,
                 post_var_initialisers: dict, spec):
        super().__init__(name, model, params, spec)
        self.update_group_name = update_group_name
        self.synapse_group = synapse_group
        self.var_initialisers = var_initialisers
        self.pre_var_initialisers = pre_var_initialisers
        self.post_var_initialisers = post_var_initialisers
        self.var_refs: dict = {}
        self.pre_var_refs: dict = {}
        self.post_var_refs: dict = {}
        self.egp_refs: dict = {}
        self._var_locations = self._locations(model, "get_vars", "variable")
        self._pre_var_locations = self._locations(model, "get_pre_vars",
                                                  "presynaptic variable")
        self._post_var_locations = self._locations(model, "get_post_vars",
                                                   "postsynaptic variable")

    def var_location(self, name):
        """Where the variable ``name`` is stored (host, device or both).

        Parameters
        ----------
        name : str
            Name of the variable.

        Returns
        -------
        VarLocation
        """
        return self._var_locations.get(name)

    def pre_var_location(self, name):
        """Where the presynaptic variable ``name`` is stored (host, device or both).

        Parameters
        ----------
        name : str
            Name of the presynaptic variable.

        Returns
        -------
        VarLocation
        """
        return self._pre_var_locations.get(name)

    def post_var_location(self, name):
        """Where the postsynaptic variable ``name`` is stored (host, device or both).

        Parameters
        ----------
        name : str
            Name of the postsynaptic variable.

        Returns
        -------
        VarLocation
        """
        return self._post_var_locations.get(name)

    get_var_location = var_location
    get_pre_var_location = pre_var_location
    get_post_var_location = post_var_location

    def set_var_location(self, var_name, loc):
        """Choose where the variable ``var_name`` is stored (before build).

        Parameters
        ----------
        var_name : str
            Name of the variable.
        loc : VarLocation
            ``VarLocation.HOST_DEVICE`` (the default), ``DEVICE`` or ``HOST_DEVICE_ZERO_COPY``.
        """
        self._var_locations.set(var_name, loc)

    def set_pre_var_location(self, var_name, loc):
        """Choose where the presynaptic variable ``var_name`` is stored (before build).

        Parameters
        ----------
        var_name : str
            Name of the presynaptic variable.
        loc : VarLocation
            ``VarLocation.HOST_DEVICE`` (the default), ``DEVICE`` or ``HOST_DEVICE_ZERO_COPY``.
        """
        self._pre_var_locations.set(var_name, loc)

    def set_post_var_location(self, var_name, loc):
        """Choose where the postsynaptic variable ``var_name`` is stored (before build).

        Parameters
        ----------
        var_name : str
            Name of the postsynaptic variable.
        loc : VarLocation
            ``VarLocation.HOST_DEVICE`` (the default), ``DEVICE`` or ``HOST_DEVICE_ZERO_COPY``.
        """
        self._post_var_locations.set(var_name, loc)
