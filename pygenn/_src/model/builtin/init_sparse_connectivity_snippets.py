"""Built-in sparse connectivity initialisation snippets.

Row and column bounds use the binomial inverse CDF at 0.9999 ** (1 / count): with that quantile
per row, all ``count`` rows stay within the bound with probability 0.9999.
"""
from __future__ import annotations

import math

import numpy as np

from ..factories import create_sparse_connect_init_snippet
from .stats import binomial_inverse_cdf, ieee_divide, ieee_log1p

_QUANTILE = 0.9999


def _bound(count: int, trials: int, prob: float) -> int:
    """Length that all ``count`` rows/columns of ``trials`` Bernoulli(prob) draws stay within."""
    if count <= 0:
        return 0
    return binomial_inverse_cdf(_QUANTILE ** (1.0 / count), trials, prob)


def fixed_number_total_row_lengths(num, num_pre, rng) -> np.ndarray:
    """Split ``num`` synapses across ``num_pre`` rows, uniformly at random (uint32 array).

    Equivalent to drawing each synapse's row uniformly: sequential binomial splitting, i.e.
    a multinomial draw. ``rng`` is a numpy Generator, RandomState or seed. The backend calls
    this at load to fill FixedNumberTotalWithReplacement's ``preCalcRowLength``.
    """
    num, num_pre = int(num), int(num_pre)
    if num_pre <= 0:
        raise ValueError(f"FixedNumberTotalWithReplacement needs at least one presynaptic "
                         f"neuron to place {num} synapses")
    if not hasattr(rng, "multinomial"):
        rng = np.random.default_rng(rng)
    counts = rng.multinomial(num, np.full(num_pre, 1.0 / num_pre))
    return np.asarray(counts, dtype=np.uint32)


def _fixed_number_total_host_init(num_pre, num_post, pars, rng) -> dict:
    return {"preCalcRowLength": fixed_number_total_row_lengths(pars["num"], num_pre, rng)}


def _uninitialised():
    return create_sparse_connect_init_snippet("Uninitialised")


def _one_to_one():
    # The range check keeps this correct when a row is split over several threads and
    # when there are more presynaptic than postsynaptic neurons
    return create_sparse_connect_init_snippet(
        "OneToOne",
        row_build_code="""
            if (id_pre >= id_post_begin && id_pre < id_post_begin + num_post) {
                addSynapse(id_pre);
            }
            """,
        calc_max_row_len_func=lambda num_pre, num_post, pars: 1,
        calc_max_col_len_func=lambda num_pre, num_post, pars: 1)


def _prob_log_recip(pars, dt):
    # 1 / log(1 - prob): -inf for prob = 0 (no synapses), -0 for prob = 1 (all synapses)
    return ieee_divide(1.0, ieee_log1p(-pars["prob"]))


def _fixed_probability_max_row(num_pre, num_post, pars):
    return _bound(num_pre, num_post, pars["prob"])


def _fixed_probability_max_col(num_pre, num_post, pars):
    return _bound(num_post, num_pre, pars["prob"])


# Geometric skipping: the gap to the next synapse is floor(log(u) / log(1 - prob)). The
# negated comparison also stops the row when the gap is infinite or NaN (prob = 0, u = 0).
_FIXED_PROBABILITY_ROW = """
    int j = -1;
    while (true) {
        const scalar gap = floor(log(gennrand_uniform()) * probLogRecip);
        if (!(gap < (scalar)(num_post - 1 - j))) {
            break;
        }
        j += 1 + (int)gap;
        addSynapse(id_post_begin + j);
    }
    """

# As above over the row without the neuron's own target: candidate k maps to target k, or
# k + 1 from the diagonal on, so every other target is still chosen with probability prob
_FIXED_PROBABILITY_NO_AUTAPSE_ROW = """
    const bool diagonalInRow = (id_pre >= id_post_begin && id_pre < id_post_begin + num_post);
    const unsigned int numCandidates = diagonalInRow ? (num_post - 1) : num_post;
    const unsigned int diagonal = id_pre - id_post_begin;
    int j = -1;
    while (true) {
        const scalar gap = floor(log(gennrand_uniform()) * probLogRecip);
        if (!(gap < (scalar)(numCandidates - 1 - j))) {
            break;
        }
        j += 1 + (int)gap;
        const unsigned int k = (unsigned int)j;
        addSynapse(id_post_begin + ((diagonalInRow && k >= diagonal) ? (k + 1) : k));
    }
    """


def _fixed_probability(name: str, row_build_code: str):
    return create_sparse_connect_init_snippet(
        name,
        params=["prob"],
        derived_params=[("probLogRecip", _prob_log_recip)],
        row_build_code=row_build_code,
        calc_max_row_len_func=_fixed_probability_max_row,
        calc_max_col_len_func=_fixed_probability_max_col)


def _sorted_targets_with_replacement(count: str) -> str:
    """Row code adding ``count`` sorted uniform targets, drawn with replacement.

    They are successive order statistics: the next of c remaining uniforms above x is
    x + (1 - x)(1 - u^(1/c)).
    """
    return f"""
        scalar x = 0.0;
        for (unsigned int c = {count}; c != 0; c--) {{
            x += (1.0 - x) * (1.0 - pow(gennrand_uniform(), 1.0 / (scalar)c));
            const unsigned int j = (unsigned int)(x * (scalar)num_post);
            addSynapse(id_post_begin + min(j, num_post - 1));
        }}
        """


def _fixed_number_post():
    return create_sparse_connect_init_snippet(
        "FixedNumberPostWithReplacement",
        params=[("num", "unsigned int")],
        row_build_code=_sorted_targets_with_replacement("num"),
        calc_max_row_len_func=lambda num_pre, num_post, pars: int(pars["num"]),
        calc_max_col_len_func=lambda num_pre, num_post, pars: _bound(
            num_post, int(pars["num"]) * num_pre, 1.0 / num_post))


def _fixed_number_total():
    return create_sparse_connect_init_snippet(
        "FixedNumberTotalWithReplacement",
        params=[("num", "unsigned int")],
        extra_global_params=[("preCalcRowLength", "uint32_t*")],
        row_build_code=_sorted_targets_with_replacement("preCalcRowLength[id_pre]"),
        calc_max_row_len_func=lambda num_pre, num_post, pars: _bound(
            num_pre, int(pars["num"]), 1.0 / num_pre),
        calc_max_col_len_func=lambda num_pre, num_post, pars: _bound(
            num_post, int(pars["num"]), 1.0 / num_post),
        host_egp_init_func=_fixed_number_total_host_init)


def _fixed_number_pre():
    return create_sparse_connect_init_snippet(
        "FixedNumberPreWithReplacement",
        params=[("num", "unsigned int")],
        col_build_code="""
            for (unsigned int c = 0; c < num; c++) {
                addSynapse(id_pre_begin + (gennrand() % num_pre));
            }
            """,
        calc_max_row_len_func=lambda num_pre, num_post, pars: _bound(
            num_pre, int(pars["num"]) * num_post, 1.0 / num_pre),
        calc_max_col_len_func=lambda num_pre, num_post, pars: int(pars["num"]))


_CONV2D_PARAMS = ("conv_kh", "conv_kw", "conv_sh", "conv_sw", "conv_padh", "conv_padw",
                  "conv_ih", "conv_iw", "conv_ic", "conv_oh", "conv_ow", "conv_oc")

# For one input pixel, the outputs whose receptive field holds it are the rows/cols with
# kernRow = inRow + padh - outRow * sh in [0, kh); loop over exactly that range
_CONV2D_ROW = """
    const int inRow = ((int)id_pre / conv_ic) / conv_iw;
    const int inCol = ((int)id_pre / conv_ic) % conv_iw;
    const int inChan = (int)id_pre % conv_ic;
    const int rowLow = inRow + conv_padh + 1 - conv_kh;
    const int colLow = inCol + conv_padw + 1 - conv_kw;
    const int minOutRow = (rowLow > 0) ? ((rowLow + conv_sh - 1) / conv_sh) : 0;
    const int maxOutRow = min(conv_oh, ((inRow + conv_padh) / conv_sh) + 1);
    const int minOutCol = (colLow > 0) ? ((colLow + conv_sw - 1) / conv_sw) : 0;
    const int maxOutCol = min(conv_ow, ((inCol + conv_padw) / conv_sw) + 1);
    for (int outRow = minOutRow; outRow < maxOutRow; outRow++) {
        const int kernRow = inRow + conv_padh - (outRow * conv_sh);
        for (int outCol = minOutCol; outCol < maxOutCol; outCol++) {
            const int kernCol = inCol + conv_padw - (outCol * conv_sw);
            for (int outChan = 0; outChan < conv_oc; outChan++) {
                const int idPost = (((outRow * conv_ow) + outCol) * conv_oc) + outChan;
                addSynapse(idPost, kernRow, kernCol, inChan, outChan);
            }
        }
    }
    """


def _conv2d():
    return create_sparse_connect_init_snippet(
        "Conv2D",
        params=[(name, "int") for name in _CONV2D_PARAMS],
        row_build_code=_CONV2D_ROW,
        calc_max_row_len_func=lambda num_pre, num_post, pars: (
            math.ceil(pars["conv_kh"] / pars["conv_sh"])
            * math.ceil(pars["conv_kw"] / pars["conv_sw"]) * int(pars["conv_oc"])),
        calc_kernel_size_func=lambda pars: [int(pars["conv_kh"]), int(pars["conv_kw"]),
                                            int(pars["conv_ic"]), int(pars["conv_oc"])])


BUILTINS = {snippet.name: snippet for snippet in (
    _uninitialised(), _one_to_one(),
    _fixed_probability("FixedProbability", _FIXED_PROBABILITY_ROW),
    _fixed_probability("FixedProbabilityNoAutapse", _FIXED_PROBABILITY_NO_AUTAPSE_ROW),
    _fixed_number_post(), _fixed_number_total(), _fixed_number_pre(), _conv2d())}
