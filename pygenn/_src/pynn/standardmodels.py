"""PyNN standard cell and synapse types, as simulated by pygenn.

The native parameters are PyNN's own names and units (identity translations): the conversion
to GeNN quantities happens in :mod:`neuron_definitions` and :mod:`synapse_definitions`.
"""
from pyNN.standardmodels import build_translations, cells, synapses

from . import neuron_definitions as nd
from .simulator import state


def _identity_translations(cell_class):
    return build_translations(*((name, name) for name in cell_class.default_parameters))


# ---------------------------------------------------------------------------- cells
class IF_curr_exp(cells.IF_curr_exp):
    __doc__ = cells.IF_curr_exp.__doc__
    translations = _identity_translations(cells.IF_curr_exp)
    recordable = ("spikes", "v", "isyn_exc", "isyn_inh")
    genn_definition = nd.IF_CURR_EXP


class IF_curr_alpha(cells.IF_curr_alpha):
    __doc__ = cells.IF_curr_alpha.__doc__
    translations = _identity_translations(cells.IF_curr_alpha)
    recordable = ("spikes", "v", "isyn_exc", "isyn_inh")
    genn_definition = nd.IF_CURR_ALPHA


class IF_cond_exp(cells.IF_cond_exp):
    __doc__ = cells.IF_cond_exp.__doc__
    translations = _identity_translations(cells.IF_cond_exp)
    genn_definition = nd.IF_COND_EXP


class IF_cond_alpha(cells.IF_cond_alpha):
    __doc__ = cells.IF_cond_alpha.__doc__
    translations = _identity_translations(cells.IF_cond_alpha)
    genn_definition = nd.IF_COND_ALPHA


class SpikeSourcePoisson(cells.SpikeSourcePoisson):
    __doc__ = cells.SpikeSourcePoisson.__doc__
    translations = _identity_translations(cells.SpikeSourcePoisson)
    genn_definition = nd.SPIKE_SOURCE_POISSON


class SpikeSourceArray(cells.SpikeSourceArray):
    __doc__ = cells.SpikeSourceArray.__doc__
    translations = _identity_translations(cells.SpikeSourceArray)
    genn_definition = nd.SPIKE_SOURCE_ARRAY


# ---------------------------------------------------------------------------- synapses
class _MinimumDelayMixin:
    def _get_minimum_delay(self):
        return state.min_delay_ms


class StaticSynapse(_MinimumDelayMixin, synapses.StaticSynapse):
    __doc__ = synapses.StaticSynapse.__doc__
    translations = build_translations(("weight", "weight"), ("delay", "delay"))


class STDPMechanism(_MinimumDelayMixin, synapses.STDPMechanism):
    __doc__ = synapses.STDPMechanism.__doc__
    base_translations = build_translations(
        ("weight", "weight"), ("delay", "delay"),
        ("dendritic_delay_fraction", "dendritic_delay_fraction"))

    def _build_translations(self):
        # PyNN's version updates the class-level dictionary in place; keep it per instance
        self.translations = dict(self.base_translations)
        for component in (self.timing_dependence, self.weight_dependence,
                          self.voltage_dependence):
            if component:
                self.translations.update(component.translations)

    def check_supported(self):
        """Raise NotImplementedError for rules this backend does not simulate."""
        if not isinstance(self.timing_dependence, SpikePairRule):
            raise NotImplementedError("pygenn.pynn: STDPMechanism supports only the "
                                      "SpikePairRule timing dependence")
        if not isinstance(self.weight_dependence, AdditiveWeightDependence):
            raise NotImplementedError("pygenn.pynn: STDPMechanism supports only the "
                                      "AdditiveWeightDependence weight dependence")
        if self.voltage_dependence is not None:
            raise NotImplementedError("pygenn.pynn: voltage-dependent STDP is not supported")


class AdditiveWeightDependence(synapses.AdditiveWeightDependence):
    __doc__ = synapses.AdditiveWeightDependence.__doc__
    translations = build_translations(("w_max", "w_max"), ("w_min", "w_min"))
    possible_models = frozenset({"stdp_additive"})


class SpikePairRule(synapses.SpikePairRule):
    __doc__ = synapses.SpikePairRule.__doc__
    translations = build_translations(("tau_plus", "tau_plus"), ("tau_minus", "tau_minus"),
                                      ("A_plus", "A_plus"), ("A_minus", "A_minus"))
    possible_models = frozenset({"stdp_additive"})
