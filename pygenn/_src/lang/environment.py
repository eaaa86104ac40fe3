"""Environments: what each identifier in a code string means, for type checking and printing.

Code generation builds one environment per code string context, adding the variables,
parameters, arrays and functions each code string may use, with the C text each one prints as.
The standard library (stdlib.py) is visible beneath every root environment.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

from .stdlib import STANDARD_FUNCTIONS
from .types import (Float, FunctionType, NumericType, PointerType, UnresolvedType, Void,
                    VoidType, parse_type_spelling)


@dataclass(frozen=True)
class ForEachSynapse:
    """How a context implements ``for_each_synapse``.

    ``make_environment(env)`` returns the environment of the loop body (a child of ``env``
    defining ``id_post``, ``remove_synapse`` ...); it is called once when type checking and once
    when printing. ``render(body_text)`` wraps the printed body in the complete C loop.
    """

    make_environment: Callable
    render: Callable[[str], str]


@dataclass(frozen=True)
class ArrayBounds:
    """What a debug build needs to check subscripts of an array (codegen/debug_checks.py).

    ``label`` names the array in error messages ("extra global parameter 'x'"); ``size_text()``
    returns C text for its current element count (it may add a struct field, so it is only
    called when a checked subscript is printed).
    """

    label: str
    size_text: Callable[[], str]


@dataclass
class Symbol:
    """One name in an environment.

    ``kind`` is "variable", "array", "function" or "delayed". ``is_local`` marks variables the
    code string declared itself (printed through ``CDialect.local_name``).
    """

    name: str
    kind: str
    type: object = None
    read_only: bool = False
    write_only: bool = False
    c_text: Optional[str] = None
    is_local: bool = False
    signatures: list = field(default_factory=list)
    template: Optional[str] = None
    delayed_template: Optional[str] = None
    bounds: Optional[ArrayBounds] = None


class Environment:
    """A scope of names. Children see their parents' names and may shadow them."""

    def __init__(self, parent: Environment | None = None, type_context: dict | None = None):
        self.parent = parent
        if type_context is None:
            type_context = parent.type_context if parent is not None else {}
        self.type_context = dict(type_context)
        self.type_context.setdefault("scalar", Float)
        self.type_context.setdefault("timepoint", self.type_context["scalar"])
        self.for_each_synapse: ForEachSynapse | None = None
        # debug builds: what numbers the places user code is checked at (a root environment's
        # ``check_sites.site(context, what)`` gives C text for a site; codegen/debug_checks.py)
        self.check_sites = None
        self._symbols: dict[str, Symbol] = {}
        # Locals declared by code strings shadow what code generation added to the same scope
        self._locals: dict[str, Symbol] = {}

    def child(self) -> Environment:
        """A new scope inside this one."""
        return Environment(self)

    # -- adding names --------------------------------------------------------------------------
    def add_variable(self, name: str, type, *, read_only: bool = False,
                     write_only: bool = False, c_text: str | None = None) -> None:
        """A value (or pointer, if ``type`` is a PointerType) named ``name``.

        ``read_only`` rejects assignment, ``write_only`` allows only plain ``=`` and no reads.
        ``c_text`` is what the printer emits for it (default: the name).
        """
        self._symbols[name] = Symbol(name, "variable", self.resolve(type), read_only,
                                     write_only, c_text)

    def add_array(self, name: str, element_type, *, read_only: bool = False,
                  c_text: str | None = None, bounds: ArrayBounds | None = None) -> None:
        """An array (extra global parameter): a pointer usable as ``name[i]``.

        ``read_only`` makes the elements const; the pointer itself can never be reassigned.
        ``bounds`` lets a dialect that checks subscripts (debug builds) check them.
        """
        pointer = PointerType(self.resolve(element_type), pointee_const=read_only)
        self._symbols[name] = Symbol(name, "array", pointer, True, False, c_text,
                                     bounds=bounds)

    def add_function(self, name: str, signatures, template: str | None = None) -> None:
        """A function with overloads ``[(return_type, [arg types], variadic), ...]``.

        ``template`` is C text in which ``$(0)``, ``$(1)``... stand for the printed arguments and
        ``$(@)`` for all of them comma-separated; None prints an ordinary call.
        """
        function_types = [self._function_type(s) for s in signatures]
        existing = self._symbols.get(name)
        if existing is not None and existing.kind == "function":
            existing.signatures.extend(function_types)
            existing.template = template if template is not None else existing.template
            return
        self._symbols[name] = Symbol(name, "function", signatures=function_types,
                                     template=template)

    def add_delayed_variable(self, name: str, type, *, plain_c_text: str,
                             delayed_template: str) -> None:
        """A read-only value readable plainly (``x``) or with a delay (``x[d]``, ``d`` steps ago)."""
        self._symbols[name] = Symbol(name, "delayed", self.resolve(type), True, False,
                                     plain_c_text, delayed_template=delayed_template)

    def define_local(self, name: str, type, *, read_only: bool = False) -> bool:
        """Declare a code-string local; False if a local of that name exists in this scope."""
        if name in self._locals:
            return False
        self._locals[name] = Symbol(name, "variable", type, read_only, is_local=True)
        return True

    # -- looking names up ----------------------------------------------------------------------
    def lookup(self, name: str) -> Symbol | None:
        """The symbol ``name`` refers to here, searching parents, then the standard library."""
        env = self
        while env is not None:
            symbol = env._locals.get(name) or env._symbols.get(name)
            if symbol is not None:
                return symbol
            env = env.parent
        if name in STANDARD_FUNCTIONS:
            return Symbol(name, "function", signatures=list(STANDARD_FUNCTIONS[name]))
        return None

    def visible_names(self) -> list[str]:
        """Names defined by code generation and code strings (not the standard library)."""
        names: dict[str, None] = {}
        env = self
        while env is not None:
            names.update(dict.fromkeys(env._locals))
            names.update(dict.fromkeys(env._symbols))
            env = env.parent
        return sorted(names)

    def find_check_sites(self):
        """The nearest enclosing ``check_sites`` (None outside debug builds)."""
        env = self
        while env is not None:
            if env.check_sites is not None:
                return env.check_sites
            env = env.parent
        return None

    def find_for_each_synapse(self) -> ForEachSynapse | None:
        env = self
        while env is not None:
            if env.for_each_synapse is not None:
                return env.for_each_synapse
            env = env.parent
        return None

    # -- types ---------------------------------------------------------------------------------
    def resolve(self, type):
        """Resolve "scalar"/"timepoint"/type spellings to NumericTypes; others pass through."""
        if isinstance(type, (NumericType, PointerType, FunctionType, VoidType)):
            return type
        if type is None or type == "void":
            return Void
        if isinstance(type, UnresolvedType):
            return type.resolve(self.type_context)
        if isinstance(type, str):
            result = parse_type_spelling(type)
            return self.type_context[result] if isinstance(result, str) else result
        raise TypeError(f"not a GeNNCode type: {type!r}")

    def _function_type(self, signature) -> FunctionType:
        if isinstance(signature, FunctionType):
            return signature
        return_type, arg_types, *rest = signature
        variadic = bool(rest[0]) if rest else False
        return FunctionType(self.resolve(return_type),
                            tuple(self.resolve(a) for a in arg_types), variadic)
