"""Turning the PyNN network into a GeNN model, and keeping the model in step with later edits.

Everything GeNN needs is given as host arrays before ``load()`` (``set_init_values`` on
variables, ``set_sparse_connections`` on synapse groups): GeNN then re-initialises from them
whenever the model is loaded again (after ``reset()``). Changes made after the build update
both those initial values and, if the model is loaded, the live variables.
"""
import numpy as np
from pyNN import common

from ..interface.genn_model import GeNNModel
from ..model.init import init_postsynaptic, init_weight_update
from . import neuron_definitions as nd
from . import synapse_definitions as sd

_INPUT_VARIABLE = {"excitatory": nd.EXCITATORY_INPUT, "inhibitory": nd.INHIBITORY_INPUT}
_NUMPY_TYPES = {"scalar": float, "int": np.int32, "unsigned int": np.uint32,
                "uint8_t": np.uint8, "uint16_t": np.uint16}


def underlying_cells(cells):
    """Where each cell of a Population, PopulationView or Assembly lives.

    Returns
    -------
    populations : list of Population
    owner : ndarray of int
        Per cell, its Population's position in ``populations``.
    index : ndarray of int
        Per cell, its index within that Population.
    """
    if isinstance(cells, common.Assembly):
        populations, owners, indices = [], [], []
        for member in cells.populations:
            member_populations, member_owner, member_index = underlying_cells(member)
            positions = []
            for population in member_populations:
                found = [i for i, known in enumerate(populations) if known is population]
                if not found:
                    populations.append(population)
                positions.append(found[0] if found else len(populations) - 1)
            owners.append(np.asarray(positions, dtype=np.int64)[member_owner])
            indices.append(member_index)
        return populations, np.concatenate(owners), np.concatenate(indices)
    if isinstance(cells, common.PopulationView):
        return ([cells.grandparent], np.zeros(cells.size, dtype=np.int64),
                np.asarray(cells.index_in_grandparent(np.arange(cells.size)), dtype=np.int64))
    return [cells], np.zeros(cells.size, dtype=np.int64), np.arange(cells.size, dtype=np.int64)


def build_genn_model(state, build_dir) -> GeNNModel:
    """Create, build and return the GeNN model of every population and projection."""
    options = state.options
    kwargs = {} if options.backend is None else {"backend": options.backend}
    model = GeNNModel(options.precision, options.model_name, **kwargs)
    model.dt = state.dt
    model.seed = 0 if options.rng_seed is None else int(options.rng_seed)
    model.fuse_postsynaptic_models = True
    for population in state.populations:
        _add_population(model, population, state.dt)
    for projection in state.projections:
        _add_projection(model, projection, state.dt)
    model.build(path_to_model=build_dir)
    return model


# ---------------------------------------------------------------------------- neurons
def _typed(values, genn_type, size):
    return np.array(np.broadcast_to(values, (size,)), dtype=_NUMPY_TYPES[genn_type])


def _coefficients(population, dt):
    definition = population.definition
    values = definition.coefficient_values(population._parameters, dt)
    return {name: _typed(values[name], definition.coefficient_types.get(name, "scalar"),
                         population.size) for name in definition.coefficient_names}


def _state_values(population, name, genn_type):
    definition = population.definition
    if name in population._initial_state:
        value = population._initial_state[name]
    else:
        value = definition.internal_state.get(name, 0)
    return _typed(value, genn_type, population.size)


def _add_population(model, population, dt):
    definition = population.definition
    variables = {name: _state_values(population, name, genn_type)
                 for name, genn_type in definition.state_vars}
    variables.update(_coefficients(population, dt))
    if definition is nd.SPIKE_SOURCE_ARRAY:
        start, end, times = spike_source_arrays(population._parameters["spike_times"], 0.0)
        variables.update(startSpike=start, endSpike=end)
    group = model.add_neuron_population(population.genn_name, population.size,
                                        definition.genn_model(), {}, variables)
    group.spike_recording_enabled = True
    if definition is nd.SPIKE_SOURCE_ARRAY:
        capacity = 2 * len(times) + 1024  # room for spike times set after loading
        padded = np.full(capacity, np.finfo(np.float32).max)
        padded[:len(times)] = times
        group.extra_global_params["spikeTimes"].set_init_values(padded)
    population.genn_group = group


def spike_source_arrays(sequences, not_before):
    """``startSpike``, ``endSpike`` and the joined spike times of a SpikeSourceArray.

    Spikes earlier than ``not_before`` (ms) are dropped.
    """
    per_neuron = []
    for sequence in sequences:
        times = np.sort(np.asarray(getattr(sequence, "value", sequence), dtype=float).ravel())
        per_neuron.append(times[times >= not_before])
    counts = np.array([len(times) for times in per_neuron], dtype=np.int64)
    end = np.cumsum(counts)
    start = end - counts
    joined = np.concatenate(per_neuron) if per_neuron else np.zeros(0)
    return start.astype(np.uint32), end.astype(np.uint32), joined


def _write_variable(group, name, values, loaded):
    """New initial values for a GeNN variable, and its live values if the model is loaded."""
    variable = group.vars[name]
    variable.set_init_values(np.array(values))
    if loaded:
        variable.view[...] = values
        variable.push_to_device()


def update_neuron_parameters(population):
    """Rewrite the coefficients (and spike times) after ``Population.set()``."""
    state = population._simulator.state
    group = population.genn_group
    loaded = state.loaded
    for name, values in _coefficients(population, state.dt).items():
        _write_variable(group, name, values, loaded)
    if population.definition is nd.SPIKE_SOURCE_ARRAY:
        _update_spike_times(population, group, state, loaded)


def _update_spike_times(population, group, state, loaded):
    # once running, spikes at or before the current time are in the past (as in NEST); a
    # spike between two steps comes out at the end of the step that contains it
    not_before = state.t + 1e-6 * state.dt if loaded else 0.0
    start, end, times = spike_source_arrays(population._parameters["spike_times"], not_before)
    egp = group.extra_global_params["spikeTimes"]
    capacity = len(egp.init_values)
    if len(times) > capacity:
        raise NotImplementedError(
            f"pygenn.pynn: {len(times)} spike times do not fit the {capacity} reserved for "
            f"population '{population.label}' when it was built")
    padded = np.full(capacity, np.finfo(np.float32).max)
    padded[:len(times)] = times
    egp.set_init_values(padded)
    if loaded:
        egp.view[:] = padded
        egp.push_to_device()
    _write_variable(group, "startSpike", start, loaded)
    _write_variable(group, "endSpike", end, loaded)


def update_neuron_state(population, genn_variable, indices):
    """Rewrite a state variable after ``initialize()`` on a built population."""
    state = population._simulator.state
    group = population.genn_group
    variable = group.vars[genn_variable]
    if state.loaded:
        variable.pull_from_device()
        values = np.array(variable.view, dtype=float)
        values[indices] = population._initial_state[genn_variable][indices]
    else:
        values = population._initial_state[genn_variable]
    _write_variable(group, genn_variable, values, state.loaded)


# ---------------------------------------------------------------------------- synapses
def _add_projection(model, projection, dt):
    columns = projection._table.columns
    pre_populations, pre_owner, pre_index = underlying_cells(projection.pre)
    post_populations, post_owner, post_index = underlying_cells(projection.post)
    pre_cell = columns["presynaptic_index"]
    post_cell = columns["postsynaptic_index"]
    pair = pre_owner[pre_cell] * len(post_populations) + post_owner[post_cell]
    for part, key in enumerate(np.unique(pair)):
        positions = np.flatnonzero(pair == key)
        source = pre_populations[key // len(post_populations)]
        target = post_populations[key % len(post_populations)]
        pre, post = pre_index[pre_cell[positions]], post_index[post_cell[positions]]
        # sort by (pre, post) so that GeNN's storage order and ours agree
        order = np.lexsort((post, pre))
        positions, pre, post = positions[order], pre[order], post[order]
        name = f"proj{projection.genn_index}_{part}"
        group = _add_synapse_group(model, name, projection, source, target, positions, dt)
        group.set_sparse_connections(pre, post)
        group.post_target_var = _INPUT_VARIABLE[projection.receptor_type]
        projection.genn_parts.append((group, positions))


def _homogeneous(projection, name, positions):
    values = projection._table.columns[name][positions]
    if values.size and not np.allclose(values, values[0]):
        raise NotImplementedError(f"pygenn.pynn: STDP parameter '{name}' must be the same for "
                                  "every connection of a projection")
    return float(values[0]) if values.size else 0.0


def _delay_steps(projection, positions, dt):
    delays = projection._table.columns["delay"][positions]
    if projection.is_plastic:
        fraction = _homogeneous(projection, "dendritic_delay_fraction", positions)
        return sd.plastic_delay_steps(delays, dt, fraction)
    return sd.static_delay_steps(delays, dt)


def _add_synapse_group(model, name, projection, source, target, positions, dt):
    steps = _delay_steps(projection, positions, dt)
    delay_type = None if steps.dendritic is None else sd.delay_type_for(steps.max_dendritic)
    variables = {"g": np.array(projection._table.columns["weight"][positions], dtype=float)}
    if delay_type is not None:
        variables["d"] = steps.dendritic.astype(_NUMPY_TYPES[delay_type])
    if projection.is_plastic:
        native = {name: _homogeneous(projection, name, positions)
                  for name in ("tau_plus", "tau_minus", "A_plus", "A_minus", "w_min", "w_max")}
        weight_update = init_weight_update(sd.stdp_additive_model(delay_type),
                                           sd.stdp_parameters(native), variables,
                                           {"preTrace": 0.0}, {"postTrace": 0.0})
    else:
        weight_update = init_weight_update(sd.static_synapse_model(delay_type), {}, variables)
    group = model.add_synapse_population(name, "SPARSE", source.genn_group, target.genn_group,
                                         weight_update, init_postsynaptic("DeltaCurr"))
    group.axonal_delay_steps = steps.axonal
    group.back_prop_delay_steps = steps.back_propagation
    if steps.dendritic is not None:
        group.max_dendritic_delay_timesteps = steps.max_dendritic + 1
    return group


def read_synapse_weights(projection):
    """Current weights of a (plastic) projection, read from GeNN, in connection order."""
    weights = np.array(projection._table.columns["weight"], dtype=float)
    for group, positions in projection.genn_parts:
        variable = group.vars["g"]
        variable.pull_from_device()
        weights[positions] = variable.values
    return weights


def update_synapse_attributes(projection, names):
    """Write changed weights to GeNN after ``Projection.set()``; other changes need a rebuild."""
    state = projection._simulator.state
    unsupported = [name for name in names if name != "weight"]
    if unsupported:
        raise NotImplementedError(
            f"pygenn.pynn: cannot change {', '.join(unsupported)} after the first run(); only "
            "weights can be changed once the GeNN model is built")
    for group, positions in projection.genn_parts:
        weights = np.array(projection._table.columns["weight"][positions], dtype=float)
        variable = group.vars["g"]
        variable.set_init_values(weights)
        if state.loaded:
            variable.values = weights
            variable.push_to_device()
