"""Resolved numeric types (``pygenn.types.Float`` ...), usable wherever a type is expected."""
from ._src.lang.types import (Bool, Double, Float, Int8, Int16, Int32, Int64, Uint8, Uint16,
                              Uint32, Uint64)

__all__ = ["Bool", "Int8", "Int16", "Int32", "Int64", "Uint8", "Uint16", "Uint32", "Uint64",
           "Float", "Double"]
