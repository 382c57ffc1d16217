"""A small CEL tokenizer that measures an expression's shape before the Rust parser sees it.

The CEL package has no cost budget, so the sandbox needs to know, from the text alone, how deep
brackets and comprehension macros nest and which names are read at which macro depth (the
evaluation cost estimate in `cost.py` multiplies by those depths). It never raises: text it
cannot tokenize is left for `cel.compile` to reject.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

MACROS = frozenset({"map", "filter", "all", "exists", "exists_one"})
KEYWORDS = frozenset({"true", "false", "null", "in"})
_STRING_PREFIXES = frozenset({"r", "b", "rb", "br"})
_OPENERS = "([{"
_CLOSERS = ")]}"


@dataclass(frozen=True, slots=True)
class Macro:
    """One comprehension: its kind, how many macros enclose it, and what its body reads."""

    kind: str
    depth: int
    body_names: tuple[tuple[str, int], ...]
    nested: int
    position: int


@dataclass(frozen=True, slots=True)
class Scan:
    """The measured shape of one expression."""

    length: int
    bracket_depth: int
    bracket_position: int | None
    macro_depth: int
    macro_position: int | None
    occurrences: tuple[tuple[str, int, int], ...]
    macros: tuple[Macro, ...]


@dataclass(slots=True)
class _Token:
    kind: str
    text: str
    position: int


@dataclass(slots=True)
class _OpenMacro:
    kind: str
    depth: int
    position: int
    names: Counter[str]
    nested: int = 0


def _read_string(source: str, start: int, raw: bool) -> int:
    """Return the index just past the string literal whose quote is at `start`."""
    quote = source[start]
    delimiter = quote * 3 if source.startswith(quote * 3, start) else quote
    index = start + len(delimiter)
    while index < len(source):
        if not raw and source[index] == "\\":
            index += 2
            continue
        if source.startswith(delimiter, index):
            return index + len(delimiter)
        index += 1
    return len(source)


def _read_number(source: str, start: int) -> int:
    hexadecimal = source.startswith(("0x", "0X"), start)
    index = start
    while index < len(source):
        char = source[index]
        exponent_sign = char in "+-" and source[index - 1] in "eE" and not hexadecimal
        if not (char.isalnum() or char in "._" or exponent_sign):
            break
        index += 1
    return index


def tokenize(source: str) -> list[_Token]:
    """Split into identifiers, literals and single-character punctuation; drop comments."""
    tokens: list[_Token] = []
    index = 0
    length = len(source)
    while index < length:
        char = source[index]
        if char.isspace():
            index += 1
        elif source.startswith("//", index):
            newline = source.find("\n", index)
            index = length if newline < 0 else newline + 1
        elif char in "'\"":
            end = _read_string(source, index, raw=False)
            tokens.append(_Token("string", source[index:end], index))
            index = end
        elif char.isalpha() or char == "_":
            end = index + 1
            while end < length and (source[end].isalnum() or source[end] == "_"):
                end += 1
            word = source[index:end]
            if end < length and source[end] in "'\"" and word.lower() in _STRING_PREFIXES:
                stop = _read_string(source, end, raw="r" in word.lower())
                tokens.append(_Token("string", source[index:stop], index))
                index = stop
            else:
                tokens.append(_Token("ident", word, index))
                index = end
        elif char.isdigit():
            end = _read_number(source, index)
            tokens.append(_Token("number", source[index:end], index))
            index = end
        else:
            tokens.append(_Token("punct", char, index))
            index += 1
    return tokens


def _is_macro_call(tokens: list[_Token], index: int) -> bool:
    return (
        index >= 2
        and tokens[index - 1].kind == "ident"
        and tokens[index - 1].text in MACROS
        and tokens[index - 2].text == "."
    )


def _is_variable(tokens: list[_Token], index: int) -> bool:
    token = tokens[index]
    if token.kind != "ident" or token.text in KEYWORDS:
        return False
    if index > 0 and tokens[index - 1].text == ".":
        return False
    return not (index + 1 < len(tokens) and tokens[index + 1].text == "(")


def scan(source: str) -> Scan:
    """Measure bracket and macro nesting and where each name is read."""
    tokens = tokenize(source)
    stack: list[_OpenMacro | None] = []
    open_macros: list[_OpenMacro] = []
    closed: list[Macro] = []
    occurrences: Counter[tuple[str, int]] = Counter()
    bracket_depth = macro_depth = 0
    bracket_position: int | None = None
    macro_position: int | None = None
    for index, token in enumerate(tokens):
        if token.kind == "punct" and token.text in _OPENERS:
            frame = None
            if token.text == "(" and _is_macro_call(tokens, index):
                for outer in open_macros:
                    outer.nested += 1
                frame = _OpenMacro(
                    tokens[index - 1].text, len(open_macros), tokens[index - 1].position, Counter()
                )
                open_macros.append(frame)
                if len(open_macros) > macro_depth:
                    macro_depth = len(open_macros)
                    macro_position = frame.position
            stack.append(frame)
            if len(stack) > bracket_depth:
                bracket_depth = len(stack)
                bracket_position = token.position
        elif token.kind == "punct" and token.text in _CLOSERS:
            if stack and (frame := stack.pop()) is not None:
                open_macros.remove(frame)
                closed.append(
                    Macro(
                        frame.kind,
                        frame.depth,
                        tuple(frame.names.items()),
                        frame.nested,
                        frame.position,
                    )
                )
        elif _is_variable(tokens, index):
            occurrences[(token.text, len(open_macros))] += 1
            for frame in open_macros:
                frame.names[token.text] += 1
    return Scan(
        length=len(source),
        bracket_depth=bracket_depth,
        bracket_position=bracket_position,
        macro_depth=macro_depth,
        macro_position=macro_position,
        occurrences=tuple((name, depth, count) for (name, depth), count in occurrences.items()),
        macros=tuple(closed),
    )
