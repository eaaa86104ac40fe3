"""How deeply code strings may nest, and the Python stack the front end needs for that.

The parser, type checker and printer are recursive. Rather than let deep nesting surface as a
bare ``RecursionError`` (CPython's default limit is reached at about 55 nested parentheses),
the parser stops at ``MAX_NESTING`` levels with a located error, and rejects trees deeper than
``MAX_TREE_DEPTH`` (long chains of binary operators build deep left-leaning trees without any
nesting). Within these limits each stage runs with enough recursion headroom.

``MAX_NESTING`` = 64 covers C's own translation limit (63 nested parenthesised expressions,
C99 5.2.4.1); printing adds at most a few brackets per level, which keeps the generated code
within what C++ compilers accept (clang's default bracket depth is 256).
"""
from __future__ import annotations

import functools
import sys
from contextlib import contextmanager

MAX_NESTING = 64
MAX_TREE_DEPTH = 1000
# Python frames a stage may use per tree level (the statement printer uses up to about 5)
_FRAMES_PER_LEVEL = 8
_FRAMES_FOR_NESTING = 20 * 2 * MAX_NESTING      # the parser: ~18 frames per expression level
_SPARE_FRAMES = 200


def _stack_depth() -> int:
    depth, frame = 0, sys._getframe()
    while frame is not None:
        depth += 1
        frame = frame.f_back
    return depth


@contextmanager
def recursion_headroom():
    """Make sure the recursion limit leaves room for a front-end stage within the limits."""
    needed = (_stack_depth() + max(_FRAMES_PER_LEVEL * MAX_TREE_DEPTH, _FRAMES_FOR_NESTING)
              + _SPARE_FRAMES)
    old = sys.getrecursionlimit()
    if needed > old:
        sys.setrecursionlimit(needed)
    try:
        yield
    finally:
        if needed > old and sys.getrecursionlimit() == needed:
            sys.setrecursionlimit(old)


def with_headroom(function):
    """Decorator: run ``function`` inside ``recursion_headroom()``."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with recursion_headroom():
            return function(*args, **kwargs)
    return wrapper
