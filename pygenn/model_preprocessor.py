"""Array, variable and extra-global-parameter wrappers."""
from ._src.interface.arrays import (Array, ArrayBase, ExtraGlobalParameter, SynapseVariable,
                                    Variable, VariableBase)

__all__ = ["ArrayBase", "Array", "VariableBase", "Variable", "SynapseVariable",
           "ExtraGlobalParameter"]
