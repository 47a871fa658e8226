"""Ring sizes: one inner circumference, four sizing systems.

A size is stored as the system and label the adviser measured, plus its
inner circumference in millimetres; conversions are computed from the
circumference, never typed twice.

- EU/FR: the circumference in millimetres (40 to 76, whole or half sizes).
- US: diameter = 11.63 mm + 0.8128 mm per size (1 to 16, quarter sizes).
- UK: letters A to Z with half sizes ("N½" or "N 1/2"); A is 37.8 mm and
  each letter adds 1.23 mm (A to Z spans 37.8 to 68.55 mm).
- JP: 1 to 30, whole sizes; size n is 40 + n mm (JP 9 is 49 mm).

These are the usual jeweller's tables; a real measurement is what counts.
"""

import math
import re
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class SizingSystem(StrEnum):
    EU = "EU"
    US = "US"
    UK = "UK"
    JP = "JP"


class RingSizeError(ValueError):
    pass


_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_UK_BASE_MM = 37.8
_UK_STEP_MM = 1.23
_US_BASE_DIAMETER = 11.63
_US_STEP_DIAMETER = 0.8128
_JP_OFFSET_MM = 40

RANGES = {
    SizingSystem.EU: (40.0, 76.0, 0.5),
    SizingSystem.US: (1.0, 16.0, 0.25),
    SizingSystem.JP: (1.0, 30.0, 1.0),
}


def _number(label: str) -> float:
    try:
        return float(label.replace(",", "."))
    except ValueError:
        raise RingSizeError(
            _("%(label)s is not a number.") % {"label": repr(label)}
        ) from None


def _uk_index(label: str) -> float:
    """UK label to its position: A is 0, A½ is 0.5, B is 1, ..."""
    match = re.fullmatch(r"\s*([A-Za-z])\s*(½|1/2|\.5)?\s*", label)
    if not match:
        raise RingSizeError(
            _("%(label)s is not a UK size: use a letter A to Z, optionally with ½.")
            % {"label": repr(label)}
        )
    index = _LETTERS.index(match.group(1).upper()) + (0.5 if match.group(2) else 0)
    if index > len(_LETTERS) - 1:
        raise RingSizeError(_("UK sizes stop at Z."))
    return index


def _on_step(value: float, step: float) -> bool:
    return math.isclose(value / step, round(value / step), abs_tol=1e-9)


def circumference_mm(system: SizingSystem | str, label: str) -> float:
    """Inner circumference in mm of a size; RingSizeError if out of range."""
    system = SizingSystem(system)
    if system is SizingSystem.UK:
        return _UK_BASE_MM + _uk_index(label) * _UK_STEP_MM
    value = _number(label)
    low, high, step = RANGES[system]
    if not low <= value <= high:
        raise RingSizeError(
            _("%(label)s is outside the %(system)s range %(fmt)s to %(fmt2)s.")
            % {"label": label, "system": system, "fmt": _fmt(low), "fmt2": _fmt(high)}
        )
    if not _on_step(value, step):
        raise RingSizeError(
            _("%(system)s sizes go in steps of %(fmt)s.")
            % {"system": system, "fmt": _fmt(step)}
        )
    if system is SizingSystem.EU:
        return value
    if system is SizingSystem.US:
        return math.pi * (_US_BASE_DIAMETER + _US_STEP_DIAMETER * value)
    return _JP_OFFSET_MM + value


def _fmt(value: float) -> str:
    return f"{value:g}"


def _clamp(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


def size_label(system: SizingSystem | str, circumference: float) -> str:
    """The nearest size in a system for a circumference (clamped to range)."""
    system = SizingSystem(system)
    if system is SizingSystem.UK:
        index = round((circumference - _UK_BASE_MM) / _UK_STEP_MM * 2) / 2
        index = _clamp(index, 0, len(_LETTERS) - 1)
        letter = _LETTERS[int(index)]
        return letter + ("½" if index % 1 else "")
    low, high, step = RANGES[system]
    if system is SizingSystem.EU:
        raw = circumference
    elif system is SizingSystem.US:
        raw = (circumference / math.pi - _US_BASE_DIAMETER) / _US_STEP_DIAMETER
    else:
        raw = circumference - _JP_OFFSET_MM
    value = _clamp(round(raw / step) * step, low, high)
    return _fmt(value)


OUT_OF_RANGE = "—"


def _bounds_mm(system: SizingSystem) -> tuple[float, float, float]:
    """Smallest and largest circumference of a system, and its step, in mm."""
    if system is SizingSystem.UK:
        return _UK_BASE_MM, _UK_BASE_MM + 25 * _UK_STEP_MM, _UK_STEP_MM / 2
    low, high, step = RANGES[system]
    if system is SizingSystem.US:
        return (
            circumference_mm(system, _fmt(low)),
            circumference_mm(system, _fmt(high)),
            math.pi * _US_STEP_DIAMETER * step,
        )
    return (
        circumference_mm(system, _fmt(low)),
        circumference_mm(system, _fmt(high)),
        step,
    )


def in_range(system: SizingSystem | str, circumference: float) -> bool:
    """Whether a system has a size within half a step of a circumference."""
    low, high, step = _bounds_mm(SizingSystem(system))
    return low - step / 2 <= circumference <= high + step / 2


def convert(system: SizingSystem | str, label: str) -> dict[str, str]:
    """The size in every system, from one measured size.

    A system with no size that close shows OUT_OF_RANGE rather than its
    smallest or largest size.
    """
    mm = circumference_mm(system, label)
    return {
        other.value: size_label(other, mm) if in_range(other, mm) else OUT_OF_RANGE
        for other in SizingSystem
    }


def as_decimal_mm(circumference: float) -> Decimal:
    return Decimal(str(circumference)).quantize(Decimal("0.01"), ROUND_HALF_UP)
