"""Compatibility module: GeNN's native runtime. pygenn's runtime lives in ``pygenn._src.runtime``
and is reached through ``GeNNModel``; nothing here is meant to be used directly."""

__all__: list = []
