"""Shared helpers for the GeNNCode front-end tests (no tests here)."""
from __future__ import annotations

from pygenn._src.errors import CodeContext
from pygenn._src.lang import (Environment, check_expression, check_statements, parse_expression,
                              parse_statements, print_expression, print_statements,
                              rng_function_signatures, scan)
from pygenn._src.lang.types import Double, Float, Int32, Uint32, Void

CONTEXT = CodeContext("Neuron group 'Pop' sim code", role="sim_code", group="Pop")


def make_env(scalar=Float, timepoint=None) -> Environment:
    """A neuron-like environment: V (rw), Vrest (const), dt, id, an EGP, RNG, addToPost."""
    env = Environment(type_context={"scalar": scalar, "timepoint": timepoint or scalar})
    env.add_variable("V", scalar, c_text="group->V[id]")
    env.add_variable("U", scalar)
    env.add_variable("Vrest", scalar, read_only=True)
    env.add_variable("dt", "timepoint", read_only=True, c_text="DT")
    env.add_variable("id", Uint32, read_only=True)
    env.add_variable("count", Int32)
    env.add_variable("flags", Uint32)
    env.add_variable("reduced", scalar, write_only=True, c_text="lrReduced")
    env.add_array("egp", scalar, c_text="group->egp")
    env.add_array("table", Int32, read_only=True)
    env.add_function("addToPost", [(Void, [scalar])], template="outPost[idPost] += $(0)")
    env.add_delayed_variable("Vpost", scalar, plain_c_text="group->Vpost[idPost]",
                             delayed_template="group->Vpost[(slot + $(0)) % 8]")
    for name, signatures in rng_function_signatures(scalar).items():
        env.add_function(name, signatures)
    return env


def statements(code: str, env: Environment | None = None):
    """Scan, parse and type-check a statement list; returns (stmts, env)."""
    env = env if env is not None else make_env()
    stmts = parse_statements(scan(code, CONTEXT), CONTEXT)
    check_statements(stmts, env, CONTEXT)
    return stmts, env


def expression(code: str, env: Environment | None = None):
    env = env if env is not None else make_env()
    expr = parse_expression(scan(code, CONTEXT), CONTEXT)
    check_expression(expr, env, CONTEXT)
    return expr, env


def printed(code: str, env: Environment | None = None) -> str:
    stmts, env = statements(code, env)
    return print_statements(stmts, env)


def printed_expression(code: str, env: Environment | None = None) -> str:
    expr, env = expression(code, env)
    return print_expression(expr, env)


def type_of(code: str, env: Environment | None = None):
    """Static type of an expression (checked as a statement, so void results are allowed)."""
    stmts, _ = statements(code + ";", env)
    return stmts[-1].expression.type


__all__ = ["CONTEXT", "make_env", "statements", "expression", "printed", "printed_expression",
           "type_of", "Double", "Float", "Int32", "Uint32"]
