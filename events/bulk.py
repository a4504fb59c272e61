"""Setting a different value per row on many rows at once.

Django's ``bulk_update`` writes ``CASE WHEN pk=… THEN …`` for every row and
field, which the database evaluates for every row of the batch: the draw
over 100,000 applications spent ~9 ms per application there. One
``UPDATE … FROM (VALUES …)`` per batch joins the new values instead
(PostgreSQL, and SQLite since 3.33)."""

from django.db import connection, models

# SQLite accepts at most 32,766 parameters in one statement.
MAX_PARAMETERS = 30_000


def rows_update(
    model: type[models.Model],
    rows: list[models.Model],
    fields: list[str],
    *,
    also: dict | None = None,
    increment: tuple[str, ...] = (),
) -> None:
    """Write ``fields`` of each of ``rows`` (model instances) to the database,
    plus the constant column values in ``also`` (field name → value), and
    add one to each field in ``increment``, for each of them."""
    if not rows:
        return
    meta = model._meta
    table = connection.ops.quote_name(meta.db_table)
    pk = connection.ops.quote_name(meta.pk.column)
    columns = [meta.get_field(name) for name in fields]
    # PostgreSQL types VALUES columns from the first row, which may be NULL:
    # cast every value to its column's type. SQLite needs no cast (and a cast
    # to a type name it does not know would change the value's affinity).
    cast = connection.vendor == "postgresql"

    def slot(field) -> str:
        return f"CAST(%s AS {field.db_type(connection)})" if cast else "%s"

    row_sql = "(" + ", ".join([slot(meta.pk)] + [slot(f) for f in columns]) + ")"
    assignments = [
        f"{connection.ops.quote_name(f.column)} = v.column{i + 2}"
        for i, f in enumerate(columns)
    ]
    constants = []
    for name, value in (also or {}).items():
        field = meta.get_field(name)
        assignments.append(f"{connection.ops.quote_name(field.column)} = %s")
        constants.append(field.get_db_prep_save(value, connection))
    for name in increment:
        column = connection.ops.quote_name(meta.get_field(name).column)
        assignments.append(f"{column} = {table}.{column} + 1")
    size = (MAX_PARAMETERS - len(constants)) // (1 + len(columns))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            params = []
            for row in batch:
                params.append(row.pk)
                params.extend(
                    f.get_db_prep_save(getattr(row, f.attname), connection)
                    for f in columns
                )
            # Only quoted names and placeholders are interpolated; every value
            # travels as a parameter.
            sql = (
                f"UPDATE {table} SET {', '.join(assignments)} "  # noqa: S608
                f"FROM (VALUES {', '.join([row_sql] * len(batch))}) AS v "
                f"WHERE {table}.{pk} = v.column1"
            )
            # The SET clause's constants come before the VALUES rows.
            cursor.execute(sql, constants + params)
