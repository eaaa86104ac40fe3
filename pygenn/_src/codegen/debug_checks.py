"""Checks of user code in debug builds (``GeNNModel(..., debug_code=True)``), CPU backends.

User code can still go wrong at run time in ways the front end cannot see: an extra global
parameter (or another array user code may subscript: an EGP reference, ``row_length`` and the
pre/post variables of custom connectivity host code) indexed out of bounds, or an integer divided
by zero. In a debug build every such subscript and every integer ``/`` and ``%`` of a code string
goes through a small checking helper (``DEBUG_PRELUDE``): a failed check does not touch memory
(a read gives 0, a write goes to a scratch element, a division gives 0) and is recorded in the
library's ``_debugError`` slot, which the runtime reads after every native call and turns into a
``DebugCheckError`` naming the population, the code string and the problem
(runtime/debug_checks.py).

A check names its place through a *site*: an entry of the plan's ``DebugSites`` table (which
population, which code string, what was checked). Generated code passes the site's number as a
struct field, so populations whose code is otherwise identical still merge. Array sizes are
struct fields too (``<pointer field>_size``, bound to an ``ArraySize``): an EGP's size is only
known at load. Release builds contain none of this.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..lang import types as T

# what a failed check was (the ``kind`` of ``_debugError``)
from ..contract import DIVISION_BY_ZERO, DIVISION_OVERFLOW, INDEX_OUT_OF_BOUNDS  # noqa: E402,F401


@dataclass(frozen=True)
class DebugSite:
    """One place generated code checks: ``what`` is checked in code string ``role`` of
    population ``group`` (``description`` in the wording of code-string errors)."""

    group: str
    description: str
    role: str
    what: str                  # "extra global parameter 'x'", "'/'"


@dataclass
class DebugSites:
    """The plan's table of check sites; a site's index is what generated code records."""

    sites: list = field(default_factory=list)
    _index: dict = field(default_factory=dict)

    def number(self, site: DebugSite) -> int:
        if site not in self._index:
            self._index[site] = len(self.sites)
            self.sites.append(site)
        return self._index[site]


@dataclass(frozen=True)
class ArraySize:
    """Binding of a size field: the element count of runtime array ``key`` (per batch when the
    code reaches one batch of a batched array: ``batches`` > 1)."""

    key: tuple
    batches: int = 1


class CheckSites:
    """The check sites of one population's code (a root environment's ``check_sites``).

    Each distinct site gets a value field ``debugSite<k>``, numbered in the order the code
    meets them, so the text of populations with the same code is the same.
    """

    def __init__(self, factory):
        self.factory = factory

    def site(self, context, what: str) -> str:
        """C text of the site number for ``what`` checked in code string ``context``."""
        site = DebugSite(context.group, context.description, context.role, what)
        names = self.factory.fields.site_fields
        name = names.setdefault(site, f"debugSite{len(names)}")
        return self.factory.value(name, T.Uint32, self.factory.plan.debug_sites.number(site))


# The helpers checked code calls (C++17), the error slot the runtime reads, and how a failed
# check continues: no memory outside the array is touched, and the step runs to its end.
DEBUG_PRELUDE = """\
// ---- debug_code: checks of user code (pygenn codegen/debug_checks.py) ----
#include <limits>
#include <type_traits>
extern "C" {
// the first failed check since the runtime last looked: kind (1 index out of bounds,
// 2 division by zero, 3 division overflow), site (the plan's table), the index or dividend,
// the array's size; count: checks failed in all
struct PygennDebugError { uint32_t kind; uint32_t site; int64_t value; uint64_t size;
                          uint64_t count; };
PygennDebugError _debugError = {0u, 0u, 0, 0u, 0u};
size_t _debugError_size = sizeof(PygennDebugError);
}
static void pygenn_debug_fail(uint32_t kind, uint32_t site, int64_t value, uint64_t size) {
    // the first failure of a call is kept whole, even with several threads
    if (__atomic_fetch_add(&_debugError.count, 1u, __ATOMIC_RELAXED) == 0u) {
        _debugError.site = site;
        _debugError.value = value;
        _debugError.size = size;
        __atomic_store_n(&_debugError.kind, kind, __ATOMIC_RELEASE);
    }
}
// element `index` of an array of `size` elements; out of bounds: a zeroed scratch element
template <typename T, typename I>
static inline T *pygenn_element(T *array, I index, uint64_t size, uint32_t site) {
    // a negative index converts to at least 2^63, so one comparison covers both ends
    if ((uint64_t)index < size) {
        return array + index;
    }
    pygenn_debug_fail(1u, site, (int64_t)index, size);
    static thread_local typename std::remove_const<T>::type scratch;
    scratch = {};
    return &scratch;
}
// integer a / b and a % b computed in T: a zero divisor (and the one overflowing signed
// quotient, T's minimum / -1) gives 0 instead of undefined behaviour
template <typename T>
static inline bool pygenn_division_ok(T a, T b, uint32_t site) {
    if (b == 0) {
        pygenn_debug_fail(2u, site, (int64_t)a, 0u);
        return false;
    }
    if constexpr (std::is_signed<T>::value) {
        if (b == (T)-1 && a == std::numeric_limits<T>::min()) {
            pygenn_debug_fail(3u, site, (int64_t)a, 0u);
            return false;
        }
    }
    return true;
}
template <typename T>
static inline T pygenn_div(T a, T b, uint32_t site) {
    return pygenn_division_ok<T>(a, b, site) ? a / b : (T)0;
}
template <typename T>
static inline T pygenn_mod(T a, T b, uint32_t site) {
    return pygenn_division_ok<T>(a, b, site) ? a % b : (T)0;
}
template <typename T, typename L, typename R>
static inline L &pygenn_div_assign(L &a, R b, uint32_t site) {
    a = (L)pygenn_div<T>((T)a, (T)b, site);
    return a;
}
template <typename T, typename L, typename R>
static inline L &pygenn_mod_assign(L &a, R b, uint32_t site) {
    a = (L)pygenn_mod<T>((T)a, (T)b, site);
    return a;
}
"""
