"""Dagster resource config fields taken from the pure settings dataclasses, so that each setting (its
name, type and default) is declared once, in the plain module that uses it.

``with_fields(Base, Settings)`` makes a ``Base`` subclass whose pydantic fields are the dataclass
fields of ``Settings`` (tuples become lists, the config system's sequence), and ``values(resource,
Settings)`` gives them back as the dataclass's keyword arguments.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any

from pydantic import create_model


def _config_type(tp: Any) -> Any:
    if typing.get_origin(tp) is tuple:
        return list[typing.get_args(tp)[0]]
    if isinstance(tp, types.UnionType):
        return typing.Union[tuple(_config_type(a) for a in typing.get_args(tp))]  # noqa: UP007
    return tp


def _is_tuple(tp: Any) -> bool:
    """``tuple[...]``, or ``tuple[...] | None``."""
    return typing.get_origin(tp) is tuple or any(typing.get_origin(a) is tuple for a in typing.get_args(tp))


def _default(field: dataclasses.Field) -> Any:
    value = field.default if field.default is not dataclasses.MISSING else field.default_factory()
    return list(value) if isinstance(value, tuple) else value


def config_fields(settings: type, exclude: tuple[str, ...] = ()) -> dict[str, tuple[Any, Any]]:
    hints = typing.get_type_hints(settings)
    return {
        f.name: (_config_type(hints[f.name]), _default(f))
        for f in dataclasses.fields(settings)
        if f.name not in exclude
    }


def with_fields(base: type, *settings: type, exclude: tuple[str, ...] = ()) -> type:
    """``base`` with the fields of each ``settings`` dataclass (but ``exclude``) as config fields."""
    fields: dict[str, tuple[Any, Any]] = {}
    for cls in settings:
        fields |= config_fields(cls, exclude)
    return create_model(
        base.__name__, __base__=base, __module__=base.__module__, __doc__=base.__doc__, **fields
    )


def values(resource: object, settings: type, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """The keyword arguments of ``settings`` held by ``resource`` (lists back to tuples where declared)."""
    hints = typing.get_type_hints(settings)
    out = {}
    for f in dataclasses.fields(settings):
        if f.name in exclude:
            continue
        value = getattr(resource, f.name)
        out[f.name] = tuple(value) if isinstance(value, list) and _is_tuple(hints[f.name]) else value
    return out
