"""Worst-case work of one evaluation, estimated before it runs (CEL here has no budget).

From the expression's shape (`celscan.Scan`) and the sizes of the variables it reads:
any collection it can iterate is at most `n` = its length plus the elements of every variable
occurrence; `map`/`filter` cost n² times their body (this package appends by copying),
`all`/`exists` n times their body, and a macro nested d deep runs n^d times. Characters are
estimated the same way for concatenation. Deliberately pessimistic: a refused expression can be
split over several `assign` steps, an accepted one must not hang a worker.
"""

from __future__ import annotations

from collections.abc import Callable

from runtime.engine.celscan import Scan

_QUADRATIC = frozenset({"map", "filter"})

SizeOf = Callable[[str], tuple[int, int] | None]


def estimate(scan: Scan, size_of: SizeOf) -> tuple[int, int]:
    """Return (element operations, characters) one evaluation may need at most."""
    reach = scan.length
    chars_by_depth: dict[int, int] = {}
    for name, depth, count in scan.occurrences:
        size = size_of(name)
        items, chars = size if size is not None else (1, 0)
        reach += count * items
        chars_by_depth[depth] = chars_by_depth.get(depth, 0) + count * chars
    chars = scan.length + sum(total * reach**depth for depth, total in chars_by_depth.items())
    if not scan.macros:
        return reach, chars
    cost = reach
    for macro in scan.macros:
        body = 1 + macro.nested * reach
        for name, count in macro.body_names:
            size = size_of(name)
            body += count * (size[0] if size is not None else 1)
        width = reach * reach if macro.kind in _QUADRATIC else reach
        cost += width * body * reach**macro.depth
    return cost, chars
