"""Population, PopulationView and Assembly for the pygenn PyNN backend.

A Population keeps its native (PyNN-unit) parameters and initial state as NumPy arrays. Before
the first run they only feed the GeNN model being built; afterwards ``set()`` and
``initialize()`` also write the corresponding GeNN variables (and the initial values GeNN
re-loads on ``reset()``).
"""
import numpy as np
from pyNN import common, errors
from pyNN.parameters import LazyArray, ParameterSpace, simplify
from pyNN.standardmodels import StandardCellType

from . import simulator
from .random_seeding import seed_unseeded_distributions
from .recording import Recorder


class Assembly(common.Assembly):
    __doc__ = common.Assembly.__doc__
    _simulator = simulator


def _native_parameter_space(view, names):
    """ParameterSpace of the parent's native parameters restricted to a view's cells."""
    parameters = {}
    for name in names:
        value = view.grandparent._parameters[name]
        parameters[name] = simplify(value[view.index_in_grandparent(np.arange(view.size))])
    return ParameterSpace(parameters, shape=(view.size,))


def _standard_parameters(population, names, native_getter):
    """PyNN (standard) parameters of a population or view, from its native ones."""
    celltype = population.celltype
    if not isinstance(celltype, StandardCellType):
        return native_getter(*names)
    if any(name in celltype.computed_parameters() for name in names):
        native_names = celltype.get_native_names()
    else:
        native_names = celltype.get_native_names(*names)
    return celltype.reverse_translate(native_getter(*native_names))


class PopulationView(common.PopulationView):
    __doc__ = common.PopulationView.__doc__
    _assembly_class = Assembly
    _simulator = simulator

    def _get_parameters(self, *names):
        return _standard_parameters(self, names, self._get_native_parameters)

    def _get_native_parameters(self, *names):
        return _native_parameter_space(self, names)

    def _set_parameters(self, parameter_space):
        indices = self.index_in_grandparent(np.arange(self.size))
        self.grandparent._set_native_values(parameter_space, indices)

    def initialize(self, **initial_values):
        # PyNN's version also stores the values in ``self.initial_values``, which views lack
        for variable, value in initial_values.items():
            self._set_initial_value_array(
                variable, LazyArray(value, shape=(self.size,), dtype=float))

    def _set_initial_value_array(self, variable, initial_values):
        indices = self.index_in_grandparent(np.arange(self.size))
        self.grandparent._set_initial_values(variable, initial_values, indices)

    def _get_view(self, selector, label=None):
        return PopulationView(self, selector, label)


class Population(common.Population):
    __doc__ = common.Population.__doc__
    _simulator = simulator
    _recorder_class = Recorder
    _assembly_class = Assembly

    def _create_cells(self):
        state = simulator.state
        if not isinstance(self.celltype, StandardCellType) or not hasattr(
                self.celltype, "genn_definition"):
            raise NotImplementedError(
                f"pygenn.pynn: cell type {type(self.celltype).__name__} is not supported; use "
                "one of the standard cell types of pygenn.pynn")
        self.genn_index = state.register_population(self)
        self.genn_name = f"pop{self.genn_index}"
        self.genn_group = None
        first = state.id_counter
        self.all_cells = np.array([simulator.ID(i) for i in range(first, first + self.size)],
                                  dtype=simulator.ID)
        self._mask_local = np.ones(self.size, dtype=bool)
        for cell in self.all_cells:
            cell.parent = self
        state.id_counter += self.size
        parameter_space = self.celltype.native_parameters
        parameter_space.shape = (self.size,)
        seed_unseeded_distributions(parameter_space, state.distribution_seeder())
        parameter_space.evaluate(simplify=False)
        self._parameters = parameter_space.as_dict()
        self._initial_state = {}

    @property
    def definition(self):
        """The :class:`NeuronDefinition` simulating this population's cell type."""
        return self.celltype.genn_definition

    def _get_view(self, selector, label=None):
        return PopulationView(self, selector, label)

    # ----------------------------------------------------------------- parameters
    def _get_parameters(self, *names):
        return _standard_parameters(self, names, self._get_native_parameters)

    def _get_native_parameters(self, *names):
        return ParameterSpace({name: simplify(self._parameters[name]) for name in names},
                              shape=(self.size,))

    def _set_parameters(self, parameter_space):
        self._set_native_values(parameter_space, np.arange(self.size))

    def _set_native_values(self, parameter_space, indices):
        """Set native parameters of the cells at ``indices`` (and in GeNN, once built)."""
        seed_unseeded_distributions(parameter_space, simulator.state.distribution_seeder())
        parameter_space.evaluate(simplify=False)
        for name, value in parameter_space.items():
            if name not in self._parameters:
                raise errors.NonExistentParameterError(name, self.celltype)
            self._parameters[name][indices] = value
        if self.genn_group is not None:
            from .network_builder import update_neuron_parameters
            update_neuron_parameters(self)

    # ----------------------------------------------------------------- initial values
    def _set_initial_value_array(self, variable, initial_values):
        self._set_initial_values(variable, initial_values, np.arange(self.size))

    def _set_initial_values(self, variable, initial_values, indices):
        """Evaluate initial values now (in the order the script draws random numbers)."""
        genn_variable = self.definition.initial_values.get(variable)
        if genn_variable is None:
            raise errors.NonExistentParameterError(
                variable, self.celltype, list(self.definition.initial_values))
        seed_unseeded_distributions(initial_values, simulator.state.distribution_seeder())
        values = np.broadcast_to(np.asarray(initial_values.evaluate(simplify=False),
                                            dtype=float), (len(indices),))
        # keep what was drawn so that later reads of the LazyArray give the same numbers
        initial_values.base_value = np.array(values)
        initial_values.operations = []
        current = self._initial_state.setdefault(genn_variable, np.zeros(self.size))
        current[indices] = values
        if self.genn_group is not None:
            from .network_builder import update_neuron_state
            update_neuron_state(self, genn_variable, indices)

    # ----------------------------------------------------------------- recording
    def read_state(self, pynn_variable):
        """Current values of a recordable state variable over the whole population."""
        genn_variable = self.genn_group.vars[self.definition.recordables[pynn_variable]]
        genn_variable.pull_from_device()
        return genn_variable.view

    def sample_state(self, timestep):
        self.recorder.sample(timestep, self.read_state)
