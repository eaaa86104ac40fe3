"""Building the name environments that user code strings are checked and printed in."""
from __future__ import annotations

from ..lang import ArrayBounds, Environment, rng_function_signatures
from ..lang import types as T
from ..model.init import compute_derived_params
from ..param_arrays import MODEL, ParamArrays
from .fields import GroupFields, c_literal

# How each GeNNCode RNG function is spelled in generated code; `$(0)`.. are the arguments.
RNG_TEMPLATES = {
    "gennrand": "genn_rng_next_u32(&_rng)",
    "gennrand_uniform": "genn_rng_uniform_{p}(&_rng)",
    "gennrand_normal": "genn_rng_normal_{p}(&_rng)",
    "gennrand_exponential": "genn_rng_exponential_{p}(&_rng)",
    "gennrand_log_normal": "genn_rng_log_normal_{p}(&_rng, $(0), $(1))",
    "gennrand_gamma": "genn_rng_gamma_{p}(&_rng, $(0))",
    "gennrand_binomial": "genn_rng_binomial_{p}(&_rng, $(0), $(1))",
}


class EnvFactory:
    """Makes environments for one population's code, recording struct fields as it goes.

    ``literal_fields`` names value fields that are the same in every merged population and so can
    be printed as literals.
    """

    def __init__(self, plan, fields: GroupFields, literal_fields=frozenset()):
        self.plan = plan
        self.fields = fields
        self.literal_fields = literal_fields
        # set by generators of per-batch phases (neuron and synapse updates)
        self.batch_offsets = False

    # ------------------------------------------------------------------ basics
    def root(self) -> Environment:
        env = Environment(type_context=self.plan.type_context)
        if self.plan.debug_code:
            from .debug_checks import CheckSites
            env.check_sites = CheckSites(self)
        return env

    def value(self, field_name: str, numeric_type, value) -> str:
        """C text for a per-population constant: a literal if merged populations agree."""
        if field_name in self.literal_fields:
            return c_literal(value, numeric_type)
        return self.fields.value(field_name, numeric_type, value)

    def array(self, field_name: str, numeric_type, owner: str, array_name: str) -> str:
        """A pointer field to a runtime array. Its element type always comes from the plan's
        ArraySpec, so generated code and allocated memory cannot disagree."""
        spec = self.plan.arrays.get((owner, array_name))
        if spec is None:
            raise AssertionError(f"pygenn bug: field '{field_name}' of '{owner}' refers to "
                                 f"array '{array_name}', which the plan never registered")
        numeric_type = spec.numeric_type
        text = self.fields.array(field_name, numeric_type, (owner, array_name))
        if self.batch_offsets:
            # per-batch phases reach batch `_batch` of a batched array (batching.py)
            from .batching import batch_strides
            stride = batch_strides(self.plan).get((owner, array_name))
            if stride is not None:
                text = (f"({text} + _batch * "
                        f"{self.value(f'{field_name}_batchStride', T.Uint32, stride)})")
        return text

    def add_indexable(self, env, name: str, element_type, field_name: str, owner: str,
                      array_name: str, label: str, read_only: bool = False) -> None:
        """Array ``name`` of user code: runtime array ``(owner, array_name)`` through pointer
        field ``field_name``. In debug builds its subscripts are checked against its size
        (``label`` names it in the error)."""
        text = self.array(field_name, element_type, owner, array_name)
        bounds = None
        if self.plan.debug_code:
            bounds = ArrayBounds(label, lambda: self.array_size(field_name, owner, array_name))
        env.add_array(name, element_type, read_only=read_only, c_text=text, bounds=bounds)

    def array_size(self, field_name: str, owner: str, array_name: str) -> str:
        """C text of the element count of the array behind pointer field ``field_name`` (the
        part one batch sees, where the pointer is offset to a batch)."""
        from .batching import batch_strides
        from .debug_checks import ArraySize
        key = (owner, array_name)
        per_batch = self.batch_offsets and batch_strides(self.plan).get(key) is not None
        return self.fields.size(f"{field_name}_size",
                                ArraySize(key, self.plan.batch_size if per_batch else 1))

    def add_time(self, env, runtime=True):
        tp = self.plan.time_precision
        env.add_variable("dt", tp, read_only=True, c_text=c_literal(self.plan.dt, tp))
        if runtime:
            env.add_variable("t", tp, read_only=True, c_text="_t")
            env.add_variable("batch", T.Uint32, read_only=True, c_text="_batch")
        env.add_variable("num_batch", T.Uint32, read_only=True,
                         c_text=c_literal(self.plan.batch_size, T.Uint32))

    def add_rng(self, env):
        suffix = "f" if self.plan.precision.name == "float" else "d"
        for name, signatures in rng_function_signatures(self.plan.precision).items():
            env.add_function(name, signatures, RNG_TEMPLATES[name].replace("{p}", suffix))

    # ------------------------------------------------------------------ params/EGPs
    def add_params(self, env, snippet, params: dict, dynamic=frozenset(), owner: str = "",
                   prefix: str = "", arrays: ParamArrays = MODEL):
        """Parameters, derived parameters and EGPs of ``snippet``.

        Struct fields are prefixed ``prefix`` (unique within the generated function); dynamic
        parameters and EGPs are bound to the runtime arrays ``arrays`` names, the same table
        the plan registered them with.
        """
        ctx = self.plan.type_context
        for p in snippet.get_params():
            ptype = p.type.resolve(ctx)
            if p.name in dynamic:
                text = self.array(f"{prefix}dyn_{p.name}", ptype, owner,
                                  arrays.dynamic(p.name)) + "[0]"
            else:
                text = self.value(f"{prefix}p_{p.name}", ptype, params[p.name].value)
            env.add_variable(p.name, ptype, read_only=True, c_text=text)
        derived = compute_derived_params(snippet, params, self.plan.dt)
        for dp in snippet.get_derived_params():
            dtype = dp.type.resolve(ctx)
            text = self.value(f"{prefix}d_{dp.name}", dtype, derived[dp.name].value)
            env.add_variable(dp.name, dtype, read_only=True, c_text=text)
        for egp in snippet.get_extra_global_params():
            self.add_indexable(env, egp.name, egp.type.resolve(ctx), f"{prefix}egp_{egp.name}",
                               owner, arrays.egp(egp.name),
                               f"extra global parameter '{egp.name}'")

    def var_type(self, var):
        return var.type.resolve(self.plan.type_context)
