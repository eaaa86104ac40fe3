"""What every population and update of the model description shares: the ``Group`` base
(name, model, parameters, dynamic parameters, declared code snippets), variable locations and
small helpers for reading models' declarations.
"""
from __future__ import annotations

import numbers

from ..errors import did_you_mean
from .init import _SnippetInit
from .enums import VarLocation, parse_enum


def declared(model, getter: str) -> list:
    """A model's declarations from ``getter`` (``get_vars`` ...), ``[]`` when it has none."""
    if model is None:
        return []
    method = getattr(model, getter, None)
    return list(method()) if method is not None else []


def declared_names(model, getter: str) -> list[str]:
    return [d.name for d in declared(model, getter)]


def model_code(model, getter: str) -> str:
    method = getattr(model, getter, None) if model is not None else None
    code = method() if method is not None else ""
    return code or ""


def model_name(model) -> str:
    """The class name a model was created with (used in messages)."""
    return type(model).__name__


def plain_param_values(params) -> dict:
    """Parameter dict with plain Python numbers (what snippet callables receive)."""
    return {name: getattr(value, "value", value) for name, value in (params or {}).items()}


def _check_location(location, what: str) -> VarLocation:
    location = parse_enum(VarLocation, location, "VarLocation")
    return location


def _non_negative_int(value, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(f"{what} must be a non-negative integer, not {value!r}")
    return int(value)


class VarLocations:
    """Locations of a set of named variables, with an error naming the owner for unknown names."""

    def __init__(self, owner: str, what: str, names, default: VarLocation):
        self._owner = owner
        self._what = what
        self._locations = {name: default for name in names}

    def get(self, name: str) -> VarLocation:
        self._check(name)
        return self._locations[name]

    def set(self, name: str, location) -> None:
        self._check(name)
        self._locations[name] = _check_location(location, f"location of '{name}'")

    def _check(self, name: str) -> None:
        if name not in self._locations:
            raise RuntimeError(f"{self._owner} has no {self._what} '{name}'."
                               + did_you_mean(name, self._locations))

    def items(self):
        return self._locations.items()


class Group:
    """What every population/update has: a name, a model, parameter values, dynamic params."""

    #: GeNN's wording for the kind of group, used at the start of messages
    kind = "Group"

    def __init__(self, name: str, model, params: dict, spec):
        self.name = name
        self.model = model
        self.params = params
        self._model = spec
        self.dynamic_params: set[str] = set()
        self.user_call_site: str | None = None

    @property
    def description(self) -> str:
        """e.g. "Neuron group 'Pop'" (the start of every message about this group)."""
        return f"{self.kind} '{self.name}'"

    def initialisers(self) -> list:
        """The group's variable initialisers (values or ``VarInit``), every kind of variable."""
        return list(self.var_initialisers.values())

    def code_snippets(self) -> list:
        """The model and every initialisation snippet whose code this group runs."""
        return [self.model] + [init.snippet for init in self.initialisers()
                               if isinstance(init, _SnippetInit)]

    def set_param_dynamic(self, param_name: str, dynamic: bool = True) -> None:
        """Allow (or forbid) changing a parameter after load.

        Parameters
        ----------
        param_name : str
            Name of the parameter.
        dynamic : bool
            Whether ``set_dynamic_param_value`` may change it.
        """
        _set_dynamic(self.dynamic_params, param_name, dynamic, self.params,
                     f"{self.description} (model {model_name(self.model)})")

    def _default_location(self) -> VarLocation:
        return getattr(self._model, "_default_var_location", VarLocation.HOST_DEVICE)

    def _locations(self, model, getter: str, what: str) -> VarLocations:
        return VarLocations(self.description, what, declared_names(model, getter),
                            self._default_location())

    def __repr__(self):
        return f"<{type(self).__name__} '{self.name}'>"


def _set_dynamic(dynamic_params: set, name: str, dynamic: bool, params: dict, owner: str):
    if name not in params:
        raise RuntimeError(f"{owner} has no parameter '{name}' to make dynamic."
                           + did_you_mean(name, params))
    if dynamic:
        dynamic_params.add(name)
    else:
        dynamic_params.discard(name)
