"""Bulk insert into the module's own tables (letters, their lines and fees) for the nightly
run, which writes up to 100,000 rows.

``create()`` costs milliseconds per record (defaults, onchange-like computations), which is
minutes per run. :func:`bulk_create` writes the plain columns with COPY and then hands back to
the ORM: caches are invalidated and the stored fields that depend on what was written are
marked, so the ORM recomputes them (and runs their constraints) exactly as after ``create()``.

Odoo's own tables (invoices above all) are never written here: they go through ``write()``
(``account.move._dunning_write()``), so that tracking and other modules' overrides apply.
"""

import io

from odoo.tools import SQL

LOG_COLUMNS = ("create_uid", "create_date", "write_uid", "write_date")


def new_ids(model, count):
    """Draw ``count`` ids from the model's sequence, in one query."""
    model.env.cr.execute(
        SQL("SELECT nextval(%s) FROM generate_series(1, %s)", f"{model._table}_id_seq", count)
    )
    return [row[0] for row in model.env.cr.fetchall()]


def _escape(value):
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def _copy_converter(field):
    """How a value of ``field`` is written in PostgreSQL's COPY text format. Values come from
    the database or Python already typed; False means NULL, except in a boolean column."""
    if field.type == "boolean":
        return lambda value: "t" if value else "f"
    if field.type in ("char", "text", "html", "selection"):
        return lambda value: "\\N" if value is None or value is False else _escape(value)
    # numbers, ids, dates: 0 is a value, not NULL
    return lambda value: "\\N" if value is None or value is False else str(value)


def bulk_create(model, rows):
    """Insert ``rows`` (dicts of column values, same keys, ``id`` optional) with COPY, the
    fastest way into PostgreSQL, and return the new records in the same order."""
    if not model._name.startswith("dunning."):
        raise ValueError(f"bulk_create writes the module's own tables only, not {model._name}")
    if not rows:
        return model.browse()
    env = model.env
    if "id" not in rows[0]:
        for row, new_id in zip(rows, new_ids(model, len(rows)), strict=True):
            row["id"] = new_id
    columns = list(rows[0])
    converters = [_copy_converter(model._fields[c]) for c in columns]
    log_columns = LOG_COLUMNS if model._log_access else ()
    log = "".join(f"\t{value}" for value in (env.uid, env.cr.now(), env.uid, env.cr.now()))
    end = f"{log if log_columns else ''}\n"
    data = io.StringIO()
    for row in rows:
        data.write(
            "\t".join([convert(row[c]) for c, convert in zip(columns, converters, strict=True)])
        )
        data.write(end)
    data.seek(0)
    env.cr.copy_expert(
        SQL(
            "COPY %s (%s) FROM STDIN",
            SQL.identifier(model._table),
            SQL(", ").join(SQL.identifier(c) for c in (*columns, *log_columns)),
        ).code,
        data,
    )
    records = model.browse([row["id"] for row in rows])
    # Like create(): one2many caches of the parents are refreshed, stored computed fields not
    # given are computed, and their dependents are marked.
    for name in columns:
        field = model._fields[name]
        if field.type == "many2one":
            for inverse in model.pool.field_inverses[field]:
                env[inverse.model_name].invalidate_model([inverse.name])
    written = [c for c in columns if c != "id"]
    given = [model._fields[c] for c in written]
    with env.protecting(given, records):
        records.modified(written, create=True)
        for field in model._fields.values():
            if field.store and field.compute and field not in given:
                env.add_to_compute(field, records)
    return records
