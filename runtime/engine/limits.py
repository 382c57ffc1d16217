"""Sandbox bounds, in one place.

The CEL package evaluates in Rust with no cost budget and cannot be interrupted, so every bound
has to hold *before* an expression runs: expressions are short and shallow (checked on the
source text), values that variables may hold are capped after every write (so the inputs of any
evaluation are bounded), and each evaluation's worst-case work is estimated from those sizes and
refused when it is too large. The numbers were calibrated on this package (0.10): `map`/`filter`
build their result in time quadratic in its length, about 30-50 ns per unit below.
"""

from __future__ import annotations

MAX_EXPRESSION_LENGTH = 2_000
"""Characters in one expression: keeps parsing and the additive size of literals small."""

MAX_MACRO_NESTING = 2
"""Nested comprehension macros (map/filter/all/exists/exists_one): work grows as size^depth."""

MAX_BRACKET_NESTING = 32
"""Nested (, [ and {: the Rust parser recurses on them."""

MAX_STRING_LENGTH = 100_000
"""Characters in any one string a variable or output holds."""

MAX_COLLECTION_ITEMS = 10_000
"""Elements (list items, map keys and values, counted through nesting) in one value."""

MAX_VARIABLES_SIZE = 2_000_000
"""All variables together, in elements plus characters: bounds what an expression can see."""

MAX_EVALUATION_COST = 20_000_000
"""Estimated element operations of one evaluation (see `cost.py`). The largest workloads it
accepts run in at most ~0.3 s here (`test_largest_accepted_workload_finishes_within_a_second`)."""

MAX_EVALUATION_CHARS = 20_000_000
"""Estimated characters one evaluation may build by concatenation."""

MAX_NODES = 1_000
"""Nodes in one flow document: keeps validation and compilation cheap."""

MAX_EDGES = 5_000
"""Edges in one flow document."""

MAX_DELAY_S = 300.0
"""Default bound on a `delay` node when the caller does not give one."""

MAX_RETRY_ATTEMPTS = 10
"""Attempts one node may make: retries hold a worker while they back off."""

MAX_BACKOFF_S = 300.0
"""Longest single back-off sleep between attempts."""

MAX_CALL_DEPTH = 16
"""Call chains followed when looking for recursion between flows."""

MAX_REDIRECTS = 5
"""HTTP redirects an `http` node follows, re-checking each target."""

MAX_HTTP_TIMEOUT_S = 120.0
"""Longest timeout an `http` node may ask for."""
