"""Bulk insert and update for the nightly run, which touches up to 100,000 invoices.

``create()`` and ``account.move.write()`` cost milliseconds per record (defaults, onchange-like
computations, and for invoices the re-synchronisation of their accounting lines), which is
minutes per run. These helpers write the plain columns in one statement and then hand back to
the ORM: caches are invalidated and the stored fields that depend on what was written are
marked, so the ORM recomputes them (and runs their constraints) exactly as after ``create()``.
"""

from odoo.tools import SQL

LOG_COLUMNS = ("create_uid", "create_date", "write_uid", "write_date")


def bulk_create(model, rows):
    """Insert ``rows`` (dicts of column values, same keys) and return the new records."""
    if not rows:
        return model.browse()
    env = model.env
    columns = list(rows[0])
    now = env.cr.now()
    # Values come from the database or Python already typed; only False means NULL.
    nullable = [model._fields[c].type != "boolean" for c in columns]
    values = [
        tuple(
            None if row[c] is False and null else row[c]
            for c, null in zip(columns, nullable, strict=True)
        )
        + (env.uid, now, env.uid, now)
        for row in rows
    ]
    env.cr.execute(
        SQL(
            "INSERT INTO %s (%s) VALUES %s RETURNING id",
            SQL.identifier(model._table),
            SQL(", ").join(SQL.identifier(c) for c in (*columns, *LOG_COLUMNS)),
            SQL(", ").join(values),
        )
    )
    records = model.browse([row[0] for row in env.cr.fetchall()])
    # Like create(): one2many caches of the parents are refreshed, stored computed fields not
    # given are computed, and their dependents are marked.
    for name in columns:
        field = model._fields[name]
        if field.type == "many2one":
            for inverse in model.pool.field_inverses[field]:
                env[inverse.model_name].invalidate_model([inverse.name])
    given = [model._fields[c] for c in columns]
    with env.protecting(given, records):
        records.modified(columns, create=True)
        for field in model._fields.values():
            if field.store and field.compute and field not in given:
                env.add_to_compute(field, records)
    return records


def bulk_write(records, vals):
    """Write the same plain column values on all ``records`` in one statement."""
    if not records or not vals:
        return
    env = records.env
    records.flush_recordset(list(vals))
    env.cr.execute(
        SQL(
            "UPDATE %s SET %s, write_uid = %s, write_date = %s WHERE id IN %s",
            SQL.identifier(records._table),
            SQL(", ").join(
                SQL(
                    "%s = %s",
                    SQL.identifier(name),
                    records._fields[name].convert_to_column(value, records),
                )
                for name, value in vals.items()
            ),
            env.uid,
            env.cr.now(),
            tuple(records.ids),
        )
    )
    records.invalidate_recordset([*vals, "write_uid", "write_date"])
    records.modified(list(vals))
