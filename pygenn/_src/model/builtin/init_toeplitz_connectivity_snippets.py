"""Built-in Toeplitz connectivity initialisation snippets."""
from __future__ import annotations

import math

from ..factories import create_toeplitz_connect_init_snippet


def _c_divide(numerator: int, denominator: int) -> int:
    """Integer division truncating towards zero, as C does (Python's // floors)."""
    quotient = abs(numerator) // abs(denominator)
    return quotient if (numerator >= 0) == (denominator > 0) else -quotient


def _uninitialised():
    return create_toeplitz_connect_init_snippet("Uninitialised")


# Each diagonal is one (kernel row, kernel column, output channel); every spiking input pixel
# on it reaches the output shifted by the kernel offset minus the implicit border, through the
# flipped kernel entry
_CONV2D_DIAGONAL = """
    const int kernRow = ((int)id_diag / conv_oc) / conv_kw;
    const int kernCol = ((int)id_diag / conv_oc) % conv_kw;
    const int kernOutChan = (int)id_diag % conv_oc;
    const int flipKernRow = conv_kh - kernRow - 1;
    const int flipKernCol = conv_kw - kernCol - 1;
    for_each_synapse {
        const int preRow = ((int)id_pre / conv_ic) / conv_iw;
        const int preCol = ((int)id_pre / conv_ic) % conv_iw;
        const int preChan = (int)id_pre % conv_ic;
        const int postRow = preRow + kernRow - (int)conv_bh;
        const int postCol = preCol + kernCol - (int)conv_bw;
        if (postRow >= 0 && postCol >= 0 && postRow < conv_oh && postCol < conv_ow) {
            const int idPost = (((postRow * conv_ow) + postCol) * conv_oc) + kernOutChan;
            addSynapse(idPost, flipKernRow, flipKernCol, preChan, kernOutChan);
        }
    }
    """


def _conv2d_border(image: str, kernel: str, output: str):
    return lambda pars, dt: float(_c_divide(
        int(pars[image]) + int(pars[kernel]) - 1 - int(pars[output]), 2))


def _conv2d():
    return create_toeplitz_connect_init_snippet(
        "Conv2D",
        params=[(name, "int") for name in ("conv_kh", "conv_kw", "conv_ih", "conv_iw", "conv_ic",
                                           "conv_oh", "conv_ow", "conv_oc")],
        derived_params=[("conv_bh", _conv2d_border("conv_ih", "conv_kh", "conv_oh")),
                        ("conv_bw", _conv2d_border("conv_iw", "conv_kw", "conv_ow"))],
        diagonal_build_code=_CONV2D_DIAGONAL,
        calc_max_row_len_func=lambda num_pre, num_post, pars: (
            int(pars["conv_kh"]) * int(pars["conv_kw"]) * int(pars["conv_oc"])),
        calc_kernel_size_func=lambda pars: [int(pars["conv_kh"]), int(pars["conv_kw"]),
                                            int(pars["conv_ic"]), int(pars["conv_oc"])])


# As Conv2D on the average-pooled image: an input pixel belongs to pooling window
# (row / pool_sh, col / pool_sw) if it lies inside that window (each pixel feeds at most one
# window and no 1/(kh*kw) scaling is applied, as in GeNN)
_AVG_POOL_CONV2D_DIAGONAL = """
    const int kernRow = ((int)id_diag / conv_oc) / conv_kw;
    const int kernCol = ((int)id_diag / conv_oc) % conv_kw;
    const int kernOutChan = (int)id_diag % conv_oc;
    const int flipKernRow = conv_kh - kernRow - 1;
    const int flipKernCol = conv_kw - kernCol - 1;
    for_each_synapse {
        const int poolInRow = ((int)id_pre / pool_ic) / pool_iw;
        const int poolInCol = ((int)id_pre / pool_ic) % pool_iw;
        const int poolInChan = (int)id_pre % pool_ic;
        const int poolOutRow = poolInRow / pool_sh;
        const int poolOutCol = poolInCol / pool_sw;
        if (poolInRow < ((poolOutRow * pool_sh) + pool_kh)
            && poolInCol < ((poolOutCol * pool_sw) + pool_kw))
        {
            const int postRow = poolOutRow + kernRow - (int)conv_bh;
            const int postCol = poolOutCol + kernCol - (int)conv_bw;
            if (postRow >= 0 && postCol >= 0 && postRow < conv_oh && postCol < conv_ow) {
                const int idPost = (((postRow * conv_ow) + postCol) * conv_oc) + kernOutChan;
                addSynapse(idPost, flipKernRow, flipKernCol, poolInChan, kernOutChan);
            }
        }
    }
    """


def _pooled_border(image: str, pool_k: str, pool_s: str, kernel: str, output: str):
    def border(pars, dt):
        pooled = math.ceil((pars[image] - pars[pool_k] + 1.0) / pars[pool_s])
        return float(_c_divide(int(pooled) + int(pars[kernel]) - 1 - int(pars[output]), 2))

    return border


def _avg_pool_conv2d():
    names = ("conv_kh", "conv_kw", "pool_kh", "pool_kw", "pool_sh", "pool_sw", "pool_ih",
             "pool_iw", "pool_ic", "conv_oh", "conv_ow", "conv_oc")
    return create_toeplitz_connect_init_snippet(
        "AvgPoolConv2D",
        params=[(name, "int") for name in names],
        derived_params=[
            ("conv_bh", _pooled_border("pool_ih", "pool_kh", "pool_sh", "conv_kh", "conv_oh")),
            ("conv_bw", _pooled_border("pool_iw", "pool_kw", "pool_sw", "conv_kw", "conv_ow"))],
        diagonal_build_code=_AVG_POOL_CONV2D_DIAGONAL,
        calc_max_row_len_func=lambda num_pre, num_post, pars: (
            int(pars["conv_kh"]) * int(pars["conv_kw"]) * int(pars["conv_oc"])),
        calc_kernel_size_func=lambda pars: [int(pars["conv_kh"]), int(pars["conv_kw"]),
                                            int(pars["pool_ic"]), int(pars["conv_oc"])])


BUILTINS = {snippet.name: snippet for snippet in (
    _uninitialised(), _conv2d(), _avg_pool_conv2d())}
