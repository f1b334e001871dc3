"""What makes a customer invoice open, and dunnable: the one rule read by the models, the run,
the worklist, the payment status and the open credits, so that they never disagree about which
invoices a customer owes."""

from odoo.fields import Domain
from odoo.tools import SQL

# Odoo's payment states of an invoice that still has something to pay.
OPEN_PAYMENT_STATES = ("not_paid", "partial")

# The invoice columns every receivables view reads (customer, company, kind, dates): the start
# of the ``account.move`` entry of their ``_depends``.
INVOICE_COLUMNS = (
    "commercial_partner_id",
    "company_id",
    "state",
    "move_type",
    "invoice_date",
    "invoice_date_due",
)


def open_invoice_domain():
    """Posted customer invoices with something left to pay."""
    return (
        Domain("move_type", "=", "out_invoice")
        & Domain("state", "=", "posted")
        & Domain("payment_state", "in", OPEN_PAYMENT_STATES)
        & Domain("amount_residual", ">", 0)
    )


def open_invoice_sql(move="m"):
    """:func:`open_invoice_domain` as a condition on the ``account_move`` row aliased ``move``,
    tested on the row's own columns (no join, no subquery: the run and the worklist scan
    100,000 invoices with it)."""
    return SQL(
        "%s = 'out_invoice' AND %s = 'posted' AND %s IN %s AND %s > 0",
        SQL.identifier(move, "move_type"),
        SQL.identifier(move, "state"),
        SQL.identifier(move, "payment_state"),
        OPEN_PAYMENT_STATES,
        SQL.identifier(move, "amount_residual"),
    )


def dunnable_invoice_sql(before, move="m", partner="p", net="n"):
    """An open invoice due before ``before`` that dunning may chase: neither it nor its
    customer (the ``res_partner`` row ``partner``) is excluded, it is not handed over to
    court, and the customer's open credits (the row ``net`` of
    :func:`~.open_credit.invoice_net_sql`, NULL when none) leave something of it."""
    return SQL(
        "%s AND %s < %s AND %s IS NOT TRUE AND %s IS NOT TRUE AND %s IS NOT TRUE"
        " AND COALESCE(%s, %s) > 0",
        open_invoice_sql(move),
        SQL.identifier(move, "invoice_date_due"),
        before,
        SQL.identifier(move, "dunning_excluded"),
        SQL.identifier(move, "dunning_judicial"),
        SQL.identifier(partner, "dunning_excluded"),
        SQL.identifier(net, "net"),
        SQL.identifier(move, "amount_residual"),
    )
