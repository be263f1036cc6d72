"""Reads 3-axis acceleration from a CSV file, with errors that point at the bad cell."""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

_AXIS_NAMES = ("x", "y", "z")


class AccelCsvError(ValueError):
    """A CSV file that cannot be read as acceleration; says where (file, line, column)."""

    def __init__(
        self, path: Path, message: str, *, line: int | None = None, column: str | None = None
    ) -> None:
        where = str(path)
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column {column}"
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line
        self.column = column


@dataclass(frozen=True, slots=True)
class AccelTable:
    """The three chosen columns, as read (no unit conversion), one row per sample."""

    samples: npt.NDArray[np.float64]
    columns: tuple[str, str, str]


def read_accel_csv(
    path: Path, *, columns: Sequence[str] | None = None, skip_rows: int = 0
) -> AccelTable:
    """Reads ``path``: comma, semicolon or tab separated, with or without a header row.

    ``columns`` names three columns by header name or by number counting from 1; without
    it, columns named x, y and z are used, or else the last three columns.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise AccelCsvError(path, f"cannot read the file ({error.strerror})") from None
    except UnicodeDecodeError as error:
        raise AccelCsvError(path, f"not a text file (byte {error.start} is not UTF-8)") from None
    lines = text.splitlines()
    numbered = [(n, line) for n, line in enumerate(lines, start=1) if n > skip_rows]
    numbered = [(n, line) for n, line in numbered if line.strip()]
    if not numbered:
        raise AccelCsvError(path, "holds no rows of samples")
    delimiter = _delimiter(numbered[0][1])
    rows = [(n, row) for (n, _), row in zip(numbered, _split(numbered, delimiter), strict=True)]
    header: list[str] | None = None
    first_line, first_row = rows[0]
    if not all(_is_number(cell) for cell in first_row):
        header = [cell.strip() for cell in first_row]
        rows = rows[1:]
    width = len(header) if header is not None else len(first_row)
    indices = _choose_columns(path, columns, header, width, first_line)
    labels = tuple(_label(i, header) for i in indices)
    samples = np.empty((len(rows), 3))
    for row_number, (line, row) in enumerate(rows):
        if len(row) != width:
            raise AccelCsvError(
                path, f"has {len(row)} fields where the file has {width}", line=line
            )
        for axis, index in enumerate(indices):
            samples[row_number, axis] = _number(path, row[index], line, labels[axis])
    if len(samples) == 0:
        raise AccelCsvError(path, "holds a header but no samples")
    return AccelTable(samples, (labels[0], labels[1], labels[2]))


def _delimiter(line: str) -> str:
    for candidate in (";", "\t", ","):
        if candidate in line:
            return candidate
    return ","


def _split(numbered: list[tuple[int, str]], delimiter: str) -> list[list[str]]:
    return list(csv.reader((line for _, line in numbered), delimiter=delimiter))


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _number(path: Path, cell: str, line: int, column: str) -> float:
    try:
        value = float(cell)
    except ValueError:
        raise AccelCsvError(
            path, f"{cell.strip()!r} is not a number", line=line, column=column
        ) from None
    if not math.isfinite(value):
        raise AccelCsvError(
            path, f"{cell.strip()!r} is not a finite number", line=line, column=column
        )
    return value


def _label(index: int, header: list[str] | None) -> str:
    if header is not None and header[index]:
        return f"{index + 1} ({header[index]})"
    return str(index + 1)


def _choose_columns(
    path: Path,
    columns: Sequence[str] | None,
    header: list[str] | None,
    width: int,
    first_line: int,
) -> list[int]:
    if columns is None:
        if header is not None:
            lowered = [name.lower() for name in header]
            if all(axis in lowered for axis in _AXIS_NAMES):
                return [lowered.index(axis) for axis in _AXIS_NAMES]
        if width < 3:
            raise AccelCsvError(
                path, f"has {width} column(s); acceleration needs three", line=first_line
            )
        return [width - 3, width - 2, width - 1]
    if len(columns) != 3:
        raise AccelCsvError(
            path, f"--columns needs three columns (x,y,z), got {len(columns)}: {list(columns)}"
        )
    return [_column_index(path, name.strip(), header, width) for name in columns]


def _column_index(path: Path, name: str, header: list[str] | None, width: int) -> int:
    if header is not None and name in header:
        return header.index(name)
    if name.isdigit():
        number = int(name)
        if 1 <= number <= width:
            return number - 1
        raise AccelCsvError(
            path, f"column {number} does not exist: the file has {width} (counting from 1)"
        )
    known = f"; its header has {', '.join(header)}" if header else " and has no header row"
    raise AccelCsvError(path, f"no column named {name!r}{known}")
