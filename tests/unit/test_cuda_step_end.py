"""The CUDA StepEnd kernel (backends/cuda.py): with batches, a block per population publishes
every batch's staged counts in parallel, and the shared queue pointer is written only after the
block's barrier. Generated text is checked here and compiled with NVRTC (no GPU needed)."""
from __future__ import annotations

import re

import pytest

from pygenn import (GeNNModel, create_var_ref, create_weight_update_model, init_postsynaptic,
                    init_sparse_connectivity, init_weight_update)
from pygenn._src.backends.cuda import StepEndKernel, generate_cuda
from pygenn._src.codegen.plan import ModelPlan

LIF = {"C": 0.2, "TauM": 20.0, "Vrest": -49.0, "Vreset": -60.0, "Vthresh": -50.0,
       "Ioffset": 0.0, "TauRefrac": 5.0}
EVENTS = create_weight_update_model(
    "StepEndEvents", vars=[("g", "scalar")], pre_neuron_var_refs=[("V", "scalar")],
    pre_event_threshold_condition_code="V > -55.0", pre_event_syn_code="addToPost(g);")


def _model(batch_size):
    model = GeNNModel("float", f"step_end_b{batch_size}", backend="single_threaded_cpu")
    model.dt = 1.0
    model.batch_size = batch_size
    init = {"V": -55.0, "RefracTime": 0.0}
    a = model.add_neuron_population("A", 100, "LIF", LIF, init)
    b = model.add_neuron_population("B", 50, "LIF", LIF, init)
    queued = model.add_synapse_population(
        "AB", "SPARSE", a, b, init_weight_update("StaticPulse", {}, {"g": 0.1}),
        init_postsynaptic("ExpCurr", {"tau": 5.0}),
        init_sparse_connectivity("FixedProbability", {"prob": 0.1}))
    queued.axonal_delay_steps = 3                     # A has a spike queue: a pointer
    ring = model.add_synapse_population(
        "BA", "SPARSE", b, a,
        init_weight_update("StaticPulseDendriticDelay", {}, {"g": 0.1, "d": 2}),
        init_postsynaptic("ExpCurr", {"tau": 5.0}),
        init_sparse_connectivity("FixedProbability", {"prob": 0.1}))
    ring.max_dendritic_delay_timesteps = 4            # a dendritic ring
    model.add_synapse_population(
        "AA", "DENSE", a, a,
        init_weight_update(EVENTS, {}, {"g": 0.01}, pre_var_refs={"V": create_var_ref(a, "V")}),
        init_postsynaptic("DeltaCurr"))               # spike-like event counts
    return model


def _step_end(batch_size):
    generated = generate_cuda(ModelPlan(_model(batch_size), "cuda"))
    source = generated.sources["runner.cu"]
    start = source.index("__global__ void StepEnd()")
    end = source.index("__global__ void", start + 1)
    kernel = next(k for k in generated.step_kernels if isinstance(k, StepEndKernel))
    return source, source[start:end], kernel


def test_batch_one_keeps_a_thread_per_population():
    _, text, kernel = _step_end(1)
    assert "_batch = threadIdx.x" not in text and "__syncthreads" not in text
    assert "const uint32_t _thread = blockIdx.x * blockDim.x + threadIdx.x;" in text
    assert kernel.block == (128, 1, 1) and kernel.grid == (1, 1, 1)


@pytest.mark.parametrize("batch_size", [2, 32, 512, 2000])
def test_batches_run_in_parallel_and_the_pointer_moves_after_a_barrier(batch_size):
    _, text, kernel = _step_end(batch_size)
    # no thread loops over every batch serially
    assert "_batch = 0; _batch <" not in text
    assert text.count(f"for (uint32_t _batch = threadIdx.x; _batch < {batch_size}u; "
                      f"_batch += blockDim.x)") == 2
    # A's queue pointer: read into _newSlot by every thread, written once after the barrier
    pointer = re.search(r"const uint32_t _newSlot = \((\S+)\[0\] \+ 1u\) % 4u;", text)
    assert pointer is not None, text
    after_barrier = text.split("__syncthreads();", 1)[1]
    assert f"if (threadIdx.x == 0) {{\n            {pointer.group(1)}[0] = _newSlot;" in \
        after_barrier
    assert text.count(f"{pointer.group(1)}[0]") == 2
    # two populations (a block each), then one block for the ring and the timestep
    assert kernel.grid == (3, 1, 1)
    assert kernel.block == (min(1024, -(-batch_size // 32) * 32), 1, 1)
    assert "if (blockIdx.x == 2u)" in text and "_deviceTimestep++;" in text
    assert "denDelayPtr[0] = (" in text


@pytest.mark.parametrize("batch_size", [1, 32])
def test_step_end_compiles_with_nvrtc(batch_size):
    from pygenn._src.build import nvrtc
    if not nvrtc.available():
        pytest.skip("NVRTC not installed")
    source, _, _ = _step_end(batch_size)
    nvrtc.build_cached_cubin(source, f"step_end_b{batch_size}", "sm_80")


def test_per_batch_epilogue_publishes_what_the_serial_one_does():
    """``_epilogue_per_batch`` repeats the count list of ``epilogue_serial``: the same
    statements, only the loop over the batches differs."""
    from pygenn._src.backends.cuda import CudaTarget, _epilogue_per_batch
    from pygenn._src.codegen.environments import EnvFactory
    from pygenn._src.codegen.fields import GroupFields
    from pygenn._src.codegen.neuron_update import NeuronUpdateGenerator

    plan = ModelPlan(_model(32), "cuda")

    def statements(text):
        return sorted(line.strip() for line in text.splitlines()
                      if line.strip().endswith(";") and "for (" not in line)

    for nplan in plan.neurons.values():
        serial = NeuronUpdateGenerator(plan, nplan, EnvFactory(plan, GroupFields()),
                                       CudaTarget()).epilogue_serial()
        parallel = _epilogue_per_batch(plan, nplan, EnvFactory(plan, GroupFields()),
                                       CudaTarget())
        assert statements(parallel.replace("__syncthreads();", "")) == statements(serial)
