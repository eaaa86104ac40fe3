"""Mix-ins giving Python behaviour to population objects, and the combined group classes."""
from ._src.interface.groups import (CurrentSource, CurrentSourceMixin,
                                    CustomConnectivityUpdate, CustomConnectivityUpdateMixin,
                                    CustomUpdate, CustomUpdateBase, CustomUpdateMixin,
                                    CustomUpdateWU, CustomUpdateWUMixin, GroupMixin, NeuronGroup,
                                    NeuronGroupMixin, SynapseGroup, SynapseGroupMixin)

__all__ = ["GroupMixin", "NeuronGroupMixin", "SynapseGroupMixin", "CurrentSourceMixin",
           "CustomUpdateMixin", "CustomUpdateWUMixin", "CustomConnectivityUpdateMixin",
           "NeuronGroup", "SynapseGroup", "CurrentSource", "CustomUpdateBase", "CustomUpdate",
           "CustomUpdateWU", "CustomConnectivityUpdate"]
