"""What the fuzz tests of parsers and decoders share: a bounded, total call.

A parser is total when whatever it is given it answers or raises one of the
integration's own errors (CameraBridgeError), within a generous time bound
that catches runaway work, not a benchmark.

The number of examples comes from the hypothesis profile (tests/conftest.py:
"ci" by default, ``HYPOTHESIS_PROFILE=long`` for long local runs).
"""

from __future__ import annotations

from collections.abc import Callable
import encodings
import encodings.aliases
import pkgutil
import time
from typing import Any

from custom_components.camera_bridge.api import CameraBridgeError

TIME_BOUND = 2.0  # seconds per call

# Every codec name Python knows: the aliases and the modules of ``encodings``
CODEC_NAMES = sorted(
    set(encodings.aliases.aliases)
    | set(encodings.aliases.aliases.values())
    | {m.name for m in pkgutil.iter_modules(encodings.__path__) if m.name != "aliases"}
)
WIDE = ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"]
# punycode reads what follows the last "-" as digits: this makes it insert a
# character per two digits, quadratic in the length
PUNYCODE_TRAP = "-" + "ba" * 10_000


def total[T](parse: Callable[[T], Any], data: T) -> Any:
    """``parse(data)``: its result, or None when it raised CameraBridgeError.

    Any other exception fails the test; so does a call slower than the bound.
    """
    start = time.perf_counter()
    try:
        return parse(data)
    except CameraBridgeError:
        return None
    finally:
        assert time.perf_counter() - start < TIME_BOUND
