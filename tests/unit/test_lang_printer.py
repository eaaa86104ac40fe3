"""Printer: C text of every construct, dialect hooks, and compiled programs checked with gcc."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from pygenn._src.lang import CDialect, Environment, ForEachSynapse, print_expression
from pygenn._src.lang.printer import expand_template, needs_parens
from pygenn._src.lang.types import Double, Float, Int32, Uint32
from test_lang_helpers import expression, make_env, printed, printed_expression


@pytest.mark.parametrize("literal, as_float, as_double", [
    ("1.5", "1.5f", "1.5"), (".5", "0.5f", "0.5"), ("1.", "1.0f", "1.0"),
    ("1e3", "1e3f", "1e3"), ("2.5e-3", "2.5e-3f", "2.5e-3"), ("1.5f", "1.5f", "1.5f"),
    ("1.5d", "1.5", "1.5"), (".25D", "0.25", "0.25"), ("5", "5", "5"), ("5u", "5u", "5u"),
    ("0xFFu", "0xFFu", "0xFFu"), ("true", "true", "true"),
])
def test_literals(literal, as_float, as_double):
    assert printed_expression(f"V + {literal}", make_env(Float)) == f"group->V[id] + {as_float}"
    assert printed_expression(f"V + {literal}", make_env(Double)) == f"group->V[id] + {as_double}"


def test_identifiers_print_as_their_c_text():
    assert printed("V = U + Vrest * dt;") == "group->V[id] = U + Vrest * DT;"


def test_c_text_with_operators_is_parenthesised():
    env = make_env()
    env.add_variable("w", Float, c_text="a + b")
    env.add_variable("p", Float, c_text="*ptr")
    assert printed("V = w * 2.0;", env) == "group->V[id] = (a + b) * 2.0f;"
    assert printed("V = p;", env) == "group->V[id] = (*ptr);"
    env.add_variable("q", Float, c_text="grp->arr[i + 1].x")
    assert printed("V = q;", env) == "group->V[id] = grp->arr[i + 1].x;"


def test_locals_get_prefixed_names():
    assert printed("scalar x = V, y; y = x * 2.0;") == (
        "float _x = group->V[id], _y;\n_y = _x * 2.0f;")


def test_pointer_and_const_declarations():
    assert printed("const scalar *p = egp + 1; scalar * const q = egp; V = *p + q[2];") == (
        "const float *_p = group->egp + 1;\n"
        "float * const _q = group->egp;\n"
        "group->V[id] = *_p + _q[2];")


def test_type_spellings_are_canonical():
    assert printed("unsigned int a = 1u; long b = 2; timepoint c = dt;") == (
        "uint32_t _a = 1u;\nint64_t _b = 2;\nfloat _c = DT;")


def test_every_operator():
    code = ("count = (count + 1 - 2 * 3 / 4 % 5) << 1 >> 2;"
            "count = count & 1 | 2 ^ 3;"
            "count = count < 1 && count > 2 || count <= 3 && count >= 4 || count == 5 "
            "|| count != 6;"
            "count += 1; count -= 1; count *= 2; count /= 2; count %= 3; count &= 1; "
            "count |= 2; count ^= 3; count <<= 1; count >>= 1;"
            "count = -count + +count + ~count + !count;"
            "count = count++ + count-- + ++count + --count;"
            "V = count ? V : U; V = (scalar)count; V = *egp + egp[1];"
            "V = - -V; V = -(-V); count = (count, 1);")
    assert printed(code).split("\n") == [
        "count = (count + 1 - 2 * 3 / 4 % 5) << 1 >> 2;",
        "count = count & 1 | 2 ^ 3;",
        "count = count < 1 && count > 2 || count <= 3 && count >= 4 || count == 5 "
        "|| count != 6;",
        "count += 1;", "count -= 1;", "count *= 2;", "count /= 2;", "count %= 3;",
        "count &= 1;", "count |= 2;", "count ^= 3;", "count <<= 1;", "count >>= 1;",
        "count = -count + +count + ~count + !count;",
        "count = count++ + count-- + ++count + --count;",
        "group->V[id] = count ? group->V[id] : U;",
        "group->V[id] = (float)count;",
        "group->V[id] = *group->egp + group->egp[1];",
        "group->V[id] = - -group->V[id];",
        "group->V[id] = -(-group->V[id]);",
        "count = (count, 1);",
    ]


def test_statement_forms():
    code = """
if (V > 1.0) V = 0.0;
else if (V < -1.0) { V = -1.0; }
else ;
while (count < 10) count++;
do { count--; } while (count > 0);
for (int i = 0; i < 3; i++) { if (i == 1) continue; U += i; }
for (count = 0; count < 2; ) break;
for (;;) { break; }
switch (count) { case 1: case 2: U = 1.0; break; default: U = 0.0; }
{ scalar t = 1.0; U = t; }
;
"""
    assert printed(code) == """\
if (group->V[id] > 1.0f) {
    group->V[id] = 0.0f;
} else if (group->V[id] < -1.0f) {
    group->V[id] = -1.0f;
} else {
    ;
}
while (count < 10) {
    count++;
}
do {
    count--;
} while (count > 0);
for (int32_t _i = 0; _i < 3; _i++) {
    if (_i == 1) {
        continue;
    }
    U += _i;
}
for (count = 0; count < 2;) {
    break;
}
for (;;) {
    break;
}
switch (count) {
    case 1:
        case 2:
            U = 1.0f;
    break;
    default:
        U = 0.0f;
}
{
    float _t = 1.0f;
    U = _t;
}
;"""


def test_calls_templates_and_delayed_reads():
    assert printed("V = exp(V) + pow(V, 2); addToPost(V * 2.0); U = Vpost + Vpost[count];") == (
        "group->V[id] = exp(group->V[id]) + pow(group->V[id], (float)2);\n"
        "outPost[idPost] += (group->V[id] * 2.0f);\n"
        "U = group->Vpost[idPost] + group->Vpost[(slot + count) % 8];")


def test_template_calls_inside_expressions_are_parenthesised():
    env = make_env()
    env.add_function("twice", [(Float, [Float])], template="2.0f * $(0)")
    env.add_function("sum", [(Float, [Float, Float])], template="add($(@))")
    assert printed("V = twice(U + 1.0) * 3.0; V = sum(U, 2.0);", env) == (
        "group->V[id] = (2.0f * (U + 1.0f)) * 3.0f;\ngroup->V[id] = add(U, 2.0f);")


def test_for_each_synapse_uses_render():
    env = make_env()

    def body_env(outer):
        inner = outer.child()
        inner.add_variable("id_post", Uint32, read_only=True, c_text="ind[j]")
        inner.add_function("remove_synapse", [(None, [], False)], template="removeSyn(j)")
        return inner

    env.for_each_synapse = ForEachSynapse(
        body_env, lambda body: f"for (uint32_t j = 0; j < n; j++) {body}")
    text = printed("scalar s = 0.0;\nfor_each_synapse {\n  if (id_post == 2) remove_synapse();"
                   "\n  s += 1.0;\n}", env)
    assert text == ("float _s = 0.0f;\n"
                    "for (uint32_t j = 0; j < n; j++) {\n"
                    "    if (ind[j] == 2) {\n"
                    "        removeSyn(j);\n"
                    "    }\n"
                    "    _s += 1.0f;\n"
                    "}")


def test_dialect_hooks():
    class UpperDialect(CDialect):
        def function_name(self, name):
            return name.upper()

        def float_literal(self, text, type):
            return f"(({type.name}){text})"

        def local_name(self, name):
            return "l_" + name

    expr, env = expression("exp(V) > 0.5")
    assert print_expression(expr, env, UpperDialect()) == "EXP(group->V[id]) > ((float)0.5)"


def test_threshold_expression_sees_sim_code_locals():
    env = make_env()
    printed("scalar excess = V - 1.0;", env)
    assert printed_expression("excess > 0.0 && V > Vrest", env) == (
        "_excess > 0.0f && group->V[id] > Vrest")


def test_string_literal_is_verbatim():
    assert printed('printf("V=%f\\n", V);') == 'printf("V=%f\\n", group->V[id]);'


def test_helpers():
    assert needs_parens("a + b") and needs_parens("*p") and needs_parens("x ? y : z")
    assert not needs_parens("grp->V[id + 1]") and not needs_parens("f(a, b)")
    assert expand_template("x[$(0)] = $(1)", ["i + 1", "y"]) == "x[(i + 1)] = y"
    with pytest.raises(ValueError, match="uses argument 2 but the call has only 1"):
        expand_template("f($(2))", ["a"])


def test_printing_for_each_synapse_without_support_raises():
    from pygenn._src.lang import parse_statements, print_statements, scan
    from test_lang_helpers import CONTEXT
    stmts = parse_statements(scan("for_each_synapse { }", CONTEXT), CONTEXT)
    with pytest.raises(ValueError, match="environment without for_each_synapse support"):
        print_statements(stmts, Environment())


# -- compiled programs ---------------------------------------------------------------------------
GCC = shutil.which("gcc")
needs_gcc = pytest.mark.skipif(GCC is None, reason="gcc not installed")


def run_c(body: str, declarations: str, outputs: str, tmp_path) -> list[str]:
    source = tmp_path / "prog.c"
    source.write_text(
        "#include <math.h>\n#include <stdint.h>\n#include <stdbool.h>\n#include <stdio.h>\n"
        f"int main(void) {{\n{declarations}\n{{\n{body}\n}}\n{outputs}\nreturn 0;\n}}\n")
    binary = tmp_path / "prog"
    subprocess.run([GCC, "-std=c99", "-Wall", "-Werror", "-Wno-unused-variable",
                    "-Wno-unused-value", "-o", str(binary), str(source), "-lm"], check=True,
                   capture_output=True)
    return subprocess.run([str(binary)], check=True, capture_output=True,
                          text=True).stdout.split()


def c_env(scalar=Float) -> Environment:
    env = Environment(type_context={"scalar": scalar})
    env.add_variable("V", scalar)
    env.add_variable("count", Int32)
    env.add_variable("flags", Uint32)
    env.add_array("egp", scalar)
    env.add_function("addToPost", [(None, [scalar])], template="outPost += $(0)")
    env.add_delayed_variable("Vpost", scalar, plain_c_text="ring[slot]",
                             delayed_template="ring[(slot + $(0)) % 4]")
    return env


DECLARATIONS = ("float V = 0.0f; int32_t count = 0; uint32_t flags = 0; float egp[4] = {1, 2, "
                "3, 4}; float outPost = 0.0f; float ring[4] = {10, 20, 30, 40}; int slot = 1;")
OUTPUTS = 'printf("%.6f %d %u %.6f\\n", V, count, flags, outPost);'


@needs_gcc
def test_compiled_control_flow_and_integer_semantics(tmp_path):
    code = """
scalar acc = 0.0;
for (int i = 0; i < 10; i++) { if (i % 2 == 0) continue; acc += i; }
int j = 0;
while (1) { j++; if (j >= 5) break; }
do { j += 2; } while (j < 10);
switch (j) { case 11: acc += 100; break; default: acc = -1.0; }
V = acc / 2 + (scalar)(7 >> 1) + (7u << 2);
V /= 2.0;
count = -7 / 2 + (-7 % 3) * 10;
uint32_t u = 1u; u -= 2;
flags = u >> 28;
count += (-1 < 0u) ? 1000 : 0;
"""
    stmts_text = printed(code, c_env())
    assert run_c(stmts_text, DECLARATIONS, OUTPUTS, tmp_path)[:3] == [
        "46.750000", "-13", "15"]


@needs_gcc
def test_compiled_pointers_templates_and_maths(tmp_path):
    code = """
const scalar *p = egp + 1;
scalar *q = egp;
q[3] = *p + p[1];
q += 2;
count = (int)(q - egp);
addToPost(V + 1.5);
addToPost(Vpost[2] + Vpost);
V = hypot(3.0f, 4.0f) + fmax(egp[3], 2.0) + .5;
flags = 0xFFu & ~0x0Fu;
"""
    out = run_c(printed(code, c_env()), DECLARATIONS, OUTPUTS, tmp_path)
    assert out == ["10.500000", "2", "240", "61.500000"]


@needs_gcc
def test_compiled_for_each_synapse(tmp_path):
    env = c_env()

    def body_env(outer):
        inner = outer.child()
        inner.add_variable("id_post", Uint32, read_only=True, c_text="post[j]")
        return inner

    env.for_each_synapse = ForEachSynapse(
        body_env, lambda body: f"for (int j = 0; j < 4; j++) {body}")
    code = "for_each_synapse { if (id_post == 3u) continue; count += id_post; }"
    declarations = DECLARATIONS + " uint32_t post[4] = {1, 3, 5, 7};"
    out = run_c(printed(code, env), declarations, OUTPUTS, tmp_path)
    assert out[1] == "13"
