"""What a customer still owes: the one rule shared by the run, the send-time re-check, the
call worklist (and the call-centre export through it) and the payment status.

A customer owes its open posted invoices minus every credit still open on its receivable
accounts in the company, whatever its origin: a payment registered without an invoice, an
advance or an overpayment, a credit note, a bank line booked to the receivable, a reversed
refund. The credits lower the invoice with the oldest due date first, the way Odoo matches
them: first the credits in the invoice's own currency (so that a payment in dollars settles
an invoice in dollars exactly), then what is left of the others in the company currency, at
the rates they and the invoices were booked at.

Everything is SQL, computed once for a batch of customers, never once per customer.
"""

from odoo.tools import SQL

from .open_invoice import open_invoice_sql


def flush_credits(env):
    """Write pending changes of what the queries below read."""
    env["account.move.line"].flush_model(
        [
            "account_id",
            "partner_id",
            "company_id",
            "currency_id",
            "move_id",
            "parent_state",
            "reconciled",
            "amount_residual",
            "amount_residual_currency",
        ]
    )
    env["account.move"].flush_model(
        [
            "commercial_partner_id",
            "company_id",
            "currency_id",
            "move_type",
            "state",
            "payment_state",
            "invoice_date_due",
            "amount_residual",
            "amount_residual_signed",
        ]
    )
    env["res.partner"].flush_model(["commercial_partner_id"])


def credit_lines_sql(company_id, partner_ids=None):
    """One row per open credit on a customer's receivable in the company:
    ``partner_id`` (commercial partner), ``move_id``, ``currency_id``, ``amount`` (company
    currency) and ``amount_currency``, both positive."""
    conditions = [
        SQL("l.company_id = %s", company_id),
        SQL("a.account_type = 'asset_receivable'"),
        SQL("l.parent_state = 'posted'"),
        SQL("l.reconciled IS NOT TRUE"),
        SQL("l.amount_residual < 0"),
    ]
    if partner_ids is not None:
        conditions.append(SQL("rp.commercial_partner_id IN %s", tuple(partner_ids) or (0,)))
    return SQL(
        """
        SELECT rp.commercial_partner_id AS partner_id, l.move_id, l.currency_id,
               -l.amount_residual AS amount, -l.amount_residual_currency AS amount_currency
          FROM account_move_line l
          JOIN account_account a ON a.id = l.account_id
          JOIN res_partner rp ON rp.id = l.partner_id
         WHERE %s
        """,
        SQL(" AND ").join(conditions),
    )


def open_credits_sql(company_id, partner_ids=None):
    """The open credits of each customer in the company currency: ``partner_id``,
    ``amount``, ``move_ids`` (the entries that carry them)."""
    return SQL(
        """
        SELECT cl.partner_id, SUM(cl.amount) AS amount, ARRAY_AGG(DISTINCT cl.move_id) AS move_ids
          FROM (%s) cl
         GROUP BY cl.partner_id
        """,
        credit_lines_sql(company_id, partner_ids),
    )


def invoice_net_sql(company, partner_ids=None):
    """The open invoices of the customers that hold a credit, with what the credits leave of
    each: ``id``, ``partner_id``, ``credit`` (deducted, invoice currency), ``net`` (what is
    still owed, invoice currency) and ``net_signed`` (the same in company currency).

    Invoices of customers without any credit are not in it: join it with ``LEFT JOIN`` and
    read ``COALESCE(n.net, m.amount_residual)``.
    """
    return SQL(
        """
        WITH cr AS (
            SELECT cl.partner_id, cl.currency_id, SUM(cl.amount) AS amount,
                   SUM(cl.amount_currency) AS amount_currency
              FROM (%(lines)s) cl
             GROUP BY cl.partner_id, cl.currency_id
        ), inv AS (
            SELECT m.id, m.commercial_partner_id AS partner_id, m.currency_id,
                   m.invoice_date_due, m.amount_residual AS residual,
                   m.amount_residual_signed AS residual_signed, cur.decimal_places,
                   own.decimal_places AS company_digits
              FROM account_move m
              JOIN res_currency cur ON cur.id = m.currency_id
              JOIN res_company co ON co.id = m.company_id
              JOIN res_currency own ON own.id = co.currency_id
             WHERE m.company_id = %(company)s
               AND %(open_invoice)s
               AND m.commercial_partner_id IN (SELECT partner_id FROM cr)
        ), same AS (
            -- credits in the invoice's own currency, the oldest due date first
            SELECT inv.*,
                   LEAST(inv.residual, GREATEST(0, COALESCE(cr.amount_currency, 0)
                         - (SUM(inv.residual) OVER w - inv.residual))) AS used
              FROM inv
              LEFT JOIN cr ON cr.partner_id = inv.partner_id AND cr.currency_id = inv.currency_id
            WINDOW w AS (PARTITION BY inv.partner_id, inv.currency_id
                         ORDER BY inv.invoice_date_due, inv.id)
        ), rest AS (
            -- what is left of each currency's credits, in company currency at their rate
            SELECT cr.partner_id,
                   SUM(CASE WHEN cr.amount_currency = 0 OR u.used IS NULL THEN cr.amount
                            ELSE (cr.amount_currency - u.used) * cr.amount / cr.amount_currency
                       END) AS amount
              FROM cr
              LEFT JOIN (SELECT partner_id, currency_id, SUM(used) AS used
                           FROM same GROUP BY partner_id, currency_id) u
                     ON u.partner_id = cr.partner_id AND u.currency_id = cr.currency_id
             GROUP BY cr.partner_id
        ), remaining AS (
            SELECT s.*, s.residual - s.used AS left_currency,
                   CASE WHEN s.used >= s.residual THEN 0
                        ELSE (s.residual - s.used) * s.residual_signed / s.residual
                   END AS left_signed
              FROM same s
        ), alloc AS (
            -- then the rest of the credits, in company currency, the oldest due date first
            SELECT r.*,
                   LEAST(r.left_signed, GREATEST(0, COALESCE(rest.amount, 0)
                         - (SUM(r.left_signed) OVER w - r.left_signed))) AS used_signed
              FROM remaining r
              LEFT JOIN rest ON rest.partner_id = r.partner_id
            WINDOW w AS (PARTITION BY r.partner_id ORDER BY r.invoice_date_due, r.id)
        )
        SELECT net.id, net.partner_id, net.residual - net.net AS credit, net.net,
               net.net_signed
          FROM (
            SELECT a.id, a.partner_id, a.residual,
                   CASE WHEN a.used_signed >= a.left_signed THEN 0
                        ELSE GREATEST(ROUND(a.left_currency
                             - a.used_signed * a.residual / a.residual_signed,
                             a.decimal_places), 0)
                   END AS net,
                   ROUND(GREATEST(a.left_signed - a.used_signed, 0), a.company_digits)
                       AS net_signed
              FROM alloc a
          ) net
        """,
        lines=credit_lines_sql(company.id, partner_ids),
        company=company.id,
        open_invoice=open_invoice_sql(),
    )


def invoice_nets(env, company, partner_ids):
    """``{invoice id: (credit, net)}`` for the open invoices of ``partner_ids`` that a
    credit lowers (invoice currency); an invoice not in it owes its whole residual."""
    flush_credits(env)
    rows = env.execute_query(
        SQL(
            "SELECT n.id, n.credit, n.net FROM (%s) n WHERE n.credit > 0",
            invoice_net_sql(company, partner_ids),
        )
    )
    return {move_id: (float(credit), float(net)) for move_id, credit, net in rows}


def open_credit_moves(env, company, partner_ids):
    """``{partner id: [entry ids]}``: the entries carrying each customer's open credits."""
    flush_credits(env)
    rows = env.execute_query(
        SQL(
            "SELECT c.partner_id, c.move_ids FROM (%s) c",
            open_credits_sql(company.id, partner_ids),
        )
    )
    return dict(rows)
