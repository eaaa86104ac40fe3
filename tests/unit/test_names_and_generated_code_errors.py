"""Names that reach generated code, user-code markers and compiler errors (issue 12).

Every name pasted into generated C++ (model name, model class names, population names, the
names a model declares) must be an ASCII identifier that is not a C/C++ keyword or standard
macro; the model name also names a directory, so it cannot escape ``path_to_model``. A compiler
error in generated code is reported as a pygenn bug naming the code string involved.
"""
from __future__ import annotations

import shutil

import pytest

from pygenn import GeNNModel, create_neuron_model
from pygenn._src.build.compile import code_strings_in_log, compile_shared_library
from pygenn._genn import Var
from pygenn._src.codegen.stream import CodeStream, marker_text
from pygenn._src.contract import user_code_origin
from pygenn._src.errors import (BuildError, GeneratedCodeError, InvalidNameError,
                                InvalidNameTypeError)
from pygenn._src.model.names import RESERVED_C_NAMES

needs_cxx = pytest.mark.skipif(shutil.which("g++") is None and shutil.which("c++") is None,
                               reason="no C++ compiler installed")


def _neuron(name="N", **kwargs):
    return create_neuron_model(name, vars=[("V", "scalar")], sim_code="V += 1.0;", **kwargs)


# ============================================================================ model names
@pytest.mark.parametrize("name", ["../../../x", "/abs/path", "x/y", "", "a b", "a\nb",
                                  "1model", "mod\u00e8le", "float", "class", "NULL"])
def test_invalid_model_names_are_rejected_by_the_constructor(name):
    with pytest.raises(InvalidNameError, match="Model name") as info:
        GeNNModel("float", name)
    assert isinstance(info.value, ValueError) and isinstance(info.value, RuntimeError)


@pytest.mark.parametrize("name", [None, 123, b"bytes"])
def test_model_names_must_be_strings(name):
    with pytest.raises(InvalidNameTypeError, match="Model name must be a string") as info:
        GeNNModel("float", name)
    assert isinstance(info.value, TypeError) and isinstance(info.value, ValueError)


def test_model_name_is_checked_on_assignment_too():
    model = GeNNModel("float", "good_name")
    with pytest.raises(InvalidNameError, match="'../escape'"):
        model.name = "../escape"
    assert model.name == "good_name"


# ============================================================================ model class names
@pytest.mark.parametrize("class_name", ["LIF\n#include <cstdlib>", "a b", "LIF;", "class",
                                        "W */ evil", "INFINITY", "caf\u00e9"])
def test_any_class_name_is_accepted_and_never_pasted_raw(class_name, tmp_path, monkeypatch):
    """PyGeNN takes any string as a class name (it names a Python class); it reaches generated
    code only through the sanitised code markers, so it cannot inject anything."""
    from pygenn._src.backends.cpu import generate_cpu
    from pygenn._src.codegen.plan import ModelPlan

    monkeypatch.setenv("PYGENN_CACHE_DIR", str(tmp_path / "cache"))
    neuron = create_neuron_model(class_name, sim_code="V += 1.0;", vars=[("V", "scalar")])
    model = GeNNModel("float", "class_names", backend="single_threaded_cpu")
    pop = model.add_neuron_population("P", 2, neuron, {}, {"V": 0.0})
    source = "".join(generate_cpu(ModelPlan(model, "single_threaded_cpu")).sources.values())
    # the name shows only in code markers, sanitised: no line break, backslash, ';' or '*/'
    assert f"// ---- neuron model '{marker_text(class_name)}' sim_code" in source
    if marker_text(class_name) != class_name:
        assert class_name not in source
    model.build(str(tmp_path))
    model.load()
    model.step_time(3)
    assert pop.vars["V"].values.tolist() == [3.0, 3.0]


@pytest.mark.parametrize("name, what", [("class", "variable"), ("NULL", "parameter"),
                                        ("errno", "extra global parameter"),
                                        ("new", "variable")])
def test_declared_names_must_not_be_cpp_words(name, what):
    kwargs = {"variable": {"vars": [(name, "scalar")]},
              "parameter": {"params": [name]},
              "extra global parameter": {"extra_global_params": [(name, "scalar*")]}}[what]
    with pytest.raises(InvalidNameError, match=f"{what} name of neuron model 'N'.*'{name}' is a "
                                               f"C/C\\+\\+ keyword"):
        create_neuron_model("N", **kwargs)


def test_subclassed_models_declared_names_are_checked_when_added():
    model = GeNNModel("float", "m")
    bad = type("Bad\nName", (type(_neuron()),), {"get_vars": lambda self: [Var("class", "scalar")]})()
    with pytest.raises(InvalidNameError, match="'class' is a C/C\\+\\+ keyword"):
        model.add_neuron_population("P", 1, bad, {}, {"class": 0.0})


@pytest.mark.parametrize("name", ["int", "new", "EOF"])
def test_population_names_must_not_be_cpp_words(name):
    with pytest.raises(InvalidNameError, match=f"Neuron group name '{name}' is a C/C\\+\\+"):
        GeNNModel("float", "m").add_neuron_population(name, 1, _neuron(), {}, {"V": 0.0})


def test_population_names_are_ascii():
    with pytest.raises(InvalidNameError, match="ASCII"):
        GeNNModel("float", "m").add_neuron_population("P\u0660", 1, _neuron(), {}, {"V": 0.0})


def test_the_reserved_table_has_keywords_macros_and_types():
    for word in ("class", "new", "delete", "NULL", "EOF", "INFINITY", "NAN", "errno", "assert",
                 "int", "float", "and", "xor", "nullptr", "size_t", "INT32_MAX", "M_PI"):
        assert word in RESERVED_C_NAMES


# ============================================================================ markers
def test_markers_never_carry_raw_text():
    text = marker_text("neuron model 'a\nb\r#define x' sim_code \\ ??/ */")
    assert "\n" not in text and "\r" not in text and "\\" not in text and "?" not in text
    assert "*/" not in text and "#" not in text


def test_user_code_origin_finds_the_marked_code_string():
    stream = CodeStream()
    stream.line("int before;")
    stream.user_code("neuron model 'LIF' sim_code", "x = 1;\ny = 2;")
    stream.line("int after;")
    source = str(stream)
    lines = source.split("\n")
    assert user_code_origin(source, lines.index("y = 2;") + 1) == "neuron model 'LIF' sim_code"
    assert user_code_origin(source, lines.index("int after;") + 1) is None
    assert user_code_origin(source, 1) is None
    # the weight update bodies synapse_update.py marks itself
    inline = "a;\n// ---- weight update model 'W' pre_spike_syn_code ----\nb;\n// ---- end ----\nc;"
    assert user_code_origin(inline, 3) == "weight update model 'W' pre_spike_syn_code"
    assert user_code_origin(inline, 5) is None


def test_compiler_log_locations_name_code_strings():
    stream = CodeStream()
    stream.user_code("custom update model 'U' update_code", "bad;")
    source = str(stream)
    log = ("runner.cc: In function 'void f()':\n"
           "runner.cc:2:1: error: 'bad' was not declared in this scope\n"
           "/abs/runner.cu(2): error: identifier \"bad\" is undefined\n")
    assert code_strings_in_log(log, {"runner.cc": source, "/abs/runner.cu": source}) == \
        ["custom update model 'U' update_code"]


# ============================================================================ compiler errors
@needs_cxx
def test_compiler_errors_in_generated_code_are_reported_as_pygenn_bugs(tmp_path):
    stream = CodeStream()
    stream.line("int f() {")
    stream.user_code("neuron model 'LIF' sim_code", "return undefined_thing;")
    stream.line("}")
    with pytest.raises(GeneratedCodeError) as info:
        compile_shared_library({"runner.cc": str(stream)}, tmp_path)
    error = info.value
    message = str(error)
    assert isinstance(error, BuildError) and isinstance(error, RuntimeError)
    assert error.code_strings == ["neuron model 'LIF' sim_code"]
    first_paragraph = message.split("\n")[0]
    assert "This is a bug in pygenn, not in your model" in first_paragraph
    assert "undefined_thing" not in first_paragraph
    assert "code pasted from: neuron model 'LIF' sim_code" in message
    # the compiler's own output comes last, and whole in compiler_log
    assert message.index("---- compiler output") > message.index("The generated code is in")
    assert "undefined_thing" in error.compiler_log and error.output == error.compiler_log


@needs_cxx
def test_compiler_errors_outside_user_code_say_so(tmp_path):
    with pytest.raises(GeneratedCodeError, match="in code pygenn wrote itself") as info:
        compile_shared_library({"runner.cc": "int f( {\n"}, tmp_path)
    assert info.value.code_strings == []
