"""Which names may reach generated code: one table of C/C++ words to avoid.

pygenn pastes model names, model class names, population names and the names a model declares
(variables, parameters, extra global parameters, references ...) into the C++/CUDA code it
generates, as identifiers, parts of identifiers and in comments, and the model name into a
directory name. GeNN requires such names to be identifiers too; pygenn additionally refuses
C/C++ keywords and the macros and type names of the headers generated code includes, which would
change the meaning of the generated code or stop it from compiling.
"""
from __future__ import annotations

import re

from ..errors import InvalidNameError, InvalidNameTypeError

_C_KEYWORDS = (
    "auto break case char const continue default do double else enum extern float for goto if "
    "inline int long register restrict return short signed sizeof static struct switch typedef "
    "union unsigned void volatile while")
_CPP_KEYWORDS = (
    "alignas alignof and and_eq asm bitand bitor bool catch char8_t char16_t char32_t class "
    "compl concept consteval constexpr constinit const_cast co_await co_return co_yield "
    "decltype delete dynamic_cast explicit export false friend mutable namespace new "
    "noexcept not not_eq nullptr operator or or_eq private protected "
    "public reinterpret_cast requires static_assert static_cast template this thread_local "
    "throw true try typeid typename using virtual wchar_t xor xor_eq")
# Macros of <cstdint> <cstddef> <cmath> <cstdio> <cstdlib> <cassert> <climits> <cfloat> (and
# CUDA's equivalents), and names the compilers predefine in some modes
_MACROS = (
    "NULL EOF BUFSIZ FILENAME_MAX FOPEN_MAX L_tmpnam SEEK_CUR SEEK_END SEEK_SET TMP_MAX "
    "stdin stdout stderr errno assert NDEBUG offsetof EXIT_SUCCESS EXIT_FAILURE RAND_MAX "
    "MB_CUR_MAX INFINITY NAN HUGE_VAL HUGE_VALF HUGE_VALL FP_NAN FP_INFINITE FP_ZERO "
    "FP_SUBNORMAL FP_NORMAL FP_ILOGB0 FP_ILOGBNAN FP_FAST_FMA FP_FAST_FMAF MATH_ERRNO "
    "MATH_ERREXCEPT math_errhandling fpclassify isfinite isinf isnan isnormal signbit "
    "isgreater isgreaterequal isless islessequal islessgreater isunordered "
    "CHAR_BIT CHAR_MIN CHAR_MAX SCHAR_MIN SCHAR_MAX UCHAR_MAX SHRT_MIN SHRT_MAX USHRT_MAX "
    "INT_MIN INT_MAX UINT_MAX LONG_MIN LONG_MAX ULONG_MAX LLONG_MIN LLONG_MAX ULLONG_MAX "
    "INT8_MIN INT8_MAX INT16_MIN INT16_MAX INT32_MIN INT32_MAX INT64_MIN INT64_MAX UINT8_MAX "
    "UINT16_MAX UINT32_MAX UINT64_MAX INT8_C INT16_C INT32_C INT64_C UINT8_C UINT16_C UINT32_C "
    "UINT64_C INTMAX_C UINTMAX_C INTMAX_MIN INTMAX_MAX UINTMAX_MAX INTPTR_MIN INTPTR_MAX "
    "UINTPTR_MAX SIZE_MAX PTRDIFF_MIN PTRDIFF_MAX FLT_MAX FLT_MIN FLT_EPSILON FLT_DIG "
    "FLT_MANT_DIG DBL_MAX DBL_MIN DBL_EPSILON DBL_DIG DBL_MANT_DIG M_E M_LOG2E M_LOG10E M_LN2 "
    "M_LN10 M_PI M_PI_2 M_PI_4 M_1_PI M_2_PI M_2_SQRTPI M_SQRT2 M_SQRT1_2 linux unix i386")
# CUDA's built-in variables
_CUDA_NAMES = "threadIdx blockIdx blockDim gridDim warpSize"
# Type names generated code uses, which a struct member of the same name would hide
_TYPE_NAMES = (
    "int8_t uint8_t int16_t uint16_t int32_t uint32_t int64_t uint64_t size_t ptrdiff_t "
    "intptr_t uintptr_t intmax_t uintmax_t scalar timepoint GeNNRNG dim3 std")

RESERVED_C_NAMES = frozenset(" ".join((_C_KEYWORDS, _CPP_KEYWORDS, _MACROS, _CUDA_NAMES,
                                       _TYPE_NAMES)).split())

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def check_c_name(name, what: str) -> str:
    """Check that ``name`` can become an identifier in generated C++; return it.

    ``what`` names it in messages ("Model name", "variable name 'x' of neuron model 'LIF'"
    style text is built by the caller). Raises ``InvalidNameTypeError`` for non-strings and
    ``InvalidNameError`` for anything but an ASCII identifier that is not a C/C++ keyword or a
    standard macro.
    """
    if not isinstance(name, str):
        raise InvalidNameTypeError(f"{what} must be a string, not {name!r}")
    if not _IDENTIFIER.match(name):
        raise InvalidNameError(f"{what} {name!r} is not a valid identifier: use ASCII letters, "
                               f"digits and '_', not starting with a digit")
    check_not_reserved(name, what)
    return name


def check_not_reserved(name: str, what: str) -> None:
    """Raise ``InvalidNameError`` if ``name`` is a C/C++ keyword or a standard macro/type."""
    if name in RESERVED_C_NAMES:
        raise InvalidNameError(f"{what} {name!r} is a C/C++ keyword or a name of the C/C++ "
                               f"standard headers, which the generated code would not compile "
                               f"with; choose another name")
