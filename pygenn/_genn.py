"""Names GeNN's native core module exposes that scripts import (ModelSpec, VarInit ...)."""
from ._src.lang.types import NumericType as ResolvedType, UnresolvedType
from ._src.model.descriptors import (EGP, AdditionalInputVar, CustomUpdateVar, DerivedParam,
                                     EGPRef, NumericValue, Param, ParamVal, Var, VarRef)
from ._src.model.enums import (CustomUpdateVarAccess, ParallelismHint, PlogSeverity,
                               SynapseMatrixConnectivity, SynapseMatrixType,
                               SynapseMatrixWeight, VarAccess, VarAccessDim, VarAccessMode,
                               VarAccessModeAttribute, VarLocation, VarLocationAttribute,
                               get_var_access_dim)
from ._src.model.groups import (CurrentSource, CustomConnectivityUpdate, CustomUpdate,
                                CustomUpdateBase, CustomUpdateWU, NeuronGroup, SynapseGroup)
from ._src.model.init import (PostsynapticInit, SparseConnectivityInit,
                              ToeplitzConnectivityInit, VarInit, WeightUpdateInit)
from ._src.model.refs import EGPReference, VarReference, WUVarReference
from ._src.model.snippets import (CurrentSourceModelBase, CustomConnectivityUpdateModelBase,
                                  CustomUpdateModelBase, InitSparseConnectivitySnippetBase,
                                  InitToeplitzConnectivitySnippetBase, InitVarSnippetBase,
                                  NeuronModelBase, PostsynapticModelBase, WeightUpdateModelBase)
from ._src.model.spec import ModelSpec

__all__ = [
    "ModelSpec", "NumericValue", "ResolvedType", "UnresolvedType", "Param", "DerivedParam",
    "EGP", "ParamVal", "Var", "CustomUpdateVar", "VarRef", "EGPRef", "AdditionalInputVar",
    "VarInit", "SparseConnectivityInit", "ToeplitzConnectivityInit", "WeightUpdateInit",
    "PostsynapticInit", "VarReference", "WUVarReference", "EGPReference",
    "NeuronModelBase", "WeightUpdateModelBase", "PostsynapticModelBase",
    "CurrentSourceModelBase", "CustomUpdateModelBase", "CustomConnectivityUpdateModelBase",
    "InitVarSnippetBase", "InitSparseConnectivitySnippetBase",
    "InitToeplitzConnectivitySnippetBase", "NeuronGroup", "SynapseGroup", "CurrentSource",
    "CustomUpdateBase", "CustomUpdate", "CustomUpdateWU", "CustomConnectivityUpdate",
    "CustomUpdateVarAccess", "ParallelismHint", "PlogSeverity", "SynapseMatrixConnectivity",
    "SynapseMatrixType", "SynapseMatrixWeight", "VarAccess", "VarAccessDim", "VarAccessMode",
    "VarAccessModeAttribute", "VarLocation", "VarLocationAttribute", "get_var_access_dim"]
