"""Where a configuration value came from: the file, or a COMFORT_HUB_* environment variable.

An error names where the user wrote the value: a bad value set in the environment, blamed on
the file, sends them looking in a file that is right.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

ENV_PREFIX = "COMFORT_HUB_"
# How a nested field is spelt in one variable: COMFORT_HUB_WEB__PORT is [web] port.
NESTED_DELIMITER = "__"
# pydantic-settings' words for a variable it could not parse (a list or table not in JSON).
_UNPARSED = re.compile(r'error parsing value for field "(?P<field>[^"]+)" from source "Env')


def env_variable(location: Sequence[str | int]) -> str | None:
    """The variable, as the user spelt it, that set the value at ``location`` (a field's
    path, ``("web", "port")``): the variable for it, or the one for a table holding it
    (``COMFORT_HUB_WEB='{"port": 1}'``); None when the value came from the file."""
    # Variable names are matched whatever their case, as pydantic-settings reads them.
    present = {name.upper(): name for name in os.environ}
    for depth in range(len(location), 0, -1):
        wanted = ENV_PREFIX + NESTED_DELIMITER.join(str(part) for part in location[:depth])
        if (name := present.get(wanted.upper())) is not None:
            return name
    return None


def source_of(path: Path, field: str) -> str:
    """``path: field``, or ``environment variable NAME`` when the value of ``field`` (dotted,
    ``web.port``) was set there."""
    name = env_variable(field.split(".")) if field else None
    return f"{path}: {field}" if name is None else f"environment variable {name}"


def unparsed_variable(message: str) -> str | None:
    """The variable named in pydantic-settings' "error parsing value" message, or None."""
    found = _UNPARSED.match(message)
    if found is None:
        return None
    return env_variable([found["field"]]) or ENV_PREFIX + found["field"].upper()


def describe_problems(path: Path, problems: Sequence[tuple[str, str]]) -> str:
    """``(field, what is wrong)`` pairs as one line: ``file: field: what; field: what``, and
    ``environment variable NAME: what`` for each value set in the environment."""
    in_file: list[str] = []
    in_environment: list[str] = []
    for field, what in problems:
        name = env_variable(field.split(".")) if field else None
        if name is None:
            in_file.append(f"{field or '(file)'}: {what}")
        else:
            in_environment.append(f"environment variable {name}: {what}")
    if in_file:
        in_environment.insert(0, f"{path}: " + "; ".join(in_file))
    return "; ".join(in_environment)
