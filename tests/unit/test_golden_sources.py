"""The generated sources of the reference models in ``tests/golden/regenerate.py`` are the ones
stored under ``tests/golden/``: a change of the generated code shows up as a diff to review.

An intended change regenerates them (``python tests/golden/regenerate.py``) in the same commit.
"""
import importlib.util
from pathlib import Path

import pytest

_SCRIPT = Path(__file__).resolve().parents[1] / "golden" / "regenerate.py"


def _load_regenerate():
    spec = importlib.util.spec_from_file_location("golden_regenerate", _SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


regenerate = _load_regenerate()


@pytest.mark.parametrize("model_name", list(regenerate.MODELS))
def test_generated_sources_match_golden(model_name):
    reports = regenerate.differences(model_name, max_lines=60)
    if reports:
        pytest.fail(f"The generated code of the golden model '{model_name}' changed:\n\n"
                    + "\n\n".join(reports)
                    + "\n\nIf the change is intended, run `python tests/golden/regenerate.py "
                      f"{model_name}` (or without a name for every model) and commit the "
                      "regenerated files with it.", pytrace=False)


def test_every_golden_folder_has_a_model():
    """A golden folder whose model was removed from the script would never be checked."""
    folders = {path.name for path in _SCRIPT.parent.iterdir()
               if path.is_dir() and not path.name.startswith((".", "__"))}
    assert folders == set(regenerate.MODELS)


def test_generation_is_deterministic():
    """Two generations of one model in one process are identical (no addresses, set orders,
    dates or counters leak into the code)."""
    name = next(iter(regenerate.MODELS))
    assert regenerate.generate(name) == regenerate.generate(name)
