"""CEL expressions: compile once, check shape and cost, evaluate on plain JSON values.

What the `cel` package (common-expression-language 0.10, Rust) does, probed for this engine:

- `cel.compile(src)` returns a `Program`; syntax errors raise `ValueError` whose message carries
  `<input>:LINE:COL:` (1-based, in characters), which we turn into a character offset.
  `Program.variables()` lists the names an expression reads (macro-bound names included).
- `Program.execute(dict)` converts *every* value of the dict on *every* call (113 µs for a
  1,000-item list, 0.4 µs for one int), so we pass only the names the expression reads.
- Runtime errors are ordinary Python exceptions: `TypeError` (no such overload, e.g.
  `x.__class__`, `'a' * 3`), `RuntimeError` (undefined name or function such as `max`, which
  the opt-in Python stdlib would add; we do not add it), `ZeroDivisionError`, `OverflowError`
  (int arithmetic is checked 64-bit), `KeyError`, `IndexError`, `ValueError`.
- No implicit int/double conversion: `amount * 1.05` fails when `amount` is an int, while
  comparisons across int and double (`1 < 1.5`, `1 == 1.0`) work. So `number` parameters are
  passed as floats and `integer` ones as ints; other JSON numbers keep the type JSON gave them.
- Timestamps: `timestamp('2024-01-01T00:00:00Z')` works on RFC 3339 strings, which is how
  datetime parameters are passed; timestamps, durations and bytes coming out are converted
  back to JSON (see `values.py`).
- Built in: `size`, `has`, `matches` (Rust regex: linear time, compiled size capped at 10 MB,
  so catastrophic patterns are harmless), `contains`/`startsWith`/`endsWith`, the conversions,
  and the macros `map`, `filter`, `all`, `exists`, `exists_one`. `cel.bind` and `.?` are not.
- The parser rejects bracket nesting past ~100 itself; long `!`/`-` chains are fine.
- There is no cost budget and no way to interrupt an evaluation, and `map`/`filter` are
  quadratic in their result (a 1,000-item `l.map(a, l)` takes 30 s). Hence the sandbox: a length
  cap, a tokenizer that counts bracket and macro nesting (`celscan.py`), size caps on every
  value a variable holds, and a cost estimate checked before each evaluation (`cost.py`).
- Speed: evaluating `i + 1` with a one-name dict takes about 0.5 µs.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import cel

from runtime.engine import limits
from runtime.engine.celscan import Scan, scan
from runtime.engine.cost import SizeOf, estimate
from runtime.engine.errors import ExpressionError, Issue, NodeFailure
from runtime.engine.values import NotJson, to_json

_LOCATION = re.compile(r"<input>:(\d+):(\d+):\s*([^\n]*)")
_EXECUTION = "execution"
_MAX_MESSAGE = 300
_FAST_PATH_OCCURRENCES = limits.MAX_EVALUATION_CHARS // limits.MAX_VARIABLES_SIZE


def _offset(source: str, line: int, column: int) -> int:
    lines = source.split("\n")
    before = sum(len(text) + 1 for text in lines[: max(line - 1, 0)])
    return min(max(before + column - 1, 0), len(source))


def _compile_error(source: str, exc: BaseException) -> ExpressionError:
    text = str(exc)
    found = _LOCATION.search(text)
    if found is None:
        return ExpressionError(text.splitlines()[0] if text else "invalid expression")
    line, column, message = int(found[1]), int(found[2]), found[3].strip()
    message = message.split(" expecting {", 1)[0].replace("'<EOF>'", "end of expression")
    return ExpressionError(message or "invalid expression", _offset(source, line, column))


_MIXED_NUMBERS = re.compile(r"(float|double) \S+ (int|uint)|(int|uint) \S+ (float|double)")


def _runtime_message(exc: BaseException) -> str:
    """A short, single-line message for an evaluation error (the binding's hints dropped)."""
    if isinstance(exc, KeyError):
        return f"no such key: {str(exc).strip(chr(39))}"
    text = " ".join(str(exc).split())
    text = text.split(". Check", 1)[0].split(". CEL does not", 1)[0]
    text = text or type(exc).__name__
    if _MIXED_NUMBERS.search(text):
        text += " (CEL does not mix integers and decimals: write 2.0 instead of 2, or convert"
        text += " with double(…) or int(…))"
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


def _check_shape(source: str) -> Scan:
    if len(source) > limits.MAX_EXPRESSION_LENGTH:
        raise ExpressionError(
            f"expression is {len(source)} characters long; the limit is "
            f"{limits.MAX_EXPRESSION_LENGTH}",
            limits.MAX_EXPRESSION_LENGTH,
        )
    shape = scan(source)
    if shape.bracket_depth > limits.MAX_BRACKET_NESTING:
        raise ExpressionError(
            f"brackets nest {shape.bracket_depth} deep; the limit is {limits.MAX_BRACKET_NESTING}",
            shape.bracket_position,
        )
    if shape.macro_depth > limits.MAX_MACRO_NESTING:
        raise ExpressionError(
            f"comprehensions (map, filter, all, exists, exists_one) nest {shape.macro_depth} "
            f"deep; the limit is {limits.MAX_MACRO_NESTING}",
            shape.macro_position,
        )
    return shape


@lru_cache(maxsize=4096)
def _compile(source: str) -> tuple[Any, Scan]:
    """Compile and measure one source text; shared by validation and compilation."""
    shape = _check_shape(source)
    try:
        program = cel.compile(source)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # the Rust binding may raise a PanicException
        raise _compile_error(source, exc) from None
    return program, shape


def check_expression(source: str) -> Issue | None:
    """Compile-only check for as-you-type feedback: None when the expression is fine."""
    if not isinstance(source, str):
        return Issue("an expression must be a string")
    if not source.strip():
        return Issue("the expression is empty", position=0)
    try:
        _compile(source)
    except ExpressionError as exc:
        return Issue(exc.message, position=exc.position)
    return None


class Expression:
    """A compiled expression bound to the document field it came from."""

    __slots__ = ("check_cost", "field", "names", "program", "scan", "source", "uses_execution")

    def __init__(self, source: str, field: str) -> None:
        if not source.strip():
            raise ExpressionError("the expression is empty", 0)
        self.program, self.scan = _compile(source)
        self.source = source
        self.field = field
        referenced = self.program.variables()
        self.uses_execution = _EXECUTION in referenced
        self.names = tuple(name for name in referenced if name != _EXECUTION)
        occurrences = sum(count for _, _, count in self.scan.occurrences)
        self.check_cost = bool(self.scan.macros) or occurrences > _FAST_PATH_OCCURRENCES

    def __repr__(self) -> str:
        return f"Expression({self.source!r}, field={self.field!r})"

    def _fail(self, message: str, kind: str = "expression") -> NodeFailure:
        return NodeFailure(kind, f"{self.field}: {message}", retryable=False)

    def evaluate(
        self, variables: dict[str, Any], execution: dict[str, Any], size_of: SizeOf
    ) -> Any:
        """Evaluate on plain JSON variables; failures become non-retryable node failures."""
        if self.check_cost:
            work, chars = estimate(self.scan, size_of)
            if work > limits.MAX_EVALUATION_COST or chars > limits.MAX_EVALUATION_CHARS:
                raise self._fail(
                    "the expression could do too much work on values this large "
                    f"(estimated {work:,} operations, {chars:,} characters)",
                    "limit",
                )
        activation = {name: variables[name] for name in self.names if name in variables}
        if self.uses_execution:
            activation[_EXECUTION] = execution
        try:
            result = self.program.execute(activation)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # the Rust binding may raise a PanicException
            raise self._fail(_runtime_message(exc)) from None
        try:
            return to_json(result)
        except NotJson as exc:
            raise self._fail(str(exc)) from None
