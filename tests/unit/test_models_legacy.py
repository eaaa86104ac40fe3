"""GeNN 4 ``$(...)`` code-string upgrade to GeNN 5 syntax."""
import warnings

import pytest

from pygenn._src.model.factories import create_neuron_model, create_sparse_connect_init_snippet
from pygenn._src.model.legacy import upgrade_code_string, upgrade_legacy_syntax

# (GeNN 4 spelling, GeNN 5 spelling), one row per rewrite rule
UPGRADE_TABLE = [
    ("$(gennrand_uniform)", "gennrand_uniform()"),
    ("$(gennrand_normal)", "gennrand_normal()"),
    ("$(gennrand_exponential)", "gennrand_exponential()"),
    ("$(gennrand_log_normal, 1.0, 0.5)", "gennrand_log_normal(1.0, 0.5)"),
    ("$(gennrand_gamma, $(a))", "gennrand_gamma(a)"),
    ("$(gennrand_binomial, 10, $(p))", "gennrand_binomial(10, p)"),
    ("$(addToPre, $(g));", "addToPre(g);"),
    ("$(addToInSyn, $(g));", "addToPost(g);"),
    ("$(addToInSynDelay, $(g), $(d));", "addToPostDelay(g, d);"),
    ("$(addSynapse, $(id_pre) + 1);", "addSynapse(id_pre + 1);"),
    ("$(sT_pre)", "st_pre"),
    ("$(sT_post)", "st_post"),
    ("$(seT_pre)", "set_pre"),
    ("$(seT_post)", "set_post"),
    ("$(prev_sT_pre)", "prev_st_pre"),
    ("$(prev_sT_post)", "prev_st_post"),
    ("$(prev_seT_pre)", "prev_set_pre"),
    ("$(prev_seT_post)", "prev_set_post"),
    ("$(V) += $(Isyn) * DT;", "V += Isyn * DT;"),
    ("$(injectCurrent, $(amp));", "injectCurrent(amp);"),
]


@pytest.mark.parametrize("legacy, modern", UPGRADE_TABLE)
def test_upgrade_table(legacy, modern):
    assert upgrade_legacy_syntax(legacy) == modern


def test_nested_parentheses_and_terms_in_arguments():
    code = "$(addToInSyn, $(g) * exp(-($(t) - $(sT_pre)) / $(tau)));"
    assert upgrade_legacy_syntax(code) == "addToPost(g * exp(-(t - st_pre) / tau));"


def test_code_without_legacy_syntax_is_unchanged_and_silent():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert upgrade_code_string("V += 1.0;", "sim_code") == "V += 1.0;"


def test_upgrade_warns_with_future_warning():
    with pytest.warns(FutureWarning, match=r"Legacy \$\(\) syntax .* automatically removed"):
        model = create_neuron_model("Legacy", vars=[("V", "scalar")], sim_code="$(V) = 1.0;")
    assert model.get_sim_code() == "V = 1.0;"


def test_code_is_dedented():
    code = """
        if (V > 1.0) {
            V = 0.0;
        }
        """
    assert upgrade_code_string(code, "sim_code") == "\nif (V > 1.0) {\n    V = 0.0;\n}\n"


def test_none_is_empty_code():
    assert upgrade_code_string(None, "sim_code") == ""


def test_non_string_code_is_rejected():
    with pytest.raises(TypeError, match="sim_code must be a string, not int"):
        upgrade_code_string(3, "sim_code")


@pytest.mark.parametrize("term", ["endRow", "endCol"])
def test_end_row_and_end_col_are_errors(term):
    with pytest.raises(RuntimeError, match=rf"\$\({term}\) in row_build_code of sparse "
                                           rf"connectivity initialisation snippet 'S' is no "
                                           rf"longer supported"):
        create_sparse_connect_init_snippet("S", row_build_code=f"$(addSynapse, 0); $({term});")


def test_malformed_terms_are_left_for_the_scanner():
    assert upgrade_legacy_syntax("$(V + 1") == "$(V + 1"
    assert upgrade_legacy_syntax("$(1x)") == "$(1x)"
