"""Recursive-descent parser: tokens -> AST.

Parse errors do not stop parsing: the parser records the error, resynchronises at the next
statement boundary and continues, so every error of a code string is reported at once.
"""
from __future__ import annotations

from ..errors import MAX_DIAGNOSTICS, CodeContext, CodeParseError, Diagnostic
from . import ast
from .limits import MAX_NESTING, MAX_TREE_DEPTH, with_headroom
from .scanner import with_source
from .tokens import ASSIGNMENT_OPERATORS, NUMBER_TYPES, Token, TokenType
from .types import lookup_specifiers

T = TokenType

# C features GeNNCode lacks; they scan as identifiers, so catch them for a clear message
_UNSUPPORTED_WORDS = frozenset(
    "return goto sizeof struct union enum typedef static extern auto register volatile void "
    "inline restrict".split())

# Binary operator levels, lowest precedence first (each level is left-associative)
_BINARY_LEVELS = (
    ({T.PIPE_PIPE}, ast.LogicalExpr),
    ({T.AMPERSAND_AMPERSAND}, ast.LogicalExpr),
    ({T.PIPE}, ast.BinaryExpr),
    ({T.CARET}, ast.BinaryExpr),
    ({T.AMPERSAND}, ast.BinaryExpr),
    ({T.EQUAL_EQUAL, T.NOT_EQUAL}, ast.BinaryExpr),
    ({T.LESS, T.GREATER, T.LESS_EQUAL, T.GREATER_EQUAL}, ast.BinaryExpr),
    ({T.SHIFT_LEFT, T.SHIFT_RIGHT}, ast.BinaryExpr),
    ({T.PLUS, T.MINUS}, ast.BinaryExpr),
    ({T.STAR, T.SLASH, T.PERCENT}, ast.BinaryExpr),
)
_UNARY_OPERATORS = frozenset({T.PLUS, T.MINUS, T.TILDE, T.NOT, T.STAR})
_SYNC_BEFORE = frozenset({T.FOR, T.IF, T.WHILE, T.DO, T.SWITCH, T.TYPE_SPECIFIER,
                          T.TYPE_QUALIFIER, T.FOR_EACH_SYNAPSE, T.RIGHT_BRACE})


class _ParseError(Exception):
    """Unwinds to the nearest statement boundary after an error has been recorded."""


class _Parser:
    def __init__(self, tokens: list[Token]):
        self.tokens = list(tokens)
        if not self.tokens or self.tokens[-1].type is not T.END_OF_FILE:
            last = self.tokens[-1] if self.tokens else None
            self.tokens.append(Token(T.END_OF_FILE, "", last.line if last else 1,
                                     last.column + len(last.lexeme) if last else 1))
        self.pos = 0
        self.errors: list[Diagnostic] = []
        self.brace_depth = 0
        self.expression_depth = 0
        self.statement_depth = 0

    # -- token helpers -------------------------------------------------------------------------
    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def at_end(self) -> bool:
        return self.peek().type is T.END_OF_FILE

    def check(self, *types: TokenType) -> bool:
        return self.peek().type in types

    def advance(self) -> Token:
        token = self.peek()
        if not self.at_end():
            self.pos += 1
        return token

    def match(self, *types: TokenType) -> Token | None:
        return self.advance() if self.check(*types) else None

    def expect(self, token_type: TokenType, message: str) -> Token:
        if self.check(token_type):
            return self.advance()
        self.fail(self.peek(), message)

    def fail(self, token: Token, message: str):
        self.errors.append(Diagnostic(token.line, token.column, message, token.lexeme))
        raise _ParseError()

    def enter_expression(self) -> None:
        """One level deeper into an expression (parentheses, calls, operators ...)."""
        self.expression_depth += 1
        if self.expression_depth > MAX_NESTING:
            self.expression_depth -= 1
            self.fail(self.peek(), f"Expression nested too deeply (more than {MAX_NESTING} "
                                   f"levels of parentheses, calls, subscripts, casts and "
                                   f"operators); split it into several statements")

    def enter_statement(self) -> None:
        self.statement_depth += 1
        if self.statement_depth > MAX_NESTING:
            self.statement_depth -= 1
            self.fail(self.peek(), f"Statements nested too deeply (more than {MAX_NESTING} "
                                   f"levels); simplify the code")

    def synchronise(self) -> None:
        """Skip to just after the next ';' or to the start of the next statement."""
        # A '}' that closes an enclosing compound statement must be left for it
        if not (self.check(T.RIGHT_BRACE) and self.brace_depth > 0):
            self.advance()
        while not self.at_end():
            if self.tokens[self.pos - 1].type is T.SEMICOLON or self.check(*_SYNC_BEFORE):
                return
            self.advance()

    # -- statements ----------------------------------------------------------------------------
    def statement_list(self, until: TokenType = T.END_OF_FILE) -> list:
        statements = []
        while not self.at_end() and not self.check(until) and len(self.errors) < MAX_DIAGNOSTICS:
            statement = self.guarded_statement()
            if statement is not None:
                statements.append(statement)
        return statements

    def guarded_statement(self):
        try:
            return self.declaration_or_statement()
        except _ParseError:
            self.synchronise()
            return None

    def declaration_or_statement(self):
        if self.check(T.TYPE_SPECIFIER, T.TYPE_QUALIFIER):
            return self.declaration()
        return self.statement()

    def declaration(self) -> ast.VarDeclarationStmt:
        type_spec = self.type_spec()
        declarators = [self.declarator()]
        while self.match(T.COMMA):
            declarators.append(self.declarator())
        self.expect(T.SEMICOLON, "Expect ';' after variable declaration")
        return ast.VarDeclarationStmt(type_spec, declarators)

    def declarator(self) -> ast.Declarator:
        name = self.expect(T.IDENTIFIER, "Expect variable name")
        self.reject_unsupported_word(name)
        initialiser = self.assignment() if self.match(T.EQUAL) else None
        return ast.Declarator(name, initialiser)

    def type_spec(self) -> ast.TypeSpec:
        first = self.peek()
        words, const = [], False
        while self.check(T.TYPE_SPECIFIER, T.TYPE_QUALIFIER):
            token = self.advance()
            if token.type is T.TYPE_QUALIFIER:
                const = True
            else:
                words.append(token.lexeme)
        if not words:
            self.fail(self.peek(), "Expect type specifier after 'const'")
        if lookup_specifiers(words) is None:
            self.fail(first, f"Unknown numeric type specifier '{' '.join(words)}'")
        pointer_consts = []
        while self.match(T.STAR):
            pointer_consts.append(self.match(T.TYPE_QUALIFIER) is not None)
        return ast.TypeSpec(first, tuple(words), const, tuple(pointer_consts))

    def statement(self):
        self.enter_statement()
        try:
            token = self.peek()
            handler = self._STATEMENT_HANDLERS.get(token.type)
            if handler is not None:
                return handler(self)
            return self.expression_statement()
        finally:
            self.statement_depth -= 1

    def body(self):
        """The body of a control statement: braces there add no level of nesting."""
        if self.check(T.LEFT_BRACE):
            return self.compound_statement()
        return self.statement()

    def expression_statement(self) -> ast.ExpressionStmt:
        semicolon = self.match(T.SEMICOLON)
        if semicolon is not None:
            return ast.ExpressionStmt(None, semicolon)
        self.reject_unsupported_word(self.peek())
        expression = self.expression()
        semicolon = self.expect(T.SEMICOLON, "Expect ';' after expression")
        return ast.ExpressionStmt(expression, semicolon)

    def reject_unsupported_word(self, token: Token) -> None:
        if token.type is T.IDENTIFIER and token.lexeme in _UNSUPPORTED_WORDS:
            self.fail(token, f"'{token.lexeme}' is not supported in GeNN code strings")

    def compound_statement(self) -> ast.CompoundStmt:
        brace = self.expect(T.LEFT_BRACE, "Expect '{'")
        self.brace_depth += 1
        try:
            statements = self.statement_list(until=T.RIGHT_BRACE)
        finally:
            self.brace_depth -= 1
        self.expect(T.RIGHT_BRACE, "Expect '}' after compound statement")
        return ast.CompoundStmt(statements, brace)

    def parenthesised_condition(self, keyword: Token) -> ast.Expr:
        self.expect(T.LEFT_PAREN, f"Expect '(' after '{keyword.lexeme}'")
        condition = self.expression()
        self.expect(T.RIGHT_PAREN, f"Expect ')' after '{keyword.lexeme}' condition")
        return condition

    def if_statement(self) -> ast.IfStmt:
        # 'else if' chains are read in a loop: a long chain is not deep nesting
        links = []
        else_branch = None
        while True:
            keyword = self.advance()
            condition = self.parenthesised_condition(keyword)
            links.append((keyword, condition, self.body()))
            if not self.match(T.ELSE):
                break
            if not self.check(T.IF):
                else_branch = self.body()
                break
        for keyword, condition, then_branch in reversed(links):
            else_branch = ast.IfStmt(keyword, condition, then_branch, else_branch)
        return else_branch

    def while_statement(self) -> ast.WhileStmt:
        keyword = self.advance()
        condition = self.parenthesised_condition(keyword)
        return ast.WhileStmt(keyword, condition, self.body())

    def do_statement(self) -> ast.DoWhileStmt:
        self.advance()
        body = self.body()
        keyword = self.expect(T.WHILE, "Expect 'while' after 'do' body")
        condition = self.parenthesised_condition(keyword)
        self.expect(T.SEMICOLON, "Expect ';' after do-while statement")
        return ast.DoWhileStmt(body, keyword, condition)

    def for_statement(self) -> ast.ForStmt:
        keyword = self.advance()
        self.expect(T.LEFT_PAREN, "Expect '(' after 'for'")
        if self.check(T.TYPE_SPECIFIER, T.TYPE_QUALIFIER):
            initialiser = self.declaration()
        else:
            initialiser = self.expression_statement()
        condition = None if self.check(T.SEMICOLON) else self.expression()
        self.expect(T.SEMICOLON, "Expect ';' after loop condition")
        increment = None if self.check(T.RIGHT_PAREN) else self.expression()
        self.expect(T.RIGHT_PAREN, "Expect ')' after for clauses")
        if isinstance(initialiser, ast.ExpressionStmt) and initialiser.expression is None:
            initialiser = None
        return ast.ForStmt(keyword, initialiser, condition, increment, self.body())

    def for_each_synapse_statement(self) -> ast.ForEachSynapseStmt:
        keyword = self.advance()
        return ast.ForEachSynapseStmt(keyword, self.body())

    def switch_statement(self) -> ast.SwitchStmt:
        keyword = self.advance()
        condition = self.parenthesised_condition(keyword)
        if not self.check(T.LEFT_BRACE):
            self.fail(self.peek(), "Expect '{' after switch condition")
        return ast.SwitchStmt(keyword, condition, self.compound_statement())

    def labelled_statement(self) -> ast.LabelledStmt:
        keyword = self.advance()
        value = self.conditional() if keyword.type is T.CASE else None
        self.expect(T.COLON, f"Expect ':' after '{keyword.lexeme}'")
        return ast.LabelledStmt(keyword, value, self.body())

    def jump_statement(self):
        keyword = self.advance()
        self.expect(T.SEMICOLON, f"Expect ';' after '{keyword.lexeme}'")
        node = ast.BreakStmt if keyword.type is T.BREAK else ast.ContinueStmt
        return node(keyword)

    def declaration_where_statement_expected(self):
        # C does not allow a declaration as the direct body of if/while/...: it needs braces
        self.fail(self.peek(), "Expect statement (put declarations inside '{ }')")

    _STATEMENT_HANDLERS = {
        T.LEFT_BRACE: compound_statement, T.IF: if_statement, T.WHILE: while_statement,
        T.DO: do_statement, T.FOR: for_statement,
        T.FOR_EACH_SYNAPSE: for_each_synapse_statement, T.SWITCH: switch_statement,
        T.CASE: labelled_statement, T.DEFAULT: labelled_statement, T.BREAK: jump_statement,
        T.CONTINUE: jump_statement, T.TYPE_SPECIFIER: declaration_where_statement_expected,
        T.TYPE_QUALIFIER: declaration_where_statement_expected,
    }

    # -- expressions ---------------------------------------------------------------------------
    def expression(self) -> ast.Expr:
        expr = self.assignment()
        while self.check(T.COMMA):
            op = self.advance()
            expr = ast.BinaryExpr(expr, op, self.assignment())
        return expr

    def assignment(self) -> ast.Expr:
        target = self.conditional()
        if self.check(*ASSIGNMENT_OPERATORS):
            op = self.advance()
            self.enter_expression()
            try:
                return ast.AssignmentExpr(target, op, self.assignment())
            finally:
                self.expression_depth -= 1
        return target

    def conditional(self) -> ast.Expr:
        condition = self.binary(0)
        if not self.check(T.QUESTION):
            return condition
        question = self.advance()
        self.enter_expression()
        try:
            if_true = self.expression()
            self.expect(T.COLON, "Expect ':' in conditional expression")
            return ast.ConditionalExpr(condition, question, if_true, self.conditional())
        finally:
            self.expression_depth -= 1

    def binary(self, level: int) -> ast.Expr:
        if level == len(_BINARY_LEVELS):
            return self.cast()
        operators, node = _BINARY_LEVELS[level]
        expr = self.binary(level + 1)
        while self.check(*operators):
            op = self.advance()
            expr = node(expr, op, self.binary(level + 1))
        return expr

    def cast(self) -> ast.Expr:
        # every way into a nested expression passes here: parentheses, arguments, subscripts,
        # prefix operators and casts
        self.enter_expression()
        try:
            if self.check(T.LEFT_PAREN) and self.peek(1).type in (T.TYPE_SPECIFIER,
                                                                   T.TYPE_QUALIFIER):
                self.advance()
                type_spec = self.type_spec()
                closing = self.expect(T.RIGHT_PAREN, "Expect ')' after cast type")
                return ast.CastExpr(type_spec, self.cast(), closing)
            return self.unary()
        finally:
            self.expression_depth -= 1

    def unary(self) -> ast.Expr:
        if self.check(T.PLUS_PLUS, T.MINUS_MINUS):
            op = self.advance()
            self.enter_expression()
            try:
                return ast.PrefixIncDecExpr(op, self.unary())
            finally:
                self.expression_depth -= 1
        if self.check(*_UNARY_OPERATORS):
            op = self.advance()
            return ast.UnaryExpr(op, self.cast())
        if self.check(T.AMPERSAND):
            self.fail(self.peek(), "The address-of operator '&' is not supported")
        return self.postfix()

    def postfix(self) -> ast.Expr:
        expr = self.primary()
        while True:
            if self.match(T.LEFT_PAREN):
                expr = self.finish_call(expr)
            elif self.match(T.LEFT_SQUARE):
                index = self.expression()
                closing = self.expect(T.RIGHT_SQUARE, "Expect ']' after subscript index")
                expr = ast.SubscriptExpr(expr, index, closing)
            elif self.check(T.PLUS_PLUS, T.MINUS_MINUS):
                expr = ast.PostfixIncDecExpr(expr, self.advance())
            else:
                return expr

    def finish_call(self, callee: ast.Expr) -> ast.CallExpr:
        arguments = []
        if not self.check(T.RIGHT_PAREN):
            arguments.append(self.assignment())
            while self.match(T.COMMA):
                arguments.append(self.assignment())
        closing = self.expect(T.RIGHT_PAREN, "Expect ')' after arguments")
        return ast.CallExpr(callee, arguments, closing)

    def primary(self) -> ast.Expr:
        token = self.peek()
        if token.type in NUMBER_TYPES or token.type in (T.BOOLEAN, T.STRING):
            return ast.LiteralExpr(self.advance())
        if token.type is T.IDENTIFIER:
            self.reject_unsupported_word(token)
            return ast.IdentifierExpr(self.advance())
        if token.type is T.LEFT_PAREN:
            self.advance()
            inner = self.expression()
            self.expect(T.RIGHT_PAREN, "Expect ')' after expression")
            return ast.GroupingExpr(inner, token)
        self.fail(token, "Expect expression")


def _source_of(tokens) -> str:
    return getattr(tokens, "source", "")


def _first_token(node) -> Token | None:
    """A token of ``node`` to point an error at (its first own token, else a child's)."""
    for value in vars(node).values():
        if isinstance(value, Token):
            return value
        if isinstance(value, ast.TypeSpec):
            return value.token
    for child in ast.children(node):
        token = _first_token(child)
        if token is not None:
            return token
    return None


def tree_depth_error(roots) -> Diagnostic | None:
    """An error if a tree is deeper than ``MAX_TREE_DEPTH`` (walked without recursion).

    'else if' links do not count: the checker and printer follow those chains in a loop.
    """
    stack = [(root, 1) for root in roots]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_TREE_DEPTH:
            token = _first_token(node)
            line, column, lexeme = (token.line, token.column, token.lexeme) if token else (1, 0, "")
            return Diagnostic(line, column, f"Expression or statement too deep (more than "
                                            f"{MAX_TREE_DEPTH} levels: a chain of that many "
                                            f"operators counts as that many levels); split it "
                                            f"into several statements", lexeme)
        for child in ast.children(node):
            chained = isinstance(node, ast.IfStmt) and child is node.else_branch \
                and isinstance(child, ast.IfStmt)
            stack.append((child, depth if chained else depth + 1))
    return None


@with_headroom
def parse_statements(tokens, context: CodeContext) -> ast.StatementList:
    """Parse a statement list (sim code, update code ...).

    Collects every parse error and raises ``CodeParseError`` listing them all.
    """
    parser = _Parser(tokens)
    statements = parser.statement_list()
    if not parser.errors:
        too_deep = tree_depth_error(statements)
        if too_deep is not None:
            parser.errors.append(too_deep)
    if parser.errors:
        raise CodeParseError(with_source(context, _source_of(tokens)), parser.errors)
    return ast.StatementList(statements, _source_of(tokens))


@with_headroom
def parse_expression(tokens, context: CodeContext) -> ast.Expr:
    """Parse a single expression (threshold conditions); anything after it is an error."""
    parser = _Parser(tokens)
    expr = None
    try:
        expr = parser.expression()
        if not parser.at_end():
            parser.fail(parser.peek(), "Expect end of expression")
    except _ParseError:
        pass
    if not parser.errors:
        too_deep = tree_depth_error([expr])
        if too_deep is not None:
            parser.errors.append(too_deep)
    if parser.errors:
        raise CodeParseError(with_source(context, _source_of(tokens)), parser.errors)
    expr.source = _source_of(tokens)
    return expr
