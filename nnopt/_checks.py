"""The one validator of numeric arguments: every error names the argument, what it must be, and an example."""

from __future__ import annotations

import math

import numpy as np

__all__ = ["check_number"]

_REAL = (int, float, np.integer, np.floating)
_INTEGER = (int, np.integer)


def check_number(name: str, value, *, example, gt=None, ge=None, lt=None, le=None, integer: bool = False,
                 optional: bool = False):
    """``value`` as a Python float (``integer``: int) after checking its type and range.

    Accepts Python and NumPy numbers (``np.float32(0.9)``, ``np.int64(3)``), never ``bool`` or strings.
    ``gt``/``ge``/``lt``/``le`` bound the value; ``optional`` lets ``None`` through. Raises ``TypeError`` for a
    wrong type and ``ValueError`` for a value out of range (or not finite), naming ``name`` and showing
    ``name=example`` as the fix.
    """
    if value is None and optional:
        return None
    parts = [f"{op} {bound:g}" for op, bound in ((">", gt), (">=", ge), ("<", lt), ("<=", le)) if bound is not None]
    what = ("an integer" if integer else "a finite number") + (" " + " and ".join(parts) if parts else "")
    fix = f"; pass e.g. {name}={example!r}" + (" (or None)" if optional else "")
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, _INTEGER if integer else _REAL):
        got = f"{value!r} ({type(value).__name__})"
        raise TypeError(f"{name} must be {what}, got {got}{fix}")
    number = int(value) if integer else float(value)
    if not math.isfinite(number) or (gt is not None and not number > gt) or (ge is not None and not number >= ge) \
            or (lt is not None and not number < lt) or (le is not None and not number <= le):
        raise ValueError(f"{name} must be {what}, got {value!r}{fix}")
    return number
