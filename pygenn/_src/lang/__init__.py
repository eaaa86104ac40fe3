"""GeNNCode: the C-like language of model code strings (scanner, parser, type checker, printer).

Pipeline: ``scan`` -> ``parse_statements``/``parse_expression`` -> ``check_statements``/
``check_expression`` (against an ``Environment``) -> ``print_statements``/``print_expression``.
"""
from __future__ import annotations

from .analysis import find_identifiers
from .environment import ArrayBounds, Environment, ForEachSynapse, Symbol
from .parser import parse_expression, parse_statements
from .printer import CDialect, expand_template, print_expression, print_statements
from .scanner import scan
from .stdlib import STANDARD_FUNCTIONS, rng_function_signatures
from .tokens import Token, TokenList, TokenType
from .type_checker import check_expression, check_statements

__all__ = [
    "scan", "parse_statements", "parse_expression", "check_statements", "check_expression",
    "print_statements", "print_expression", "Environment", "ForEachSynapse", "Symbol",
    "ArrayBounds",
    "find_identifiers", "CDialect", "rng_function_signatures", "expand_template",
    "STANDARD_FUNCTIONS", "Token", "TokenList", "TokenType",
]
