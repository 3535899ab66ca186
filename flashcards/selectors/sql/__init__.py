"""A few helpers for the hand-written SQL of the study hot path, portable to SQLite and PostgreSQL.

Why hand-written SQL at all: the next-card request runs on every click of every studying
student.  Profiling it on the load benchmark's data (200 students, 1,000,000 reviews) showed
that PostgreSQL answered its three queries in about 4 ms, while building and compiling the
equivalent ORM expressions (nine correlated subqueries, a window over a join) took 12–15 ms of
Python per request.  The SQL below is fixed text; only the parameter lists vary.  Everything
else in the project stays on the ORM, and the hand-written queries are tested against the
ORM's rules (tests/flashcards/test_study_queue.py, tests/flashcards/test_study_sql.py).

The helpers exist because the two backends differ exactly where raw SQL bypasses Django:
parameters for `IN` lists, how datetimes are passed and returned, and how JSON comes back.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from django.db import connection, models
from django.db.models import Field
from django.utils import timezone
from django.utils.dateparse import parse_datetime

M = TypeVar("M", bound=models.Model)


def columns(fields: Sequence[Field]) -> list[str]:
    """The database columns of concrete `fields`, for writing a statement's column list."""
    return [str(field.column) for field in fields]


def fields(model: type[models.Model], names: Sequence[str]) -> list[Field]:
    """`model`'s concrete fields `names`, in the order given."""
    found = [model._meta.get_field(name) for name in names]
    assert all(isinstance(field, Field) for field in found), "concrete fields only"
    return [field for field in found if isinstance(field, Field)]


def column(model: type[models.Model], name: str) -> str:
    """The database column of `model`'s concrete field `name`."""
    field = model._meta.get_field(name)
    assert isinstance(field, Field), f"{name} is not a concrete field"
    return str(field.column)


def in_list(values: Sequence) -> tuple[str, list]:
    """Placeholders for `x IN (…)`; an empty list matches nothing (`IN (NULL)` is valid SQL)."""
    if not values:
        return "NULL", []
    return ", ".join(["%s"] * len(values)), list(values)


def db_datetime(value: datetime) -> Any:
    """A datetime as the backend stores it (SQLite: naive UTC text; PostgreSQL: as is)."""
    return connection.ops.adapt_datetimefield_value(value)


def py_datetime(value: Any) -> datetime | None:
    """A datetime read back from raw SQL: aggregates come back as text on SQLite, and SQLite's
    column converters return naive UTC values."""
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value


def py_json(value: Any) -> Any:
    """JSON read back from raw SQL: text on SQLite and, with Django's loaders, on PostgreSQL."""
    return json.loads(value) if isinstance(value, str) else value


def from_row(model: type[M], fields: Sequence[Field], values: Sequence) -> M:
    """A model instance from raw column values of `fields`, with the conversions the ORM would
    apply: SQLite returns booleans as integers, datetimes naive and JSON as text (NULL columns
    of a LEFT JOIN stay None).  Fields not given are deferred, as with `.only()`."""
    loaded = {}
    for field, value in zip(fields, values, strict=True):
        kind = field.get_internal_type()
        if kind == "DateTimeField":
            value = py_datetime(value)
        elif kind == "BooleanField" and value is not None:
            value = bool(value)
        elif kind == "JSONField":
            value = py_json(value)
        loaded[field.attname] = value
    names = [f.attname for f in model._meta.concrete_fields if f.attname in loaded]
    return model.from_db("default", names, [loaded[name] for name in names])


def fetch_one(sql: str, params: Sequence) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        row = cursor.fetchone()
    return dict(zip(names, row, strict=True))


def fetch_all(sql: str, params: Sequence) -> tuple[list[str], list[tuple]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return names, cursor.fetchall()
