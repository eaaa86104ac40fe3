"""GeNN's enumerations with its member names and integer values.

The combined enums (``VarAccess``, ``SynapseMatrixType`` ...) are bit-flag valued. As in PyGeNN,
``combined & attribute`` returns a ``bool`` and is defined only for the documented pairs.
"""
from __future__ import annotations

import enum


class GeNNEnum(enum.Enum):
    """Base of all GeNN enums: int-convertible, comparable with ints, ``&`` only where defined."""

    def __int__(self):
        return self.value

    def __index__(self):
        return self.value

    def __eq__(self, other):
        if isinstance(other, GeNNEnum):
            return type(self) is type(other) and self.value == other.value
        if isinstance(other, int) and not isinstance(other, bool):
            return self.value == other
        return NotImplemented

    def __hash__(self):
        return hash(self.value)

    def __and__(self, other):
        partners = _AND_PARTNERS.get(type(self), ())
        if isinstance(other, partners):
            return bool(self.value & other.value)
        raise TypeError(f"unsupported operand types for &: '{type(self).__name__}' and "
                        f"'{type(other).__name__}'")

    __rand__ = __and__

    def __repr__(self):
        return f"<{type(self).__name__}.{self.name}: {self.value}>"

    def __str__(self):
        return f"{type(self).__name__}.{self.name}"


class VarAccessModeAttribute(GeNNEnum):
    """Single bits of a variable access mode; ``mode & VarAccessModeAttribute.READ_ONLY``
    tests one."""

    READ_ONLY = 1
    READ_WRITE = 2
    REDUCE = 4
    SUM = 8
    MAX = 16
    BROADCAST = 32


class VarAccessMode(GeNNEnum):
    """How code may access a variable reference: read-write, read-only, or as a sum or
    maximum reduction (custom updates)."""

    READ_WRITE = 2
    READ_ONLY = 1
    BROADCAST = 32
    REDUCE_SUM = 12
    REDUCE_MAX = 20


class VarAccessDim(GeNNEnum):
    """The dimensions a variable has: one value per ELEMENT (neuron or synapse), per BATCH,
    or both (``ELEMENT | BATCH``)."""

    ELEMENT = 64
    BATCH = 128

    @classmethod
    def _missing_(cls, value):
        # Combinations (e.g. ELEMENT | BATCH = 192) are values without a name, as in PyGeNN
        if isinstance(value, int) and value & ~192 == 0:
            pseudo = object.__new__(cls)
            pseudo._value_ = value
            pseudo._name_ = "???"
            return pseudo
        return None

    def __or__(self, other):
        if isinstance(other, VarAccessDim):
            return VarAccessDim(self.value | other.value)
        return NotImplemented


class VarAccess(GeNNEnum):
    """Access and dimensions of a model variable: READ_WRITE (one value per element and
    batch), READ_ONLY, READ_ONLY_DUPLICATE (read-only but one copy per batch) or
    READ_ONLY_SHARED_NEURON (one value per batch, shared by all neurons)."""

    READ_WRITE = 2 | 64 | 128
    READ_ONLY = 1 | 64
    READ_ONLY_DUPLICATE = 1 | 64 | 128
    READ_ONLY_SHARED_NEURON = 1 | 128


class CustomUpdateVarAccess(GeNNEnum):
    """Access of a custom update's own variable; the dimensions it names are removed from
    the update's: e.g. REDUCE_BATCH_SUM sums over the batch, READ_ONLY_SHARED_NEURON holds one
    value per batch."""

    READ_WRITE = 2
    READ_ONLY = 1
    BROADCAST_DELAY = 32
    READ_ONLY_SHARED = 1 | 128
    READ_ONLY_SHARED_NEURON = 1 | 64
    REDUCE_BATCH_SUM = 12 | 128
    REDUCE_BATCH_MAX = 20 | 128
    REDUCE_NEURON_SUM = 12 | 64
    REDUCE_NEURON_MAX = 20 | 64


class VarLocationAttribute(GeNNEnum):
    """Single bits of a variable location: HOST, DEVICE, ZERO_COPY."""

    HOST = 1
    DEVICE = 2
    ZERO_COPY = 4


class VarLocation(GeNNEnum):
    """Where a variable is stored: DEVICE only, HOST_DEVICE (a host copy too, the default)
    or HOST_DEVICE_ZERO_COPY (host memory the GPU reads directly)."""

    DEVICE = 2
    HOST_DEVICE = 3
    HOST_DEVICE_ZERO_COPY = 7


class SynapseMatrixConnectivity(GeNNEnum):
    """How a synapse group's connectivity is stored: DENSE, BITMASK, SPARSE, PROCEDURAL
    (regenerated on the fly) or TOEPLITZ (convolution-like)."""

    DENSE = 1
    BITMASK = 2
    SPARSE = 4
    PROCEDURAL = 8
    TOEPLITZ = 16


class SynapseMatrixWeight(GeNNEnum):
    """How a synapse group's weights are stored: INDIVIDUAL (one per synapse), PROCEDURAL
    (recomputed when used) or KERNEL (one per kernel entry)."""

    INDIVIDUAL = 64
    PROCEDURAL = 128
    KERNEL = 256


class SynapseMatrixType(GeNNEnum):
    """The ``matrix_type`` of ``add_synapse_population``: a connectivity combined with a weight
    storage (``SynapseMatrixType.SPARSE & SynapseMatrixConnectivity.SPARSE`` is True)."""

    DENSE = 1 | 64
    DENSE_PROCEDURALG = 1 | 128
    BITMASK = 2 | 64
    SPARSE = 4 | 64
    PROCEDURAL = 8 | 128
    PROCEDURAL_KERNELG = 8 | 256
    TOEPLITZ = 16 | 256


class ParallelismHint(GeNNEnum):
    """How the GPU parallelises a synapse group's presynaptic update: over POSTSYNAPTIC
    neurons, over PRESYNAPTIC spikes, or over WORD_PACKED_BITMASK words."""

    POSTSYNAPTIC = 0
    PRESYNAPTIC = 1
    WORD_PACKED_BITMASK = 2


class PlogSeverity(GeNNEnum):
    """Logging levels of ``GeNNModel``'s ``*_log_level`` arguments, from NONE to VERBOSE."""

    NONE = 0
    FATAL = 1
    ERROR = 2
    WARNING = 3
    INFO = 4
    DEBUG = 5
    VERBOSE = 6


_AND_PARTNERS = {
    VarAccessMode: (VarAccessModeAttribute,),
    VarAccess: (VarAccessModeAttribute,),
    CustomUpdateVarAccess: (VarAccessModeAttribute,),
    VarAccessDim: (VarAccessDim,),
    VarLocation: (VarLocationAttribute,),
    SynapseMatrixType: (SynapseMatrixConnectivity, SynapseMatrixWeight),
    VarAccessModeAttribute: (VarAccessMode, VarAccess, CustomUpdateVarAccess),
    VarLocationAttribute: (VarLocation,),
    SynapseMatrixConnectivity: (SynapseMatrixType,),
    SynapseMatrixWeight: (SynapseMatrixType,),
}


def get_var_access_dim(access, update_dims=None) -> VarAccessDim:
    """Dimensions of a variable with the given access.

    For ``VarAccess`` the dims are encoded in the access. For ``CustomUpdateVarAccess`` the dims
    encoded in the access are *removed* from the custom update's own ``update_dims``.
    """
    if isinstance(access, VarAccess):
        return VarAccessDim(access.value & 192)
    if isinstance(access, CustomUpdateVarAccess):
        if update_dims is None:
            raise TypeError("get_var_access_dim(CustomUpdateVarAccess, ...) needs the custom "
                            "update's dimensions as second argument")
        return VarAccessDim(int(update_dims) & ~(access.value & 192))
    raise TypeError(f"get_var_access_dim expects a VarAccess or CustomUpdateVarAccess, "
                    f"not {access!r}")


def access_mode_of(access) -> VarAccessMode:
    """The VarAccessMode part (low 6 bits) of a VarAccess / CustomUpdateVarAccess."""
    return VarAccessMode(int(access) & 63)


def parse_enum(enum_type, value, what: str):
    """Accept an enum member or its member name as a string (e.g. matrix type "SPARSE")."""
    if isinstance(value, enum_type):
        return value
    if isinstance(value, str):
        try:
            return enum_type[value]
        except KeyError:
            names = ", ".join(m.name for m in enum_type)
            raise ValueError(f"Unknown {what} '{value}'; valid names are {names}") from None
    raise TypeError(f"{what} must be a {enum_type.__name__} or its name as a string, "
                    f"not {value!r}")
