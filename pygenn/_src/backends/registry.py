"""The backends: how each makes its preferences, generates, compiles and creates a runtime."""
from __future__ import annotations

import warnings

from ..model.enums import PlogSeverity


class PreferencesBase:
    """Preferences common to all backends; names a backend lacks are ignored.

    ``flush_denormals`` (default True; pygenn's own, GeNN has none): model code treats
    subnormal floating-point numbers (below about 1.2e-38 in single precision, 2.2e-308 in
    double) as zero, on the CPU backends (flush-to-zero and denormals-are-zero in the
    threads that run model code, only while they run it: the rest of the Python process is
    untouched) and on the GPU (NVRTC ``--ftz=true``, single precision). Arithmetic on
    subnormals is about 100 times slower on most CPUs, and decaying traces reach them. Pass
    ``flush_denormals=False`` to ``GeNNModel`` for IEEE gradual underflow.
    """

    def __init__(self):
        self.optimize_code = False
        self.debug_code = False
        self.flush_denormals = True
        self.genn_log_level = PlogSeverity.WARNING
        self.code_generator_log_level = PlogSeverity.WARNING
        self.transpiler_log_level = PlogSeverity.WARNING
        self.runtime_log_level = PlogSeverity.WARNING

    # GeNN 4 camelCase spellings some scripts still pass (GeNN 5 accepts them too)
    ALIASES = {"optimizeCode": "optimize_code", "debugCode": "debug_code",
               "generateLineInfo": "generate_line_info", "showPtxInfo": "show_ptx_info",
               "manualDeviceID": "manual_device_id", "deviceSelectMethod": "device_select_method",
               "blockSizeSelectMethod": "block_size_select_method",
               "manualBlockSizes": "manual_block_sizes", "enableNCCLReductions":
               "enable_nccl_reductions"}

    def apply(self, kwargs: dict, backend_name: str = ""):
        """Set each preference; one this backend lacks is ignored with a warning, as GeNN
        ignores it (scripts pass CUDA preferences and then run on a CPU)."""
        for key, value in kwargs.items():
            name = self.ALIASES.get(key, key)
            if not hasattr(self, name):
                warnings.warn(f"Preference '{key}' is not a preference of the {backend_name} "
                              f"backend; it is ignored", UserWarning, stacklevel=5)
                continue
            setattr(self, name, value)
        return self


class CpuBackend:
    name = "single_threaded_cpu"

    class Preferences(PreferencesBase):
        pass

    def make_preferences(self, kwargs):
        return self.Preferences().apply(kwargs, self.name)

    def generate(self, plan):
        """The generated sources and their ``RuntimeManifest`` (``generated.manifest``)."""
        from .cpu import generate_cpu
        return generate_cpu(plan)

    def compile(self, generated, preferences, name):
        """Build (or find in the cache) the model library; its path."""
        from ..build.cache import build_cached_library
        return build_cached_library(generated.sources, name=name,
                                    flags=self.compile_flags(generated, preferences))

    @staticmethod
    def compile_flags(generated, preferences) -> list[str]:
        """The model library's compiler flags; the sanitizers chosen for it are recorded in
        the manifest (the runtime prepares the process for them before loading it)."""
        from ..build import sanitizers, toolchain
        generated.manifest.sanitizers = tuple(sanitizers.choose(preferences.debug_code))
        return (toolchain.cpu_flags(optimize_code=preferences.optimize_code,
                                    debug_code=preferences.debug_code)
                + sanitizers.compile_flags(generated.manifest.sanitizers))

    def create_runtime(self, library, manifest, seed, preferences):
        """The runtime of ``library`` (``compile``'s result) described by ``manifest``."""
        from ..runtime.runtime import CpuRuntime
        if library is None:
            raise RuntimeError("This model was built with never_rebuild=True and has no compiled "
                               "library; build it once without never_rebuild")
        return CpuRuntime(library, manifest, seed, flush_denormals=preferences.flush_denormals)


class MultiThreadedCpuBackend(CpuBackend):
    """The CPU backend with the neuron update spread over OpenMP threads (GeNN has none).

    Spike and event lists are built in neuron order after the parallel loop and synaptic
    updates stay serial, so results are identical to ``single_threaded_cpu`` for one seed.
    """

    name = "multi_threaded_cpu"

    @staticmethod
    def available() -> bool:
        import os
        return (os.cpu_count() or 1) > 1

    def generate(self, plan):
        from .cpu import MultiThreadedCpuTarget, generate_cpu
        return generate_cpu(plan, MultiThreadedCpuTarget())

    def compile(self, generated, preferences, name):
        from ..build.cache import build_cached_library
        flags = self.compile_flags(generated, preferences) + ["-fopenmp"]
        return build_cached_library(generated.sources, name=name, flags=flags)


class CudaBackend(CpuBackend):
    """NVIDIA GPUs through NVRTC and the CUDA driver API (no CUDA toolkit needed)."""

    name = "cuda"

    class Preferences(PreferencesBase):
        def __init__(self):
            super().__init__()
            from ..model.cuda_enums import BlockSizeSelect, DeviceSelect
            self.show_ptx_info = False
            self.generate_line_info = False
            self.enable_nvtx = False
            self.enable_nccl_reductions = False
            self.device_select_method = DeviceSelect.MANUAL
            self.manual_device_id = 0
            self.block_size_select_method = BlockSizeSelect.OCCUPANCY
            self.manual_block_sizes = [32] * 12
            self.constant_cache_overhead = 360

    @staticmethod
    def available() -> bool:
        try:
            from ..build import nvrtc
            from ..runtime import cuda_driver
            return nvrtc.available() and cuda_driver.available()
        except Exception:
            return False

    def generate(self, plan):
        from .cuda import generate_cuda
        return generate_cuda(plan)

    def compile(self, generated, preferences, name):
        from ..build import nvrtc
        from ..runtime import cuda_driver
        device = cuda_driver.Device(int(preferences.manual_device_id))
        arch = nvrtc.choose_target(device.compute_capability, cuda_driver.driver_version())
        options = self.nvrtc_options(preferences)
        cubin = nvrtc.build_cached_cubin(generated.sources["runner.cu"], name, arch, options)
        host_source = generated.sources.get("ccu_host.cc")
        if host_source:
            # custom connectivity host update code runs on the host: a small C++ library,
            # which the manifest names for the runtime
            from ..build import toolchain
            from ..build.cache import build_cached_library
            generated.manifest.host_library = str(build_cached_library(
                {"ccu_host.cc": host_source}, name=f"{name}_ccu_host",
                flags=toolchain.cpu_flags(optimize_code=preferences.optimize_code,
                                          debug_code=preferences.debug_code)))
        return cubin

    @staticmethod
    def nvrtc_options(preferences) -> list[str]:
        """NVRTC options from the preferences (beyond ``nvrtc.BASE_OPTIONS`` and the target)."""
        from ..build import nvrtc
        options = ["-lineinfo"] if preferences.generate_line_info else []
        # subnormal floats flushed to zero, as the CPU backends do (flush_denormals)
        options.append(nvrtc.ftz_option(preferences.flush_denormals))
        return options

    def create_runtime(self, library, manifest, seed, preferences):
        from ..runtime.cuda_runtime import CudaRuntime
        if library is None:
            raise RuntimeError("This model was built with never_rebuild=True and has no compiled "
                               "cubin; build it once without never_rebuild")
        return CudaRuntime(library, manifest, seed, int(preferences.manual_device_id or 0))
