"""References drawn from an ``ir.sequence`` in bulk.

``ir.sequence.next_by_code()`` costs a query or two per reference; the nightly run numbers
tens of thousands of letters at once. :func:`next_references` draws ``count`` numbers in one
query and formats them as ``ir.sequence`` does (prefix, padding, suffix, for the given date).
"""

from odoo import fields
from odoo.tools import SQL


def company_sequence(env, code, company):
    """The sequence ``next_by_code()`` would use for ``company``: the company's own, else the
    one shared by all companies (``company_id`` empty)."""
    return (
        env["ir.sequence"]
        .sudo()
        .search(
            [("code", "=", code), ("company_id", "in", [company.id, False])],
            order="company_id",
            limit=1,
        )
    )


def _numbers(target, count):
    """``count`` numbers from ``target`` (an ir.sequence or ir.sequence.date_range), in one
    query, as its ``_next()`` would give them one by one."""
    cr = target.env.cr
    sequence = target if target._name == "ir.sequence" else target.sequence_id
    if sequence.implementation == "standard":
        # PostgreSQL's sequence, whose INCREMENT BY is the sequence's increment
        name = (
            f"ir_sequence_{sequence.id:03d}"
            if target is sequence
            else f"ir_sequence_{sequence.id:03d}_{target.id:03d}"
        )
        cr.execute(SQL("SELECT nextval(%s) FROM generate_series(1, %s)", name, count))
        return [row[0] for row in cr.fetchall()]
    # no gap: the row is locked and moved by the whole block, as _update_nogap() does by one
    step = sequence.number_increment
    target.flush_recordset(["number_next"])
    cr.execute(
        SQL(
            "UPDATE %s SET number_next = number_next + %s WHERE id = %s RETURNING number_next",
            SQL.identifier(target._table),
            step * count,
            target.id,
        )
    )
    first = cr.fetchone()[0] - step * count
    target.invalidate_recordset(["number_next"])
    return [first + step * i for i in range(count)]


def next_references(sequence, count, on_date):
    """``count`` consecutive references of ``sequence`` for a document dated ``on_date``
    (``%(year)s`` in the prefix is the year of ``on_date``), in one query."""
    if count <= 0:
        return []
    sequence = sequence.with_context(ir_sequence_date=fields.Date.to_string(on_date))
    target = sequence
    if sequence.use_date_range:
        day = fields.Date.to_date(on_date)
        target = sequence.env["ir.sequence.date_range"].search(
            [("sequence_id", "=", sequence.id), ("date_from", "<=", day), ("date_to", ">=", day)],
            limit=1,
        ) or sequence._create_date_range_seq(day)
        sequence = sequence.with_context(ir_sequence_date_range=target.date_from)
    prefix, suffix = sequence._get_prefix_suffix()
    return [f"{prefix}{number:0{sequence.padding}d}{suffix}" for number in _numbers(target, count)]
