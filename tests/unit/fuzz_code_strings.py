"""A deterministic fuzzer for code strings (used by test_fuzz_code_strings.py; no tests here).

``cases()`` generates the corpus: mutations of valid code strings of every code-string role
plus nasty tokens (quotes, backslashes, CR, NUL, non-ASCII digits and letters, preprocessor
lines, deep nesting, huge literals, C++ keywords ...), all from a fixed seed.

Run as a script this module is the child process the test starts, so that a crash cannot take
pytest down with it:

* ``judge START STOP RESULTS`` judges cases START..STOP-1: each one is put into a small model in
  its role and code is generated for it (no compilation). The outcome is "located" (a
  CodeStringError with line and column), "rejected" (another error of pygenn's, with a message),
  "accepted" (code generated, and the generated code passed the soundness checks below),
  "unsound" (accepted, but a check failed) or "crash" (any other exception). One JSON line per
  case is written (and flushed) before the next starts, so a child that dies points at the case
  that killed it.
* ``compile RESULTS PATH ID...`` compiles the given (accepted) cases into models under PATH,
  many strings per model, with the backend PYGENN_FUZZ_BACKEND names (default
  single_threaded_cpu); models whose strings cannot
  loop or divide are also loaded and stepped once. One JSON line per model: "compiled", "ran",
  "leak" (the compiler rejected it) or "run_error".

Soundness checks on generated code (what the front end promises: an accepted string means the
same in C++ and cannot inject anything):
* no preprocessor line that the same model with a valid code string does not have;
* no control character, no line ending in a backslash, no trigraph;
* inside each pasted user-code region: no comment, '#', backslash outside string literals,
  balanced brackets, and its string literals stand for exactly the bytes of the user's;
* anywhere: string literals are the user's or the ones the valid model has.
"""
from __future__ import annotations

import json
import os
import random
import re
import sys
from dataclasses import dataclass

SEED = 20240611
CASES_PER_ROLE = 120


# ============================================================================ roles
@dataclass(frozen=True)
class Role:
    """A code-string role: what kind of code it holds and valid examples of it."""

    name: str
    family: str                 # which model builder puts the code in place
    expression: bool
    seeds: tuple
    names: tuple                # identifiers that code in this role may use
    calls: tuple = ()           # call expressions valid in this role


_NEURON_NAMES = ("V", "U", "n", "a", "t", "dt", "id", "Isyn")
_SYN_NAMES = ("g", "w", "Vpre", "Vpost", "t", "dt", "id_pre", "id_post")

ROLES = {r.name: r for r in (
    Role("sim_code", "neuron", False, (
        "V += (a - V) * dt;",
        "if (V > 1.0) { U = 0.0; } else { U += 0.1 * dt; }\nn = n + 1;",
        'scalar x = gennrand_uniform();\nV = x * a;\nif (n > 3) { printf("V=%f\\n", V); }',
        "for (int i = 0; i < 3; i++) { V += (scalar)i * 0.5; }",
        "switch (n) {\ncase 0: V = 1.0; break;\ncase 1: { scalar q = 2.0; V = q; } break;\n"
        "default: V = -1.0;\n}",
        "const int k = n % 4;\nV = fmax(V, 0.0) + sin(t) * exp(-dt) + (scalar)(k << 2);",
        "// leak\nV = V - a * V; /* block */ U = min(U, 1.0);",
    ), _NEURON_NAMES, ("gennrand_uniform()", "exp(V)", "fabs(U)", "min(n, 2)", "sqrt(a)")),
    Role("threshold_condition_code", "neuron", True, (
        "V > 1.0", "V >= a && n != 3", "(U - V) * 2.0 < sin(t)", "gennrand_uniform() < 0.5",
    ), _NEURON_NAMES, ("gennrand_uniform()", "exp(V)", "fabs(U)")),
    Role("reset_code", "neuron", False, (
        "V = 0.0;", "V = a; U += 1.0;\nn++;", 'printf("reset %d\\n", id);\nV = -U;',
    ), _NEURON_NAMES, ("exp(V)", "fabs(U)")),
    Role("injection_code", "current_source", False, (
        "injectCurrent(amp);", "c += dt;\ninjectCurrent(amp * sin(c) + gennrand_normal());",
        "if (t > 1.0) { injectCurrent(-amp); }",
    ), ("c", "amp", "t", "dt", "id"), ("injectCurrent(amp)", "gennrand_normal()")),
    Role("psm_sim_code", "postsynaptic", False, (
        "injectCurrent(inSyn);\ninSyn = 0.0;",
        "x += inSyn * tau;\ninjectCurrent(x);\ninSyn *= 0.5;",
    ), ("x", "tau", "inSyn", "t", "dt", "id"), ("injectCurrent(x)",)),
    Role("pre_spike_syn_code", "weight_update", False, (
        "addToPost(g);", "addToPost(g * w);\ng += 0.01 * (Vpre - Vpost);",
        'if (id_post == 0) { printf("%u -> %u\\n", id_pre, id_post); }\naddToPre(w);',
    ), _SYN_NAMES, ("addToPost(g)", "addToPre(w)")),
    Role("post_spike_syn_code", "weight_update", False, (
        "g += 0.1;", "g = fmin(g + w * Vpost, 1.0);\naddToPre(g);",
    ), _SYN_NAMES, ("addToPre(g)",)),
    Role("synapse_dynamics_code", "weight_update", False, (
        "addToPost(g * dt);", "g -= g * 0.01;\nif (Vpre > 0.5) { addToPost(w); }",
    ), _SYN_NAMES, ("addToPost(g)", "addToPre(w)")),
    Role("pre_spike_code", "weight_update", False, (
        "pre_x += 1.0;", "pre_x = pre_x * exp(-dt) + w;",
    ), ("pre_x", "Vpre", "w", "t", "dt"), ("exp(pre_x)",)),
    Role("post_spike_code", "weight_update", False, (
        "post_x += 1.0;", "post_x = Vpost * w;",
    ), ("post_x", "Vpost", "w", "t", "dt"), ("exp(post_x)",)),
    Role("pre_dynamics_code", "weight_update", False, (
        "pre_x *= 0.9;", "pre_x -= pre_x * dt / 10.0;",
    ), ("pre_x", "Vpre", "w", "t", "dt"), ("exp(pre_x)",)),
    Role("post_dynamics_code", "weight_update", False, (
        "post_x *= 0.9;", "if (Vpost > 0.0) { post_x += dt; }",
    ), ("post_x", "Vpost", "w", "t", "dt"), ("exp(post_x)",)),
    Role("pre_event_threshold_condition_code", "weight_update", True, (
        "Vpre > 0.5", "pre_x > w || Vpre < -1.0",
    ), ("pre_x", "Vpre", "w", "t"), ("fabs(Vpre)",)),
    Role("pre_event_syn_code", "weight_update", False, (
        "addToPost(w);", "g += 0.5 * Vpre;\naddToPost(g);",
    ), _SYN_NAMES, ("addToPost(g)",)),
    Role("post_event_threshold_condition_code", "weight_update", True, (
        "Vpost > 0.5", "post_x < w && Vpost != 0.0",
    ), ("post_x", "Vpost", "w", "t"), ("fabs(Vpost)",)),
    Role("post_event_syn_code", "weight_update", False, (
        "addToPre(w);", "g -= 0.5 * Vpost;\naddToPre(g);",
    ), _SYN_NAMES, ("addToPre(g)",)),
    Role("update_code", "custom_update", False, (
        "V = V * k + c;", "c += 1.0;\nif (id == 2) { V = 0.0; }",
    ), ("V", "c", "k", "t", "dt", "id"), ("fabs(V)",)),
    Role("var_init_code", "var_init", False, (
        "value = a;", "value = a * gennrand_uniform();", "value = (scalar)id * 0.5;",
    ), ("value", "a", "id"), ("gennrand_uniform()", "gennrand_normal()")),
    Role("row_build_code", "sparse_init", False, (
        "addSynapse(id_pre);",
        "for (unsigned int j = 0; j < num_post; j++) {\n"
        "    if (gennrand_uniform() < prob) { addSynapse(j); }\n}",
    ), ("prob", "num_post", "num_pre", "id_pre"), ("addSynapse(id_pre)", "gennrand_uniform()")),
)}


# ============================================================================ generation
# Inserted or substituted into valid code: everything a front end must not pass through
NASTY = (
    '"', "\\", "\r", "\0", "\x0b", "\x0c", "\x1b", "\x7f", "\u0660", "1\u0660", "\u00b2",
    "\u00e9", "V\u00e9", "\u00b5", "\u2028", "\ufeff", "\ud800", "#", "#define exp(x) 42.0f\n",
    "\r#define V 1\r", "#include </etc/passwd>\n", "//", "/*", "*/", "\\\n", "\\\r\n",
    " \\ \n", "'", "$", "@", "`", "??/", "??=", "?\\?", "99999999999999999999", "2147483648",
    "2147483647", "4294967295u", "4294967296u", "0xFFFFFFFF", "0x1FFFFFFFF", "0x80000000",
    "1e999", "1e39f", "3.5e38f", "1e-999", "0x", "1e+", "08", "0.", ".5", "1.0ff", "1.5d",
    "class", "new", "delete", "NULL", "EOF", "INFINITY", "NAN", "errno", "assert", "int",
    "float", "return", "goto", "sizeof", "struct", "_x", "u_V", "_group", "and", "or", "not",
    "xor", "this", "template", "system", "std", "printf", "main", "__LINE__",
    '"\\", "); system(c); //"', 'printf("%d\\n", 1);', 'printf("\\x41\\101\\n\\t\\"\\\\?\\?");',
    '"\\q"', '"\\777"', '"\\xfff"', '"\\x"', '"\\u00e9"', '"\u00e9\\0x"', '"a\rb"', '"a\\\nb"',
    '"??/"', '"*/"', '"//"', '"\\0"', '"\\1234"', '"%s"', "else", "case 1:", "default:",
    "break;", "continue;", "for_each_synapse", "{", "}", ";", "(", ")", "[", "]", "?", ":",
    ",", "->", ".", "++", "--", "<<=", ">>", "/=", "&", "&&", "||", "!", "~", "<<", "%",
    "min(V, 1)", "max(1, 2.5)", "abs(-1.5)", "abs((long)-5)", "assert(n ? 1, 2 : 3);",
    "sqrt(2)", "pow(2, 3)", "(float)\"x\"", "*\"abc\"", '"abc"[1]', '"a" - "b"',
    "bool b = true; b++;", "for (int i = 0; i < 1; i++) { int i = 2; }",
    "switch (n) { case 0: int z = 1; case 1: break; }",
    "switch (n) { case 1: break; case 1: break; }", "switch (n) { default: ; default: ; }",
    "switch (n) { case 4294967295u: break; }", "switch (n) { case 1/0: break; }",
    "switch (n) { case 2147483647 + 1: break; }", "switch (n) { case 1 << 32: break; }",
    "switch (n) { case -1 << 1: break; }", "switch (n) { case V: break; }",
    "switch ((uint8_t)n) { case 300: break; case 44: break; }",
    "switch (n) { case 0: { int z = 1; } case 1: break; }",
    "const int8_t *p = \"abc\";", "const char *s = \"x\";", "scalar new = 1.0; V = new;",
    "scalar class = 1.0;", "int x = x;", "scalar *p = &V;", "unsigned long long q = 1;",
    "long double d = 1;", "signed char c = 1;", "V = 1 ? 2 : 3 = 4;", "a = 1;", "dt = 1.0;",
    "V = V = V = V;", "V += V -= 1;", "++V++;", "V++ ++;", "-- --V;", "- -V", "+ ++V",
    "V = -2147483647 - 1;", "V = (int)3000000000u;", "n = 1 << 31;", "n = 1 >> 40;",
    "n = 5 / 0;", "V = 1.0 / 0.0;", "n = n % 0;", "V = 0x7FFFFFFF + 1;",
)

# Valid code on the edges of what the front end accepts: each must compile and run
TRICKY = (
    ("sim_code", 'printf("%s|%c|\\x41\\101\\n\\t\\"q\\" \\\\ \\? ??= ??/ \u00b5\\0 hidden\\n", '
                 '"s", 65);'),
    ("sim_code", "V = min(V, 1) + max(1, 2.5) + (scalar)abs(-1.5) + (scalar)abs((long)n) "
                 "+ min(n, 2u) + max((long)n, 3);"),
    ("sim_code", "assert(n ? 1, 2 : 3);\nn = n ? 1, 2 : 3;\nV = (n, U);"),
    ("sim_code", "switch (n) { case 1 << 31: V = 1.0; break; case -2147483647 - 1 + 1: break; "
                 "case (int)4294967295u: break; case 0x7FFFFFFF: break; default: break; }"),
    ("sim_code", "switch (n) { case 1 << 31: V = 1.0; break; case -2147483647 - 1 + 1: break; "
                 "case (int)4294967295u: break; case 0x7FFFFFFF: break; case (1 ? 2 : 3) * 4: "
                 "break; case !0 + ~0 + -(-5): break; default: break; }"),
    ("sim_code", "switch ((uint8_t)n) { case 255: break; case 300: break; case true: ; }"),
    ("sim_code", "switch (n) { case 0: { int z = 1; V = z; } case 1: { int w = 2; V = w; } }"),
    ("sim_code", "for (int i = 0; i < 2; i++) { { int i = 5; V += i; } }"),
    ("sim_code", "V = 3.4e38f; U = 1e-50f; V = (scalar)1e308d; V = 1e38;"),
    ("sim_code", "n = 0xFFFFFFFF; n = 2147483647; n = -2147483647 - 1; n = 0x80000000;"),
    ("sim_code", "bool b = n > 0; b = !b; n += b; b = b && V > 1.0;"),
    ("sim_code", "scalar new = 1.0, delete = 2.0, NULL = 3.0, EOF = 4.0, INFINITY = 5.0, "
                 "errno = 6.0, assert = 7.0, class = 8.0, u_V = 9.0;\n"
                 "V = new + delete + NULL + EOF + INFINITY + errno + assert + class + u_V;"),
    ("sim_code", 'V = "abc"[1] + *"x";\nprintf("%s\\n", "abc" + 1);'),
    ("sim_code", "if (n == 0) {} else if (n == 1) {} else if (n == 2) { V = 2.0; } else {}"),
    ("sim_code", "do { n++; } while (n < 3);"),
    ("sim_code", "V = exp(1) + sqrt(2) + pow(2, 3) + ldexp(1, 2) + fmin(1, 2) + abs(n);"),
    ("sim_code", "V = (scalar)(1 << 31) + (scalar)(1u << 31) + (scalar)(-1 >> 1);"),
    ("sim_code", "unsigned long x = 5; long y = -x; V = x + y; n = (int)(\"ab\" + 1 - \"ab\");"),
    ("sim_code", "V = " + "(" * 60 + "U" + ")" * 60 + ";"),
    ("sim_code", "if (V > 0.0) " * 60 + "V = 1.0;"),
    ("sim_code", "V = " + " + ".join(["U"] * 900) + ";"),
    ("sim_code", "if (n == 0) { V = 0.0; }" + " else if (n == 1) { V = 1.0; }" * 1500),
    ("sim_code", "V = " + "exp(" * 60 + "U" + ")" * 60 + ";"),
    ("sim_code", "// comment with a \\ backslash and \"quote\nV = 1.0; /* \\ */ U = 2.0;"),
    ("sim_code", "V = 1.0;\r\nU = 2.0;\r\n"),
    ("threshold_condition_code", "min(V, 1) > max(U, 0) && n ? 1, 2 : 3"),
    ("threshold_condition_code", "(" * 60 + "V > 1.0" + ")" * 60),
    ("reset_code", 'printf("\\"%d\\" ??/ \\\\\\n", (int)\"s\"[0]);'),
    ("injection_code", 'injectCurrent(min(amp, 1));\nprintf("\\x7f\\x01\\n");'),
    ("pre_spike_syn_code", 'addToPost(max(g, 0));\nprintf("%u\\n", id_pre);'),
    ("update_code", "switch ((int)c) { case 0: V = 1.0; break; default: V = k; }"),
    ("var_init_code", "value = min(a, 1) + abs(-2);"),
    ("row_build_code", "switch (id_pre) { case 0: addSynapse(0); break; default: "
                       "addSynapse(id_pre % num_post); }"),
)

_PIECES = ("(", ")", "+", "-", "*", "/", "?", ":", "==", "<", ">", ",", "!", "~", "[", "]",
           "{", "}", ";", "=", "+=", "1", "0.5", "1.5f", "2u", "true", '"s"', "if", "while",
           "for", "do", "switch", "case", "else", "const", "scalar", "int", "unsigned")


def _deep(rng: random.Random) -> str:
    """Nesting around the limits (64 levels), far past them, and long operator chains."""
    depth = rng.choice((10, 55, 63, 64, 65, 66, 100, 300, 2000))
    kind = rng.randrange(9)
    if kind == 0:
        return "(" * depth + "V" + ")" * depth
    if kind == 1:
        return "-" * depth + " V"
    if kind == 2:
        return "if (V > 0.0) " * depth + "V = 1.0;"
    if kind == 3:
        return "{" * depth + "}" * depth
    if kind == 4:
        return " + ".join(["V"] * depth)
    if kind == 5:
        return "exp(" * depth + "V" + ")" * depth
    if kind == 6:
        return "V = " * depth + "1.0;"
    if kind == 7:
        return "if (n == 0) { V = 0.0; }" + " else if (n == 1) { V = 1.0; }" * depth
    return "n ? " * depth + "1" + " : 2" * depth


def _expression(rng: random.Random, role: Role, depth: int = 0) -> str:
    """A random (mostly valid) expression over the role's names."""
    if depth > 3 or rng.random() < 0.3:
        choices = list(role.names) + ["1", "0.5", "2.0f", "3u", "0x10", "true", "1e-3"]
        return rng.choice(choices)
    kind = rng.randrange(7)
    if kind == 0 and role.calls:
        return rng.choice(role.calls)
    left, right = _expression(rng, role, depth + 1), _expression(rng, role, depth + 1)
    if kind == 1:
        return f"({left} {rng.choice(('+', '-', '*', '/'))} {right})"
    if kind == 2:
        return f"{left} {rng.choice(('<', '>', '==', '!=', '&&', '||'))} {right}"
    if kind == 3:
        return f"({rng.choice(('scalar', 'int', 'float', 'double', 'uint32_t', 'bool'))}){left}"
    if kind == 4:
        return f"({left} ? {right} : {left})"
    if kind == 5:
        return f"{rng.choice(('-', '!', '+'))}{left}"
    return f"{rng.choice(('fmin', 'fmax', 'pow', 'min', 'max'))}({left}, {right})"


def _statement(rng: random.Random, role: Role) -> str:
    targets = [n for n in role.names if n not in ("t", "dt", "id", "a", "w", "k", "tau", "amp",
                                                  "prob", "num_post", "num_pre", "id_pre",
                                                  "id_post", "Vpre", "Vpost", "Isyn", "inSyn")]
    target = rng.choice(targets) if targets else "scalar tmp"
    expression = _expression(rng, role)
    kind = rng.randrange(5)
    if kind == 0:
        return f"if ({_expression(rng, role)}) {{ {target} = {expression}; }}"
    if kind == 1:
        return f'printf("{rng.choice(("%f", "%d", "x=%g", "%%"))}\\n", {expression});'
    if kind == 2:
        return f"{{ scalar tmp = {expression}; {target} {rng.choice(('=', '+=', '*='))} tmp; }}"
    return f"{target} {rng.choice(('=', '+=', '-=', '*='))} {expression};"


_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|[A-Za-z_]\w*|\d[\w.]*|<<=|>>=|[-+*/%&|^!=<>]=|&&|\|\|'
                    r'|<<|>>|\+\+|--|->|\S')


def _mutate(rng: random.Random, code: str, role: Role) -> str:
    """One random edit: insert/replace/delete/duplicate/swap tokens, or wrap the code."""
    tokens = [m.group() for m in _TOKEN.finditer(code)] or [""]
    kind = rng.randrange(8)
    position = rng.randrange(len(tokens) + 1)
    if kind <= 1:
        tokens.insert(position, rng.choice(NASTY))
    elif kind == 2 and position < len(tokens):
        tokens[position] = rng.choice(NASTY + _PIECES)
    elif kind == 3 and len(tokens) > 1:
        end = min(len(tokens), position + rng.randrange(1, 4))
        del tokens[position:end]
    elif kind == 4:
        end = min(len(tokens), position + rng.randrange(1, 6))
        tokens[position:position] = tokens[position:end]
    elif kind == 5 and len(tokens) > 1:
        i, j = rng.randrange(len(tokens)), rng.randrange(len(tokens))
        tokens[i], tokens[j] = tokens[j], tokens[i]
    elif kind == 6:
        tokens.insert(position, rng.choice(role.names))
    else:
        return _wrap(rng, code, role)
    separator = rng.choice((" ", " ", "", "\n"))
    return separator.join(tokens)


def _wrap(rng: random.Random, code: str, role: Role) -> str:
    if role.expression:
        return rng.choice((f"({code})", f"!({code})", f"({code}) && ({code})",
                           f"(bool)({code})"))
    return rng.choice((f"if (V > 0.0) {{ {code} }}", f"{{ {code} }}",
                       f"for (int i = 0; i < 2; i++) {{ {code} }}",
                       f"switch (1) {{ case 1: {{ {code} }} break; }}", f"{code}\n{code}"))


def _one_case(rng: random.Random, role: Role) -> str:
    roll = rng.random()
    if roll < 0.08:
        text = _deep(rng)
    elif roll < 0.25:
        text = _expression(rng, role) if role.expression else " ".join(
            _statement(rng, role) for _ in range(rng.randrange(1, 4)))
    elif roll < 0.35:
        text = rng.choice(NASTY)
    else:
        text = rng.choice(role.seeds)
    for _ in range(rng.choice((0, 1, 1, 2, 3))):
        text = _mutate(rng, text, role)
    return text


def cases() -> list[tuple[str, str]]:
    """The whole corpus: (role name, code string), the same on every call."""
    rng = random.Random(SEED)
    result = list(TRICKY)
    for role in ROLES.values():
        result += [(role.name, seed) for seed in role.seeds]
        result += [(role.name, _one_case(rng, role)) for _ in range(CASES_PER_ROLE)]
    return result


# ============================================================================ models
def _neuron_model(pygenn, name, role=None, code=None):
    codes = {"sim_code": "V += a * dt;", "threshold_condition_code": "V > 1.0",
             "reset_code": "V = 0.0;"}
    if role is not None:
        codes[role] = code
    return pygenn.create_neuron_model(
        name, params=["a"], vars=[("V", "scalar"), ("U", "scalar"), ("n", "int")], **codes)


def _neuron_pop(pygenn, model, name, neuron=None, v_init=0.0):
    neuron = neuron or _neuron_model(pygenn, f"{name}Model")
    return model.add_neuron_population(name, 3, neuron, {"a": 0.5},
                                       {"V": v_init, "U": 0.0, "n": 0})


def _add_neuron(pygenn, model, key, role, code):
    _neuron_pop(pygenn, model, f"P{key}", _neuron_model(pygenn, f"Fuzz{key}", role, code))


def _add_current_source(pygenn, model, key, role, code):
    pop = _neuron_pop(pygenn, model, f"P{key}")
    cs = pygenn.create_current_source_model(f"Fuzz{key}", params=["amp"],
                                            vars=[("c", "scalar")], injection_code=code)
    model.add_current_source(f"C{key}", cs, pop, {"amp": 0.1}, {"c": 0.0})


def _add_postsynaptic(pygenn, model, key, role, code):
    pre, post = _neuron_pop(pygenn, model, f"A{key}"), _neuron_pop(pygenn, model, f"B{key}")
    psm = pygenn.create_postsynaptic_model(f"Fuzz{key}", params=["tau"],
                                           vars=[("x", "scalar")], sim_code=code)
    model.add_synapse_population(
        f"S{key}", "DENSE", pre, post, pygenn.init_weight_update("StaticPulse", {}, {"g": 0.5}),
        pygenn.init_postsynaptic(psm, {"tau": 2.0}, {"x": 0.0}))


def _add_weight_update(pygenn, model, key, role, code):
    pre, post = _neuron_pop(pygenn, model, f"A{key}"), _neuron_pop(pygenn, model, f"B{key}")
    codes = {"pre_spike_syn_code": "addToPost(g);"}
    for side, target in (("pre", "Vpre > 0.5"), ("post", "Vpost > 0.5")):
        if role in (f"{side}_event_syn_code", f"{side}_event_threshold_condition_code"):
            codes[f"{side}_event_threshold_condition_code"] = target
            codes[f"{side}_event_syn_code"] = "addToPre(w);" if side == "post" else \
                "addToPost(w);"
    codes[role] = code
    wu = pygenn.create_weight_update_model(
        f"Fuzz{key}", params=["w"], vars=[("g", "scalar")], pre_vars=[("pre_x", "scalar")],
        post_vars=[("post_x", "scalar")], pre_neuron_var_refs=[("Vpre", "scalar")],
        post_neuron_var_refs=[("Vpost", "scalar")], **codes)
    init = pygenn.init_weight_update(wu, {"w": 0.25}, {"g": 0.5}, {"pre_x": 0.0},
                                     {"post_x": 0.0}, pre_var_refs={"Vpre": "V"},
                                     post_var_refs={"Vpost": "V"})
    model.add_synapse_population(f"S{key}", "DENSE", pre, post, init,
                                 pygenn.init_postsynaptic("DeltaCurr"))


def _add_custom_update(pygenn, model, key, role, code):
    pop = _neuron_pop(pygenn, model, f"P{key}")
    cu = pygenn.create_custom_update_model(f"Fuzz{key}", params=["k"], vars=[("c", "scalar")],
                                           var_refs=[("V", "scalar")], update_code=code)
    model.add_custom_update(f"U{key}", "Fuzz", cu, {"k": 0.5}, {"c": 0.0},
                            {"V": pygenn.create_var_ref(pop, "V")})


def _add_var_init(pygenn, model, key, role, code):
    snippet = pygenn.create_var_init_snippet(f"Fuzz{key}", params=["a"], var_init_code=code)
    _neuron_pop(pygenn, model, f"P{key}", v_init=pygenn.init_var(snippet, {"a": 0.5}))


def _add_sparse_init(pygenn, model, key, role, code):
    pre, post = _neuron_pop(pygenn, model, f"A{key}"), _neuron_pop(pygenn, model, f"B{key}")
    snippet = pygenn.create_sparse_connect_init_snippet(
        f"Fuzz{key}", params=["prob"], row_build_code=code,
        calc_max_row_len_func=lambda num_pre, num_post, pars: num_post)
    model.add_synapse_population(
        f"S{key}", "SPARSE", pre, post, pygenn.init_weight_update("StaticPulse", {}, {"g": 0.5}),
        pygenn.init_postsynaptic("DeltaCurr"),
        pygenn.init_sparse_connectivity(snippet, {"prob": 0.5}))


_BUILDERS = {"neuron": _add_neuron, "current_source": _add_current_source,
             "postsynaptic": _add_postsynaptic, "weight_update": _add_weight_update,
             "custom_update": _add_custom_update, "var_init": _add_var_init,
             "sparse_init": _add_sparse_init}


def _role_argument(role: Role) -> str:
    """The keyword a role's code goes under (the PSM's sim code is 'sim_code')."""
    return "sim_code" if role.name == "psm_sim_code" else role.name


def add_code(pygenn, model, key, role: Role, code: str) -> None:
    """Add populations to ``model`` that use ``code`` in ``role`` (names end with ``key``)."""
    _BUILDERS[role.family](pygenn, model, key, _role_argument(role), code)


def generate(model):
    """Code generation for ``model`` with its backend: {file: text}."""
    from pygenn._src.codegen.plan import ModelPlan
    from pygenn._src.interface.backends import backend_for

    backend = backend_for(model.backend_name)
    plan = ModelPlan(model, backend.name)
    return backend.generate(plan).sources


# ============================================================================ checks
_C_LEXEME = re.compile(r'"(?:[^"\\\n]|\\.)*"|//[^\n]*|/\*.*?\*/', re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_BRACKETS = {")": "(", "]": "[", "}": "{"}


def _literals(text: str) -> list[str]:
    return [m.group() for m in _C_LEXEME.finditer(text) if m.group().startswith('"')]


def _decoded(literals) -> set:
    from pygenn._src.lang.scanner import decode_string_literal
    return {decode_string_literal(lit) for lit in literals}


def user_literals(code: str) -> set:
    """The bytes of each string literal of an accepted code string, as the scanner reads it."""
    from pygenn._src.errors import CodeContext
    from pygenn._src.lang import TokenType, scan
    tokens = scan(code, CodeContext("fuzz"))
    return _decoded(t.lexeme for t in tokens if t.type is TokenType.STRING)


def regions(source: str) -> list[str]:
    """The text of each pasted user-code region (between the markers)."""
    from pygenn._src.contract import USER_CODE_BEGIN, USER_CODE_END
    found, current = [], None
    for line in source.split("\n"):
        if current is not None and USER_CODE_END.match(line):
            found.append("\n".join(current))
            current = None
        elif current is not None:
            current.append(line)
        elif USER_CODE_BEGIN.match(line):
            current = []
    return found


def region_problems(region: str) -> list[str]:
    """What is wrong with the structure of a user-code region (empty if nothing)."""
    problems = []
    code = _C_LEXEME.sub(lambda m: '""' if m.group().startswith('"') else "/*COMMENT*/", region)
    if "/*COMMENT*/" in code:
        problems.append("a comment in user code")
    for bad in ("#", "\\", "??"):
        if bad in code:
            problems.append(f"{bad!r} outside string literals in user code")
    stack = []
    for char in code:
        if char in "([{":
            stack.append(char)
        elif char in _BRACKETS and (not stack or stack.pop() != _BRACKETS[char]):
            problems.append("unbalanced brackets in user code")
            break
    if stack:
        problems.append("unclosed brackets in user code")
    return problems


def _continued_lines(text: str) -> list[str]:
    """Lines ending in a backslash, except those of pygenn's own multi-line macros
    (``#define PYGENN_...``, e.g. the CUDA grid-dependency macro)."""
    found, in_own_macro = [], False
    for line in text.split("\n"):
        continued = line.rstrip(" \t").endswith("\\")
        if line.lstrip().startswith("#define PYGENN_"):
            in_own_macro = True
        if continued and not in_own_macro:
            found.append(line)
        in_own_macro = in_own_macro and continued
    return found


def source_problems(sources: dict, baseline: dict, literals: set) -> list[str]:
    """Soundness problems of the generated ``sources`` compared with a valid model's.

    ``literals`` are the bytes of the user's string literals: each must be printed as a literal
    standing for exactly those bytes, and no other literal may appear.
    """
    problems = []
    base_text = "\n".join(baseline.values())
    base_directives = set(re.findall(r"^\s*#.*$", base_text, re.MULTILINE))
    base_literals = _decoded(_literals(base_text))
    printed = set()
    for name, text in sources.items():
        for directive in set(re.findall(r"^\s*#.*$", text, re.MULTILINE)) - base_directives:
            problems.append(f"{name}: new preprocessor line {directive.strip()!r}")
        if _CONTROL.search(text):
            problems.append(f"{name}: control character in generated code")
        for line in _continued_lines(text):
            problems.append(f"{name}: a line ends with a backslash: {line.strip()!r}")
        if re.search(r"\?\?[=/'()!<>-]", text):        # in literals too
            problems.append(f"{name}: trigraph in generated code")
        printed |= _decoded(_literals(text))
        for region in regions(text):
            problems += [f"{name}: {p}" for p in region_problems(region)]
    if printed - base_literals - literals:
        problems.append(f"string literals that are not the user's: "
                        f"{sorted(printed - base_literals - literals)}")
    if literals - printed:
        problems.append(f"string literals lost or changed: {sorted(literals - printed)}")
    return problems


# ============================================================================ judging
def _pygenn():
    import warnings

    import pygenn
    warnings.simplefilter("ignore")         # legacy-syntax FutureWarnings of mutated code
    return pygenn


def _new_model(pygenn, name: str = "fuzz", **preferences):
    backend = os.environ.get("PYGENN_FUZZ_BACKEND", "single_threaded_cpu")
    return pygenn.GeNNModel("float", name, backend=backend, **preferences)


_BASELINES: dict = {}


def _baseline(pygenn, role: Role) -> dict:
    if role.name not in _BASELINES:
        merged = {}
        for index, seed in enumerate(role.seeds):
            model = _new_model(pygenn)
            add_code(pygenn, model, f"x{index}", role, seed)
            for name, text in generate(model).items():
                merged[name] = merged.get(name, "") + "\n" + text
        _BASELINES[role.name] = merged
    return _BASELINES[role.name]


def judge(role_name: str, code: str) -> dict:
    """Outcome of one code string in its role (see the module docstring)."""
    from pygenn._src.errors import CodeStringError
    pygenn = _pygenn()
    role = ROLES[role_name]
    try:
        model = _new_model(pygenn)
        add_code(pygenn, model, "0", role, code)
        sources = generate(model)
    except CodeStringError as error:
        located = bool(error.diagnostics) and all(d.line >= 1 for d in error.diagnostics)
        return {"outcome": "located" if located else "crash", "detail": str(error)[:300]}
    except RecursionError as error:
        return {"outcome": "crash", "detail": f"RecursionError: {error}"}
    except (RuntimeError, ValueError, TypeError) as error:
        outcome = "rejected" if str(error).strip() else "crash"
        return {"outcome": outcome, "detail": f"{type(error).__name__}: {str(error)[:300]}"}
    except Exception as error:     # noqa: BLE001 - anything else is a crash of the front end
        return {"outcome": "crash", "detail": f"{type(error).__name__}: {error}"}
    problems = source_problems(sources, _baseline(pygenn, role), user_literals(code))
    if problems:
        return {"outcome": "unsound", "detail": "; ".join(problems)[:600]}
    return {"outcome": "accepted"}


def _judge_range(start: int, stop: int, results_path: str) -> None:
    import os
    corpus = cases()
    # lets the test check that a child dying on a case is noticed
    abort_at = int(os.environ.get("PYGENN_FUZZ_ABORT_AT", "-1"))
    with open(results_path, "a", encoding="utf-8") as results:
        for index in range(start, stop):
            if index == abort_at:
                os.abort()
            role, code = corpus[index]
            results.write(json.dumps({"id": index, "role": role, **judge(role, code)}) + "\n")
            results.flush()


# ============================================================================ compiling
# Strings that cannot loop forever or trap (integer division by zero) may also run a step
_MAY_NOT_RUN = re.compile(r"\b(while|for|do)\b|[/%]")
STRINGS_PER_MODEL = 80


def compile_accepted(accepted: list[int], results_path: str, models_dir: str) -> None:
    """Compile (and where safe run) the strings ``accepted`` (case numbers the judge accepted)
    into models under ``models_dir``; one JSON line per model."""
    corpus = cases()
    pygenn = _pygenn()
    groups = {}
    for index in accepted:
        role, code = corpus[index]
        runnable = _MAY_NOT_RUN.search(code) is None
        groups.setdefault((ROLES[role].family, runnable), []).append(index)
    with open(results_path, "a", encoding="utf-8") as results:
        for (family, runnable), members in sorted(groups.items()):
            for start in range(0, len(members), STRINGS_PER_MODEL):
                chunk = members[start:start + STRINGS_PER_MODEL]
                result = _compile_group(pygenn, corpus, chunk, runnable, models_dir)
                results.write(json.dumps({"family": family, "ids": chunk, **result}) + "\n")
                results.flush()


def _compile_group(pygenn, corpus, ids: list[int], runnable: bool, models_dir: str) -> dict:
    from pygenn._src.errors import BuildError
    name = f"fuzz_{ids[0]}_{len(ids)}"
    model = _new_model(pygenn, name, debug_code=True)
    for index in ids:
        role, code = corpus[index]
        add_code(pygenn, model, str(index), ROLES[role], code)
    try:
        model.build(path_to_model=models_dir)
        _compile_cuda_too(model)
    except BuildError as error:
        return {"outcome": "leak", "detail": str(error)[:4000]}
    if not runnable:
        return {"outcome": "compiled"}
    try:
        model.load()
        model.step_time()
        if model.custom_updates:
            model.custom_update("Fuzz")
    except Exception as error:     # noqa: BLE001 - reported, the test fails on it
        return {"outcome": "run_error", "detail": f"{type(error).__name__}: {error}"[:4000]}
    return {"outcome": "ran"}


def _compile_cuda_too(model) -> None:
    """Where a CPU backend is fuzzed and NVRTC is installed (CI has no GPU), also compile the
    model's generated CUDA: CUDA resolves overloaded math functions by its own rules, so a
    string g++ takes may still be ambiguous to NVRTC."""
    if model.backend_name == "cuda" or os.environ.get("PYGENN_FUZZ_NVRTC", "1") == "0":
        return
    from pygenn._src.backends.cuda import generate_cuda
    from pygenn._src.build import nvrtc
    from pygenn._src.codegen.plan import ModelPlan
    if not nvrtc.available():
        return
    generated = generate_cuda(ModelPlan(model, "cuda", debug_code=True))
    nvrtc.build_cached_cubin(generated.sources["runner.cu"], model.name, "sm_80")


def main(argv: list[str]) -> None:
    mode = argv[0]
    if mode == "judge":
        _judge_range(int(argv[1]), int(argv[2]), argv[3])
    elif mode == "compile":
        compile_accepted([int(i) for i in argv[3:]], argv[1], argv[2])
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
