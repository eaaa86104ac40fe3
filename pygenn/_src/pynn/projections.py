"""Projection for the pygenn PyNN backend.

PyNN's connectors call :meth:`Projection._convergent_connect` once per postsynaptic cell; the
connections are kept as NumPy columns (:class:`ConnectionTable`) in the order they were made.
At build time each projection becomes one SPARSE GeNN synapse group per pair of underlying
populations (a projection between Assemblies or views can span several).
"""
import numpy as np
from pyNN import common, errors
from pyNN.space import Space

from . import network_builder, simulator
from .random_seeding import seed_unseeded_distributions
from .standardmodels import StaticSynapse, STDPMechanism

RECEPTOR_TYPES = ("excitatory", "inhibitory")
_NO_SPACE = Space()


class ConnectionTable:
    """Connections as columns: ``presynaptic_index``, ``postsynaptic_index`` and attributes.

    Indices are positions within the projection's ``pre`` and ``post`` (which may be views or
    assemblies); attributes are native (PyNN-unit) values, one per connection.
    """

    def __init__(self):
        self._chunks = {"presynaptic_index": [], "postsynaptic_index": []}
        self.columns = None

    def add(self, presynaptic_indices, postsynaptic_indices, attributes):
        """Add connections: postsynaptic indices may be one index for all of them."""
        count = len(presynaptic_indices)
        self._chunks["presynaptic_index"].append(np.asarray(presynaptic_indices, np.int64))
        self._chunks["postsynaptic_index"].append(
            np.broadcast_to(np.asarray(postsynaptic_indices, np.int64), (count,)))
        for name, value in attributes.items():
            value = np.broadcast_to(np.asarray(value, dtype=float), (count,))
            self._chunks.setdefault(name, []).append(value)

    def freeze(self, attribute_names):
        """Join the chunks into columns (``attribute_names``: those expected, for empty ones)."""
        self.columns = {}
        for name in ["presynaptic_index", "postsynaptic_index"] + list(attribute_names):
            chunks = self._chunks.get(name, [])
            dtype = np.int64 if name.endswith("_index") else float
            self.columns[name] = (np.concatenate(chunks).astype(dtype) if chunks
                                  else np.zeros(0, dtype=dtype))
        self._chunks = None

    def __len__(self):
        return len(self.columns["presynaptic_index"])


class Connection(common.Connection):
    """One connection of a Projection, with its attributes as Python attributes."""

    def __init__(self, **values):
        for name, value in values.items():
            setattr(self, name, value)

    def as_tuple(self, *attribute_names):
        return tuple(getattr(self, name) for name in attribute_names)


class Projection(common.Projection):
    __doc__ = common.Projection.__doc__
    _simulator = simulator
    _static_synapse_class = StaticSynapse

    def __init__(self, presynaptic_population, postsynaptic_population, connector,
                 synapse_type=None, source=None, receptor_type=None, space=_NO_SPACE,
                 label=None):
        common.Projection.__init__(self, presynaptic_population, postsynaptic_population,
                                   connector, synapse_type, source, receptor_type, space,
                                   label)
        self._check_supported()
        seed_unseeded_distributions(self.synapse_type.parameter_space,
                                    simulator.state.distribution_seeder())
        self.genn_index = simulator.state.register_projection(self)
        self.genn_parts = []  # (synapse group, connection positions in GeNN order), at build
        self._table = ConnectionTable()
        connector.connect(self)
        self._table.freeze(self.synapse_type.native_parameters.keys())

    def _check_supported(self):
        if isinstance(self.synapse_type, STDPMechanism):
            self.synapse_type.check_supported()
        elif not isinstance(self.synapse_type, StaticSynapse):
            raise NotImplementedError(
                f"pygenn.pynn: synapse type {type(self.synapse_type).__name__} is not "
                "supported; use StaticSynapse or STDPMechanism")
        if self.receptor_type not in RECEPTOR_TYPES:
            raise errors.ConnectionError(
                f"pygenn.pynn: receptor type '{self.receptor_type}' is not supported; use "
                "'excitatory' or 'inhibitory'")
        if self.source is not None:
            raise NotImplementedError("pygenn.pynn: Projection(source=...) is not supported")

    @property
    def is_plastic(self) -> bool:
        return isinstance(self.synapse_type, STDPMechanism)

    def __len__(self):
        return len(self._table)

    def _convergent_connect(self, presynaptic_indices, postsynaptic_index,
                            location_selector=None, **connection_parameters):
        if location_selector is not None:
            raise NotImplementedError("pygenn.pynn: point neurons have no locations")
        self._table.add(presynaptic_indices, postsynaptic_index, connection_parameters)

    def connect_arrays(self, presynaptic_indices, postsynaptic_indices, attributes):
        """Add many connections at once (index arrays and per-connection attribute values)."""
        self._table.add(presynaptic_indices, postsynaptic_indices, attributes)

    # ----------------------------------------------------------------- reading attributes
    def column(self, name):
        """Current values of one connection attribute (native name), in connection order."""
        if name not in self._table.columns:
            raise errors.NonExistentParameterError(name, self.synapse_type,
                                                   list(self._table.columns))
        if name == "weight" and self.is_plastic and simulator.state.loaded:
            return network_builder.read_synapse_weights(self)
        return self._table.columns[name]

    def __getitem__(self, i):
        return Connection(**{name: self.column(name)[i] for name in self._table.columns})

    def _get_attributes_as_list(self, names):
        columns = [self.column(name).tolist() for name in names]
        return list(zip(*columns))

    def _get_attributes_as_arrays(self, names, multiple_synapses="sum"):
        pre = self._table.columns["presynaptic_index"]
        post = self._table.columns["postsynaptic_index"]
        arrays = []
        for name in names:
            if name not in self._table.columns and name.endswith("s"):
                name = name[:-1]  # PyNN accepts 'weights' for 'weight'
            arrays.append(_connection_matrix(self.shape, pre, post, self.column(name),
                                             multiple_synapses))
        return arrays

    # ----------------------------------------------------------------- setting attributes
    def _set_attributes(self, parameter_space):
        pre = self._table.columns["presynaptic_index"]
        post = self._table.columns["postsynaptic_index"]
        seed_unseeded_distributions(parameter_space, simulator.state.distribution_seeder())
        changed = []
        for name, value in parameter_space.items():
            if name not in self._table.columns:
                raise errors.NonExistentParameterError(name, self.synapse_type,
                                                       list(self._table.columns))
            if value.is_homogeneous:
                new = np.full(len(pre), value.evaluate(simplify=True), dtype=float)
            else:
                new = np.asarray(value[pre, post], dtype=float)
            self._table.columns[name] = new
            changed.append(name)
        if self.genn_parts:
            network_builder.update_synapse_attributes(self, changed)

    def _set_initial_value_array(self, variable, initial_value):
        raise NotImplementedError("pygenn.pynn: synapse models here have no state variables "
                                  "to initialise")


def _connection_matrix(shape, pre, post, values, multiple_synapses):
    """(pre, post) array of one attribute; NaN where there is no connection."""
    result = np.full(shape, np.nan)
    if multiple_synapses == "sum":
        total = np.zeros(shape)
        np.add.at(total, (pre, post), values)
        exists = np.zeros(shape, dtype=bool)
        exists[pre, post] = True
        result[exists] = total[exists]
    elif multiple_synapses == "last":
        result[pre, post] = values
    elif multiple_synapses == "first":
        result[pre[::-1], post[::-1]] = values[::-1]
    elif multiple_synapses == "min":
        np.fmin.at(result, (pre, post), values)
    elif multiple_synapses == "max":
        np.fmax.at(result, (pre, post), values)
    else:
        raise ValueError(f"unknown multiple_synapses '{multiple_synapses}'")
    return result
