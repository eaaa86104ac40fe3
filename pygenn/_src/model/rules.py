"""Validation rules for particular kinds of group.

Synapse groups: initialisers, matrix-type rules, local variable references. Custom updates and
custom connectivity updates: reference kinds, sizes and dimensions. ``check_before_build`` holds
the rules that depend on settings users may still change after ``add_*`` (batch size, delays).
"""
from __future__ import annotations

import re

from . import validation as v
from .code_roles import SYNAPTIC_GETTERS
from .enums import (CustomUpdateVarAccess, SynapseMatrixConnectivity as Conn,
                    SynapseMatrixType, SynapseMatrixWeight as Weight, VarAccessDim, VarAccessMode,
                    VarLocationAttribute)
from .groups import declared, model_code, model_name
from .refs import (EGPReference, VarReference, WUVarReference, create_psm_var_ref,
                   create_var_ref, uses_dendritic_delay)

ELEMENT = int(VarAccessDim.ELEMENT)
BATCH = int(VarAccessDim.BATCH)


# ============================================================================ synapse groups
def check_synapse_initialisers(wu_init, ps_init, owner: str):
    from . import snippets
    _check_init(wu_init, snippets.WeightUpdateModelBase, "weight_update_init",
                "init_weight_update(...)", owner)
    _check_init(ps_init, snippets.PostsynapticModelBase, "postsynaptic_init",
                "init_postsynaptic(...)", owner)
    return wu_init, ps_init


def _check_init(init, base, argument: str, factory: str, owner: str):
    snippet = getattr(init, "snippet", None)
    if isinstance(init, tuple) and init:
        raise TypeError(f"{owner}: {argument} is a tuple; pass the single object that "
                        f"{factory} returns")
    if not isinstance(snippet, base):
        raise TypeError(f"{owner}: {argument} must be the result of {factory}, not {init!r}")
    v.check_model_declarations(snippet, owner)


def split_connectivity_init(init, owner: str):
    """(sparse initialiser, Toeplitz initialiser), either or both None."""
    from . import snippets
    if init is None:
        return None, None
    snippet = getattr(init, "snippet", None)
    if isinstance(snippet, snippets.InitSparseConnectivitySnippetBase):
        return init, None
    if isinstance(snippet, snippets.InitToeplitzConnectivitySnippetBase):
        return None, init
    raise TypeError(f"{owner}: connectivity_init must be None or the result of "
                    f"init_sparse_connectivity(...) / init_toeplitz_connectivity(...), "
                    f"not {init!r}")


def _has_sparse_code(init) -> bool:
    return init is not None and bool(model_code(init.snippet, "get_row_build_code").strip()
                                     or model_code(init.snippet, "get_col_build_code").strip())


def _kernel_func(init):
    if init is None:
        return None
    getter = getattr(init.snippet, "get_calc_kernel_size_func", None)
    return getter() if getter is not None else None


def check_matrix_type(matrix_type, wu_init, sparse_init, toeplitz_init, owner: str) -> None:
    """Which connectivity initialisers and weight update code each matrix type allows."""
    name = matrix_type.name
    wu = wu_init.snippet
    if toeplitz_init is not None and not matrix_type & Conn.TOEPLITZ:
        raise RuntimeError(f"{owner}: Toeplitz connectivity snippets can only be used with "
                           f"TOEPLITZ synapse groups, not {name}")
    if matrix_type & Conn.DENSE and _has_sparse_code(sparse_init):
        raise RuntimeError(f"{owner}: DENSE synapse groups connect every pair of neurons, so "
                           f"they cannot use a sparse connectivity snippet "
                           f"({model_name(sparse_init.snippet)}); use SPARSE or PROCEDURAL")
    if _kernel_func(sparse_init) is not None and (matrix_type & Conn.DENSE
                                                 or matrix_type & Conn.BITMASK):
        raise RuntimeError(f"{owner}: connectivity snippets with a kernel size can only be "
                           f"used with SPARSE, PROCEDURAL, PROCEDURAL_KERNELG or TOEPLITZ "
                           f"synapse groups, not DENSE or BITMASK ({name})")
    if matrix_type & Conn.PROCEDURAL:
        _check_procedural(sparse_init, wu, owner)
    if matrix_type & Conn.TOEPLITZ:
        _check_toeplitz(sparse_init, toeplitz_init, wu, owner)
    if matrix_type & Weight.KERNEL and _kernel_func(sparse_init or toeplitz_init) is None:
        raise RuntimeError(f"{owner}: {name} synapse groups store KERNEL weights, so their "
                           "connectivity snippet must define a kernel size "
                           "(calc_kernel_size_func)")


def _check_procedural(sparse_init, wu, owner: str) -> None:
    snippet = getattr(sparse_init, "snippet", None)
    if model_code(snippet, "get_col_build_code").strip():
        raise RuntimeError(f"{owner}: PROCEDURAL connectivity cannot use a snippet with "
                           f"col_build_code ({model_name(snippet)}); use one with "
                           "row_build_code")
    if not model_code(snippet, "get_row_build_code").strip():
        raise RuntimeError(f"{owner}: PROCEDURAL connectivity is regenerated row by row, so it "
                           "needs a sparse connectivity snippet with row_build_code")
    for getter, role in (("get_post_spike_syn_code", "post_spike_syn_code"),
                         ("get_synapse_dynamics_code", "synapse_dynamics_code")):
        if model_code(wu, getter).strip():
            raise RuntimeError(f"{owner}: weight update models of PROCEDURAL synapse groups "
                               f"cannot have {role} ({model_name(wu)} does)")


def _check_toeplitz(sparse_init, toeplitz_init, wu, owner: str) -> None:
    if sparse_init is not None:
        raise RuntimeError(f"{owner}: TOEPLITZ synapse groups need a Toeplitz connectivity "
                           "snippet (init_toeplitz_connectivity), not a sparse one")
    snippet = toeplitz_init.snippet if toeplitz_init is not None else None
    code = model_code(snippet, "get_diagonal_build_code")
    if snippet is None or not code.strip():
        raise RuntimeError(f"{owner}: TOEPLITZ synapse groups need a Toeplitz connectivity "
                           "snippet with diagonal_build_code")
    for getter, what in (("get_calc_kernel_size_func", "calc_kernel_size_func"),
                         ("get_calc_max_row_length_func", "calc_max_row_len_func")):
        if getattr(snippet, getter)() is None:
            raise RuntimeError(f"{owner}: the Toeplitz snippet {model_name(snippet)} must "
                               f"define {what}")
    if v.uses_rng(code):
        raise RuntimeError(f"{owner}: Toeplitz diagonal_build_code cannot use random numbers")
    if model_code(wu, "get_post_spike_syn_code").strip():
        raise RuntimeError(f"{owner}: weight update models of TOEPLITZ synapse groups cannot "
                           f"have post_spike_syn_code ({model_name(wu)} does)")


def check_synapse_params(wu_init, ps_init, owner: str):
    wu_params = v.check_param_values(getattr(wu_init, "params", None), wu_init.snippet,
                                     f"{owner} weight update model")
    ps_params = v.check_param_values(getattr(ps_init, "params", None), ps_init.snippet,
                                     f"{owner} postsynaptic model")
    return wu_params, ps_params


def attach_synapse_vars(sg, owner: str) -> None:
    """Validate and store the WU (per-synapse, pre, post) and PSM variable initialisers."""
    wu, ps = sg.wu_initialiser.snippet, sg.ps_initialiser.snippet
    wu_owner = f"{owner} weight update model ({model_name(wu)})"
    ps_owner = f"{owner} postsynaptic model ({model_name(ps)})"
    init = sg.wu_initialiser
    sg.wu_var_initialisers = v.check_var_initialisers(
        getattr(init, "vars", None), declared(wu, "get_vars"), wu_owner)
    sg.wu_pre_var_initialisers = v.check_var_initialisers(
        getattr(init, "pre_vars", None), declared(wu, "get_pre_vars"), wu_owner,
        "presynaptic variable")
    sg.wu_post_var_initialisers = v.check_var_initialisers(
        getattr(init, "post_vars", None), declared(wu, "get_post_vars"), wu_owner,
        "postsynaptic variable")
    sg.ps_var_initialisers = v.check_var_initialisers(
        getattr(sg.ps_initialiser, "vars", None), declared(ps, "get_vars"), ps_owner)
    _check_synapse_var_inits(sg, wu_owner)


def _check_synapse_var_inits(sg, owner: str) -> None:
    matrix_type = sg.matrix_type
    for name, init in sg.wu_var_initialisers.items():
        snippet = getattr(init, "snippet", None)
        code = model_code(snippet, "get_code")
        if matrix_type & Weight.PROCEDURAL and snippet is None:
            raise RuntimeError(f"{owner}: variable '{name}' of a {matrix_type.name} synapse "
                               "group is recomputed whenever it is used, so it must be "
                               "initialised with a number or init_var(...), not host values")
        if matrix_type == SynapseMatrixType.DENSE_PROCEDURALG and v.uses_rng(code):
            raise RuntimeError(f"{owner}: variable '{name}' of a DENSE_PROCEDURALG synapse "
                               "group is recomputed whenever it is used, so its init snippet "
                               f"({model_name(snippet)}) cannot use random numbers")
        if (v.uses_id_kernel(code) and not sg.kernel_size
                and (matrix_type & Conn.SPARSE or matrix_type & Conn.PROCEDURAL)):
            raise RuntimeError(f"{owner}: variable '{name}' is initialised with "
                               f"{model_name(snippet)}, which uses id_kernel, but the "
                               "connectivity snippet defines no kernel size")


def attach_synapse_refs(sg, owner: str, spec) -> None:
    """Resolve the WU pre/post/PSM references and the PSM's neuron references."""
    wu, ps = sg.wu_initialiser.snippet, sg.ps_initialiser.snippet
    init = sg.wu_initialiser
    wu_owner = f"{owner} weight update model ({model_name(wu)})"
    sg.wu_pre_var_refs = resolve_local_refs(
        getattr(init, "pre_var_refs", None), declared(wu, "get_pre_neuron_var_refs"), sg.src,
        "neuron", wu_owner, spec, "the presynaptic neuron group")
    sg.wu_post_var_refs = resolve_local_refs(
        getattr(init, "post_var_refs", None), declared(wu, "get_post_neuron_var_refs"),
        sg.trg, "neuron", wu_owner, spec, "the postsynaptic neuron group")
    sg.psm_var_refs = resolve_local_refs(
        getattr(init, "psm_var_refs", None), declared(wu, "get_psm_var_refs"), sg, "psm",
        wu_owner, spec, "this synapse group's postsynaptic model")
    sg.ps_neuron_var_refs = resolve_local_refs(
        getattr(sg.ps_initialiser, "var_refs", None), declared(ps, "get_neuron_var_refs"),
        sg.trg, "neuron", f"{owner} postsynaptic model ({model_name(ps)})", spec,
        "the postsynaptic neuron group")


def resolve_local_refs(given, declarations: list, target, kind: str, owner: str, spec,
                       target_text: str) -> dict:
    """Resolve refs given as names (or reference objects to the natural target)."""
    given = v.check_ref_names(given, declarations, owner, "variable reference")
    resolved = {}
    for declaration in declarations:
        ref = given[declaration.name]
        if isinstance(ref, str):
            ref = (create_psm_var_ref(target, ref) if kind == "psm"
                   else create_var_ref(target, ref))
        elif not isinstance(ref, VarReference):
            raise TypeError(f"{owner}: variable reference '{declaration.name}' must be a "
                            f"variable name or a reference object, not {ref!r}")
        elif ref.kind != kind or ref.group is not target:
            raise RuntimeError(
                f"{owner}: variable reference '{declaration.name}' can only point to "
                f"{target_text} ({target.description}), not to {ref.target_description}")
        v.check_ref_type(declaration, ref, owner, spec)
        v.check_local_ref_access(declaration, ref, owner)
        resolved[declaration.name] = ref
    return resolved


def scan_synapse_code(sg, owner: str) -> None:
    v.scan_model(sg.wu_initialiser.snippet, v.WU_CODES, owner, sg.name)
    v.scan_model(sg.ps_initialiser.snippet, v.PSM_CODES, owner, sg.name)
    if sg.sparse_connectivity_initialiser is not None:
        v.scan_model(sg.sparse_connectivity_initialiser.snippet, v.SPARSE_CODES, owner,
                     sg.name)
    if sg.toeplitz_connectivity_initialiser is not None:
        v.scan_model(sg.toeplitz_connectivity_initialiser.snippet, v.TOEPLITZ_CODES, owner,
                     sg.name)
    for inits in (sg.wu_var_initialisers, sg.wu_pre_var_initialisers,
                  sg.wu_post_var_initialisers, sg.ps_var_initialisers):
        v.scan_var_inits(inits, owner, sg.name)


# ============================================================================ custom updates
def check_custom_update_refs(var_refs, model, owner: str, spec) -> dict:
    """Names, kinds, ownership and types of a custom update's references."""
    declarations = declared(model, "get_var_refs")
    if not var_refs:
        raise RuntimeError(f"{owner}: custom update models must reference variables; pass "
                           "var_refs={name: create_var_ref(...) or create_wu_var_ref(...)}")
    refs = v.check_ref_names(var_refs, declarations, owner, "variable reference")
    for declaration in declarations:
        ref = refs[declaration.name]
        if not isinstance(ref, (VarReference, WUVarReference)):
            raise TypeError(f"{owner}: variable reference '{declaration.name}' must be created "
                            f"with create_var_ref(...) or create_wu_var_ref(...), not {ref!r}")
        _check_same_model(ref.group, spec, owner, f"variable reference '{declaration.name}'")
        v.check_ref_type(declaration, ref, owner, spec)
    kinds = {isinstance(ref, WUVarReference) for ref in refs.values()}
    if len(kinds) > 1:
        raise RuntimeError(f"{owner}: cannot mix per-synapse references (create_wu_var_ref) "
                           "with neuron-shaped references in one custom update")
    return refs


def _check_same_model(group, spec, owner: str, what: str) -> None:
    if getattr(group, "_model", spec) is not spec:
        raise RuntimeError(f"{owner}: {what} points to {group.description} of another model")


def is_wu_refs(refs: dict) -> bool:
    return any(isinstance(ref, WUVarReference) for ref in refs.values())


def custom_update_dims(refs: dict) -> VarAccessDim:
    """The update's dimensions: the union of its references' dimensions."""
    dims = 0
    for ref in refs.values():
        dims |= int(ref.dims)
    return VarAccessDim(dims)


def check_custom_update(refs: dict, model, dims, owner: str, spec) -> int:
    """Rules for neuron-shaped custom updates; returns their common size (num_neurons)."""
    sizes = {name: ref.size for name, ref in refs.items()}
    if len(set(sizes.values())) > 1:
        listed = ", ".join(f"'{n}': {s}" for n, s in sizes.items())
        raise RuntimeError(f"{owner}: All referenced variables must have the same size "
                           f"(got {listed})")
    den_delay_groups = {ref.group.name for ref in refs.values() if ref.kind == "den_delay"}
    if len(den_delay_groups) > 1:
        raise RuntimeError(f"{owner}: dendritic delay references must all belong to one synapse "
                           f"group (got {', '.join(sorted(den_delay_groups))})")
    _check_dims(refs, model, dims, owner, spec.batch_size)
    return next(iter(sizes.values()))


def check_custom_update_wu(refs: dict, model, dims, owner: str, spec):
    """Rules for per-synapse custom updates; returns the synapse group they all belong to."""
    groups = {id(ref.synapse_group): ref.synapse_group for ref in refs.values()}
    if len(groups) > 1:
        names = ", ".join(sorted(g.name for g in groups.values()))
        raise RuntimeError(f"{owner}: All referenced variables must belong to the same synapse "
                           f"group (got {names})")
    for var in declared(model, "get_vars"):
        if var.access in (CustomUpdateVarAccess.READ_ONLY_SHARED_NEURON,
                          CustomUpdateVarAccess.BROADCAST_DELAY):
            raise RuntimeError(f"{owner}: variable '{var.name}' has access {var.access.name}, "
                               "which per-synapse custom updates do not support")
    transposes = [n for n, ref in refs.items() if ref.transpose_group is not None]
    if len(transposes) > 1:
        raise RuntimeError(f"{owner}: each custom update can only calculate one transpose "
                           f"(references {', '.join(transposes)} all transpose)")
    batch_reduction, _ = _check_dims(refs, model, dims, owner, spec.batch_size)
    if transposes and batch_reduction:
        raise RuntimeError(f"{owner}: a custom update cannot both transpose and perform a "
                           "batch reduction")
    return next(iter(groups.values()))


def _check_dims(refs: dict, model, dims, owner: str, batch_size: int):
    """Access modes against the dimensions; returns (batch_reduction, neuron_reduction)."""
    declarations = {d.name: d for d in declared(model, "get_var_refs")}
    batch_reduction = neuron_reduction = False
    for name, ref in refs.items():
        missing = int(dims) & ~int(ref.dims)
        mode = declarations[name].access
        if v.is_reduction(mode):
            if not missing:
                raise RuntimeError(
                    f"{owner}: variable reference '{name}' is declared {mode.name}, but "
                    f"{ref.target_description} has every dimension of the update, so there is "
                    "nothing to reduce over")
            batch_reduction |= bool(missing & BATCH)
            neuron_reduction |= bool(missing & ELEMENT)
        elif mode != VarAccessMode.READ_ONLY and missing and not (
                missing == BATCH and batch_size == 1):
            raise RuntimeError(
                f"{owner}: variable reference '{name}' points to {ref.target_description}, "
                "which is shared across the update's "
                f"{'neurons' if missing & ELEMENT else 'batches'}, so it cannot be "
                f"{mode.name}; declare it READ_ONLY or as a reduction (REDUCE_SUM/REDUCE_MAX)")
    for var in declared(model, "get_vars"):
        reduced = _reduced_dims(var.access)
        if reduced and not int(dims) & reduced:
            over = "batches" if reduced == BATCH else "neurons"
            raise RuntimeError(
                f"{owner}: variable '{var.name}' is {var.access.name}, but none of the "
                f"update's references have the dimension it reduces over ({over})")
        batch_reduction |= reduced == BATCH
        neuron_reduction |= reduced == ELEMENT
    if batch_reduction and neuron_reduction:
        raise RuntimeError(f"{owner}: custom updates cannot perform batch and neuron "
                           "reductions simultaneously; split them into two custom updates")
    return batch_reduction, neuron_reduction


def _reduced_dims(access) -> int:
    if int(access) & 4:  # VarAccessModeAttribute.REDUCE
        return int(access) & (ELEMENT | BATCH)
    return 0


def check_egp_refs(egp_refs, model, owner: str, spec) -> dict:
    declarations = declared(model, "get_extra_global_param_refs")
    refs = v.check_ref_names(egp_refs, declarations, owner, "extra global parameter reference")
    for declaration in declarations:
        ref = refs[declaration.name]
        if not isinstance(ref, EGPReference):
            raise TypeError(f"{owner}: extra global parameter reference '{declaration.name}' "
                            f"must be created with create_egp_ref(...), not {ref!r}")
        _check_same_model(ref.group, spec, owner,
                          f"extra global parameter reference '{declaration.name}'")
        v.check_egp_ref_type(declaration, ref, owner, spec)
    return refs


# ============================================================================ connectivity updates
def check_sparse_for_ccu(sg, owner: str) -> None:
    if not sg.matrix_type & Conn.SPARSE:
        raise RuntimeError(f"{owner}: custom connectivity updates can only change SPARSE "
                           f"synapse groups; {sg.description} is {sg.matrix_type.name}")


def attach_ccu_refs(ccu, var_refs, pre_var_refs, post_var_refs, owner: str, spec) -> None:
    model, sg = ccu.model, ccu.synapse_group
    ccu.var_refs = v.check_ref_names(var_refs, declared(model, "get_var_refs"), owner,
                                     "variable reference")
    for declaration in declared(model, "get_var_refs"):
        ref = ccu.var_refs[declaration.name]
        if not isinstance(ref, WUVarReference) or ref.synapse_group is not sg:
            raise RuntimeError(f"{owner}: variable reference '{declaration.name}' must be "
                               f"create_wu_var_ref(...) of a variable of {sg.description} (or "
                               f"of a custom update attached to it), not {ref!r}")
        v.check_ref_type(declaration, ref, owner, spec)
    ccu.pre_var_refs = _ccu_side_refs(pre_var_refs, model, "get_pre_var_refs", sg.src,
                                      "presynaptic", owner, spec)
    ccu.post_var_refs = _ccu_side_refs(post_var_refs, model, "get_post_var_refs", sg.trg,
                                       "postsynaptic", owner, spec)


def _ccu_side_refs(given, model, getter: str, neuron_group, side: str, owner: str,
                   spec) -> dict:
    declarations = declared(model, getter)
    refs = v.check_ref_names(given, declarations, owner, f"{side} variable reference")
    for declaration in declarations:
        ref = refs[declaration.name]
        what = f"{side} variable reference '{declaration.name}'"
        if not isinstance(ref, VarReference):
            raise TypeError(f"{owner}: {what} must be created with create_var_ref(...) "
                            f"(or another neuron-shaped reference), not {ref!r}")
        if ref.size != neuron_group.num_neurons:
            raise RuntimeError(f"{owner}: {what} points to {ref.target_description}, which has "
                               f"{ref.size} values, but the {side} population "
                               f"({neuron_group.description}) has {neuron_group.num_neurons}")
        v.check_ref_type(declaration, ref, owner, spec)
        _check_unbatched(ref, what, owner, spec.batch_size)
    return refs


def _check_unbatched(ref, what: str, owner: str, batch_size: int) -> None:
    if batch_size > 1 and int(ref.dims) & BATCH:
        raise RuntimeError(f"{owner}: {what} points to {ref.target_description}, which is "
                           f"batched; custom connectivity updates are never batched, so with "
                           f"batch_size {batch_size} reference only READ_ONLY variables")


# ============================================================================ before build
def check_before_build(spec) -> None:
    """Rules that depend on settings users may change after ``add_*``."""
    for sg in spec.synapse_populations.values():
        _check_dendritic_delay(sg)
    for cu in spec.custom_updates.values():
        _check_dims(cu.var_refs, cu.model, cu.dims, cu.description, spec.batch_size)
        _check_delay_groups(cu)
    for ccu in spec.custom_connectivity_updates.values():
        for side, refs in (("presynaptic", ccu.pre_var_refs), ("postsynaptic",
                                                               ccu.post_var_refs)):
            for name, ref in refs.items():
                _check_unbatched(ref, f"{side} variable reference '{name}'", ccu.description,
                                 spec.batch_size)
    for group, name, _init, location in _host_initialised_vars(spec):
        if not location & VarLocationAttribute.HOST:
            raise RuntimeError(f"{group.description}: variable '{name}' is given initial values "
                               f"from Python but its location is {location}, which has no host "
                               "copy; initialise it with a number or init_var(...), or use "
                               "VarLocation.HOST_DEVICE")




def _check_dendritic_delay(sg) -> None:
    wu = sg.wu_initialiser.snippet
    names = (declared(wu, "get_post_vars") + declared(wu, "get_post_neuron_var_refs")
             + declared(wu, "get_psm_var_refs"))
    for getter in SYNAPTIC_GETTERS:
        code = model_code(wu, getter)
        delayed = [d.name for d in names if re.search(rf"\b{d.name}\s*\[", code)]
        for name in delayed:
            if re.search(rf"\b{name}\b(?!\s*\[)", code):
                raise RuntimeError(f"{sg.description} weight update model ({model_name(wu)}): "
                                   f"'{name}' is used both with and without a [delay] subscript "
                                   f"in {getter[4:]}; use one form only")
        if (delayed or uses_dendritic_delay(sg)) and not sg.max_dendritic_delay_set:
            what = f"'{delayed[0]}[d]'" if delayed else "addToPostDelay"
            raise RuntimeError(f"{sg.description}: its weight update model uses {what}, so "
                               "set max_dendritic_delay_timesteps on the group before build")


def delay_group_of(ref):
    """The neuron group whose delay slot a neuron-shaped reference follows, or None."""
    group = ref.group
    if ref.kind == "wu_pre" and group.axonal_delay_steps > 0:
        return group.src
    if ref.kind == "wu_post" and group.back_prop_delay_steps > 0:
        return group.trg
    if ref.kind == "psm" and _psm_var_read_delayed(group, ref.var_name):
        return group.trg
    if ref.kind == "neuron" and group._num_delay_slots > 1:
        referenced = [r for sg in group.out_syn for r in sg.wu_pre_var_refs.values()]
        referenced += [r for sg in group.in_syn for r in sg.wu_post_var_refs.values()]
        if any(r.var_name == ref.var_name for r in referenced):
            return group
    return None


def _psm_var_read_delayed(sg, var_name: str) -> bool:
    """Whether synaptic code reads PSM variable ``var_name`` of ``sg`` from the past through a
    psm_var_ref (back-prop delay, or ``[d]``): it is then queued on the target's delay slots
    (ModelPlan._psm_vars_read_delayed decides the same from the parsed code)."""
    wu = sg.wu_initialiser.snippet
    codes = [model_code(wu, getter) for getter in SYNAPTIC_GETTERS]
    for name, ref in sg.psm_var_refs.items():
        if ref.var_name != var_name:
            continue
        use = rf"\b{name}\b" if sg.back_prop_delay_steps > 0 else rf"\b{name}\s*\["
        if any(re.search(use, code) for code in codes):
            return True
    return False


def _check_delay_groups(cu) -> None:
    if not isinstance(next(iter(cu.var_refs.values()), None), VarReference):
        return
    groups = {g.name for g in map(delay_group_of, cu.var_refs.values()) if g is not None}
    if len(groups) > 1:
        raise RuntimeError(f"{cu.description}: all delayed variable references must belong to "
                           f"the same delayed neuron group (got {', '.join(sorted(groups))})")


def _host_initialised_vars(spec):
    import numpy as np

    def host_values(group, inits: dict, location):
        for name, init in inits.items():
            if isinstance(init, np.ndarray):
                yield group, name, init, location(name)

    for ng in spec.neuron_populations.values():
        yield from host_values(ng, ng.var_initialisers, ng.var_location)
    for cs in spec.current_sources.values():
        yield from host_values(cs, cs.var_initialisers, cs.var_location)
    for cu in spec.custom_updates.values():
        yield from host_values(cu, cu.var_initialisers, cu.var_location)
    for sg in spec.synapse_populations.values():
        yield from host_values(sg, sg.wu_var_initialisers, sg.wu_var_location)
        yield from host_values(sg, sg.wu_pre_var_initialisers, sg.wu_pre_var_location)
        yield from host_values(sg, sg.wu_post_var_initialisers, sg.wu_post_var_location)
        yield from host_values(sg, sg.ps_var_initialisers, sg.ps_var_location)
    for ccu in spec.custom_connectivity_updates.values():
        yield from host_values(ccu, ccu.var_initialisers, ccu.var_location)
        yield from host_values(ccu, ccu.pre_var_initialisers, ccu.pre_var_location)
        yield from host_values(ccu, ccu.post_var_initialisers, ccu.post_var_location)

