"""Rows read with hand-written SQL, converted as the ORM converts them.

A statement written once per process (only the models' own table and column
names in it, every value a parameter) costs no query building on each
request; its columns still come back as the ORM would give them (an aware
datetime, a bool, a UUID on SQLite), because each is passed through the
converters the ORM applies to that field.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator


def field_converters(alias: str, field, connection) -> tuple[Any, tuple]:
    """(the column's expression, the converters the ORM applies to
    ``field``'s value read from table alias ``alias``): on SQLite, a
    moment parsed and made aware, 0/1 made a bool; on PostgreSQL mostly
    none."""
    expression = field.get_col(alias)
    return expression, tuple(
        connection.ops.get_db_converters(expression)
        + expression.get_db_converters(connection)
    )


@dataclass(frozen=True)
class Columns:
    """Converters for a statement's columns: per column, its position in
    the row, the expression the converters expect and the converters."""

    converted: tuple[tuple[int, Any, tuple], ...]

    @classmethod
    def of(cls, fields: Sequence[tuple[str, Any]], connection, positions=None):
        """``fields``: (table alias, model field) per column; ``positions``:
        where each sits in the row (the columns in order, by default)."""
        positions = positions or range(len(fields))
        converted = []
        for position, (alias, field) in zip(positions, fields, strict=True):
            converted.append((position, *field_converters(alias, field, connection)))
        return cls(tuple(converted))

    def values(self, row, connection) -> list:
        """The converted values of this statement's columns in ``row``."""
        values = []
        for position, expression, converters in self.converted:
            value = row[position]
            if value is not None:
                for converter in converters:
                    value = converter(value, expression, connection)
            values.append(value)
        return values


@dataclass(frozen=True)
class Statement:
    """A statement written once per process and its columns' converters."""

    sql: str
    columns: Columns


def counted_page(
    connection,
    statement: Statement,
    sql: str,
    params,
    *,
    row,
    number: int,
    per_page: int,
) -> Page | None:
    """Page ``number`` (``per_page`` rows) of a list read by ``sql`` (of
    ``statement``), whose rows are ``statement``'s columns followed by the
    count of the whole list: each row made a ``row`` of the converted
    values, the count the paginator's. None when the page has no rows (past
    the end, or an empty list): the Paginator then decides as always."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    if not found:
        return None
    paginator = Paginator([], per_page)
    # Paginator.count is a cached property: this is its value.
    paginator.count = found[0][-1]
    rows = [row(*statement.columns.values(values, connection)) for values in found]
    return Page(rows, number, paginator)
