"""Connectors computed directly with NumPy index arrays.

PyNN's generic connectors work column by column through lazy arrays. For the connectors whose
structure needs no random numbers, building the index arrays at once is faster; it also
avoids a failure of the generic code with single-neuron populations (a 0-d column mask under
NumPy 2). Synapse parameters are evaluated at the connections in the same column-major order
as PyNN's generic code, so random weights or delays draw the same numbers.
"""
import numpy as np
from pyNN import connectors


def connect_index_arrays(connector, projection, presynaptic, postsynaptic):
    """Make the connections ``presynaptic[k] -> postsynaptic[k]`` (sorted by postsynaptic)."""
    parameter_space = connector._parameters_from_synapse_type(projection)
    values = {}
    for name, lazy_values in parameter_space.items():
        if lazy_values.is_homogeneous:
            values[name] = lazy_values.evaluate(simplify=True)
        else:
            values[name] = _evaluate_by_column(lazy_values, presynaptic, postsynaptic)
    if connector.safe:
        synapse_type = projection.synapse_type
        for name, check in getattr(synapse_type, "parameter_checks", {}).items():
            native_name = synapse_type.translations[name]["translated_name"]
            if native_name in values and len(presynaptic):
                check(values[native_name], projection)
    projection.connect_arrays(presynaptic, postsynaptic, values)


def _evaluate_by_column(lazy_values, presynaptic, postsynaptic):
    """Values of a (pre, post) lazy array at the connections, one column at a time.

    Column by column, as PyNN's generic connectors do: random numbers are drawn in the same
    order, and functions of the cell indices or distances see one column at a time.
    """
    values = np.empty(len(presynaptic))
    starts = np.flatnonzero(np.r_[True, np.diff(postsynaptic) != 0])
    for start, stop in zip(starts, np.r_[starts[1:], len(postsynaptic)]):
        column = lazy_values[presynaptic[start:stop], int(postsynaptic[start])]
        values[start:stop] = np.ravel(np.asarray(column, dtype=float))
    return values


def _column_major(mask):
    """(pre, post) index arrays of the True entries of a (pre, post) mask, post-major."""
    post, pre = np.nonzero(mask.T)
    return pre, post


class AllToAllConnector(connectors.AllToAllConnector):
    __doc__ = connectors.AllToAllConnector.__doc__

    def connect(self, projection):
        mask = np.ones(projection.shape, dtype=bool)
        if not self.allow_self_connections:
            mask &= self._get_connection_map_no_self_connections(projection).evaluate()
        connect_index_arrays(self, projection, *_column_major(mask))


class OneToOneConnector(connectors.OneToOneConnector):
    __doc__ = connectors.OneToOneConnector.__doc__

    def connect(self, projection):
        indices = np.arange(min(projection.shape))
        connect_index_arrays(self, projection, indices, indices)
