"""The runtime manifest: everything a runtime and the array views need from a generated model.

Code generation (``codegen/manifest.py``) writes one beside the generated source; the runtime
is created from ``(library, manifest)`` alone and the interface attaches its array views in one
loop over ``manifest.arrays``. Neither reads the plan or the model description, so the contract
between them is this module's records, all plain data (``to_json``/``from_json``: a cache entry
stores its manifest, and a model built with ``never_rebuild`` loads from it).

Names: an array is keyed by ``(owner, name)``, the group that owns it and the name generated code
knows it by (``V``, ``spkCnt``, ``dyn_tau``, ...). A struct field is bound to an array (its
address), an array's length (debug builds' bounds) or a constant.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields

import numpy as np

__all__ = ["ViewRecord", "ArrayRecord", "FieldBinding", "StructRecord", "KernelRecord",
           "CustomConnectivityHost", "CustomConnectivityGroup", "NeuronRecord",
           "DebugSiteRecord", "RuntimeManifest"]

# what a view record attaches to: the attribute of the user-facing group object that holds the
# wrapper, by collection name
VIEW_COLLECTIONS = ("vars", "pre_vars", "post_vars", "psm_vars", "extra_global_params",
                    "psm_extra_global_params", "connectivity_extra_global_params",
                    "var_init_egp", "spike_times", "prev_spike_times", "out_post")


@dataclass(frozen=True)
class ViewRecord:
    """Which user-facing wrapper an array backs, and the shape of its numpy view.

    ``group`` names the population, synapse group, current source or custom update whose
    ``collection`` (one of ``VIEW_COLLECTIONS``) holds the wrapper under ``name``; for
    ``var_init_egp`` the wrapper is EGP ``egp`` of variable ``name``'s initialiser. An array
    with ``delay_group`` has that neuron group's delay slots (a view's ``current_view`` follows
    its spike queue). ``sparse`` views take values in the user's connection order.
    ``init_values`` says whether the wrapper's initial values are copied in at load.
    """
    group: str
    collection: str
    name: str
    shape: tuple | None = None
    delay_group: str | None = None
    sparse: bool = False
    egp: str = ""
    init_values: bool = True


@dataclass(frozen=True)
class ArrayRecord:
    """One block of memory the runtime allocates (host copy and/or device copy).

    ``count`` is in elements (per recording timestep when ``per_recording_step``). An EGP
    (``egp``) is allocated at load with the length of its values; ``required`` ones are read
    by some code and must be given values, ``for_init`` ones before initialisation runs.
    ``location`` holds ``VarLocation`` bits; ``fill`` is the initial contents.
    """
    owner: str
    name: str
    dtype: str
    count: int
    location: int
    fill: float = 0
    per_recording_step: bool = False
    egp: bool = False
    egp_name: str = ""
    for_init: bool = False
    required: bool = False
    view: ViewRecord | None = None

    @property
    def key(self) -> tuple:
        return (self.owner, self.name)

    @property
    def numpy_dtype(self) -> np.dtype:
        return np.dtype(self.dtype)


@dataclass(frozen=True)
class FieldBinding:
    """What fills one field of one member's struct: an array's address (``array``), an array's
    length divided by ``batches`` (``size``), or ``value``."""
    kind: str                       # "array", "size" or "value"
    array: tuple | None = None
    batches: int = 1
    value: float | int | None = None


@dataclass(frozen=True)
class StructRecord:
    """A merged group's array of structs in the library: field layout and each member's
    bindings (field name -> FieldBinding)."""
    struct_name: str
    array_name: str
    fields: tuple                   # ((name, numpy dtype string), ...) in C order
    members: tuple                  # member group names
    bindings: tuple                 # per member: {field name: FieldBinding}

    def numpy_dtype(self) -> np.dtype:
        return np.dtype([(name, dtype) for name, dtype in self.fields], align=True)


@dataclass(frozen=True)
class KernelRecord:
    """A CUDA kernel: its launch shape and place in a step.

    A packed kernel gives member i ``member_elements[i]`` threads' worth of blocks (the
    ``<name>_blockStart`` table); a ``single_thread`` kernel runs a thread per member in
    ``blockIdx.y``; ``grid``/``block`` are fixed shapes (the StepEnd kernel). Kernels of one
    ``wave`` run as parallel branches; ``phase`` names the timer they count towards.
    """
    name: str
    phase: str
    wave: str
    member_elements: tuple = ()
    single_thread: bool = False
    batches: int = 1
    grid: tuple | None = None
    block: tuple | None = None


@dataclass(frozen=True)
class CustomConnectivityHost:
    """Host update code of one custom connectivity update: its exported function
    ``pygenn_ccu_host_<name>``, its struct and the arrays its push/pull calls copy."""
    name: str
    struct: StructRecord
    copy_targets: tuple             # index -> (owner, array name, is an EGP)


@dataclass(frozen=True)
class CustomConnectivityGroup:
    """What an update group's custom connectivity updates run: host code, row code, and the
    synapse groups whose columns need rebuilding afterwards."""
    hosts: tuple = ()
    rows: bool = False
    changed: tuple = ()


@dataclass(frozen=True)
class NeuronRecord:
    """A neuron group's spike bookkeeping: its delay slots and whether its spikes are queued
    (``spkQuePtr`` selects the current slot)."""
    num_neurons: int
    num_delay_slots: int = 1
    spike_queue: bool = False


@dataclass(frozen=True)
class DebugSiteRecord:
    """A place ``debug_code`` builds check: ``what`` in code string ``role`` of ``group``
    (``description`` in the wording of code-string errors). Generated code records a site's
    index in ``RuntimeManifest.debug_sites``."""
    group: str
    description: str
    role: str
    what: str


@dataclass
class RuntimeManifest:
    """The declared contract between a generated model and its runtime (module docstring)."""
    model_name: str
    backend: str
    dt: float
    batch_size: int
    timing: bool = False
    openmp: bool = False                                # the library runs OpenMP threads
    arrays: dict = field(default_factory=dict)          # (owner, name) -> ArrayRecord
    neurons: dict = field(default_factory=dict)         # neuron group -> NeuronRecord
    structs: tuple = ()                                 # StructRecord, bound by the runtime
    row_strides: dict = field(default_factory=dict)     # synapse group -> row stride
    custom_update_groups: tuple = ()                    # names with generated update code
    custom_connectivity: dict = field(default_factory=dict)   # group -> CustomConnectivityGroup
    kernels: dict = field(default_factory=dict)         # CUDA: list name -> [KernelRecord]
    custom_update_kernels: dict = field(default_factory=dict)
    custom_connectivity_kernels: dict = field(default_factory=dict)
    debug_code: bool = False
    debug_sites: tuple = ()
    sanitizers: tuple = ()
    host_library: str | None = None                     # CUDA: custom connectivity host code
    # the generated sources, by file name: sanitizer reports name the code string they point
    # into. Not stored in JSON (the cache entry holds the files themselves).
    sources: dict = field(default_factory=dict, repr=False, compare=False)

    # ------------------------------------------------------------------ queries
    def array(self, owner: str, name: str) -> ArrayRecord | None:
        return self.arrays.get((owner, name))

    def uses_recording(self) -> bool:
        return any(a.per_recording_step for a in self.arrays.values())

    # ------------------------------------------------------------------ JSON
    def to_json(self) -> str:
        """The manifest as JSON (without ``sources``)."""
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "sources"}
        data["arrays"] = [_plain(a) for a in self.arrays.values()]
        data["structs"] = [_struct_plain(s) for s in self.structs]
        data["row_strides"] = dict(self.row_strides)
        data["neurons"] = {k: _plain(v) for k, v in self.neurons.items()}
        data["debug_sites"] = [_plain(site) for site in self.debug_sites]
        data["custom_connectivity"] = {
            name: {"hosts": [{"name": h.name, "struct": _struct_plain(h.struct),
                              "copy_targets": [list(t) for t in h.copy_targets]}
                             for h in group.hosts],
                   "rows": group.rows, "changed": list(group.changed)}
            for name, group in self.custom_connectivity.items()}
        for table in ("kernels", "custom_update_kernels", "custom_connectivity_kernels"):
            data[table] = {k: [_plain(r) for r in v] for k, v in getattr(self, table).items()}
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str, sources: dict | None = None) -> "RuntimeManifest":
        data = json.loads(text)
        arrays = {}
        for a in data.pop("arrays"):
            view = a.pop("view")
            if view is not None:
                view = ViewRecord(**{**view, "shape": _tuple(view["shape"])})
            record = ArrayRecord(**a, view=view)
            arrays[record.key] = record
        structs = tuple(_struct_from(s) for s in data.pop("structs"))
        ccu = {name: CustomConnectivityGroup(
                   hosts=tuple(CustomConnectivityHost(h["name"], _struct_from(h["struct"]),
                                                      tuple(tuple(t) for t in h["copy_targets"]))
                               for h in g["hosts"]),
                   rows=g["rows"], changed=tuple(g["changed"]))
               for name, g in data.pop("custom_connectivity").items()}
        tables = {t: {k: [_kernel_from(r) for r in v] for k, v in data.pop(t).items()}
                  for t in ("kernels", "custom_update_kernels", "custom_connectivity_kernels")}
        data["neurons"] = {k: NeuronRecord(**v) for k, v in data["neurons"].items()}
        data["debug_sites"] = tuple(DebugSiteRecord(**d) for d in data["debug_sites"])
        for name in ("custom_update_groups", "sanitizers"):
            data[name] = tuple(data.get(name, ()))
        return cls(**data, **tables, arrays=arrays, structs=structs, custom_connectivity=ccu,
                   sources=sources or {})


def _plain(record) -> dict:
    return asdict(record)


def _tuple(value):
    return None if value is None else tuple(_tuple(v) if isinstance(v, list) else v
                                            for v in value)


def _binding_plain(binding: FieldBinding) -> dict:
    return asdict(binding)


def _struct_plain(struct: StructRecord) -> dict:
    return {"struct_name": struct.struct_name, "array_name": struct.array_name,
            "fields": [list(f) for f in struct.fields], "members": list(struct.members),
            "bindings": [{k: _binding_plain(b) for k, b in member.items()}
                         for member in struct.bindings]}


def _struct_from(data: dict) -> StructRecord:
    bindings = tuple({k: FieldBinding(**{**b, "array": _tuple(b["array"])})
                      for k, b in member.items()} for member in data["bindings"])
    return StructRecord(data["struct_name"], data["array_name"],
                        tuple(tuple(f) for f in data["fields"]), tuple(data["members"]),
                        bindings)


def _kernel_from(data: dict) -> KernelRecord:
    return KernelRecord(**{**data, "member_elements": tuple(data["member_elements"]),
                           "grid": _tuple(data["grid"]), "block": _tuple(data["block"])})
