"""Acceleration units, converted to g at the edge so the detector only ever sees g."""

from __future__ import annotations

from enum import StrEnum

import numpy as np
import numpy.typing as npt

STANDARD_GRAVITY_MPS2 = 9.80665


class AccelUnit(StrEnum):
    """The units acceleration arrives in: g, milli-g, or metres per second squared."""

    G = "g"
    MILLI_G = "mg"
    METRES_PER_S2 = "mps2"

    @property
    def per_g(self) -> float:
        """How many of this unit make one g."""
        return _PER_G[self]


_PER_G = {
    AccelUnit.G: 1.0,
    AccelUnit.MILLI_G: 1000.0,
    AccelUnit.METRES_PER_S2: STANDARD_GRAVITY_MPS2,
}


def parse_unit(unit: AccelUnit | str) -> AccelUnit:
    """``unit`` as an :class:`AccelUnit`; raises ValueError naming an unknown unit."""
    try:
        return AccelUnit(unit)
    except ValueError:
        known = ", ".join(u.value for u in AccelUnit)
        raise ValueError(f"unknown acceleration unit {unit!r}; use one of {known}") from None


def to_g(values: npt.ArrayLike, unit: AccelUnit | str) -> npt.NDArray[np.float64]:
    """``values`` in ``unit`` as float64 g. Raises ValueError naming an unknown unit."""
    return np.asarray(values, dtype=np.float64) / parse_unit(unit).per_g
