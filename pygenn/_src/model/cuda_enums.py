"""Enumerations of the CUDA backend's preferences (device and block size selection)."""
from __future__ import annotations

from .enums import GeNNEnum


class DeviceSelect(GeNNEnum):
    OPTIMAL = 0
    MOST_MEMORY = 1
    MANUAL = 2


class BlockSizeSelect(GeNNEnum):
    OCCUPANCY = 0
    MANUAL = 1
