"""Built-in custom update models, written with the public factory."""
from __future__ import annotations

from ..enums import VarAccessMode
from ..factories import create_custom_update_model


def _transpose():
    # No code: the update's transposing variable reference does all the work
    return create_custom_update_model(
        "Transpose",
        var_refs=[("variable", "scalar", VarAccessMode.READ_ONLY)])


BUILTINS = {model.name: model for model in (_transpose(),)}
