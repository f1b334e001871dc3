from odoo import api, fields, models
from odoo.tools import SQL


class DunningCollectionReport(models.Model):
    """Money collected on customer invoices: one row per payment matched with an invoice.

    A credit note matched with an invoice is not money in, and neither is an exchange
    difference: only matches with other entries (payments, bank statement lines) outside the
    exchange difference journal count. Amounts are in the company currency.
    """

    _name = "dunning.collection.report"
    _description = "Payments Collected"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "move_id"
    _inherit = "dunning.invoice.report.mixin"
    _depends = {
        "account.partial.reconcile": [
            "debit_move_id",
            "credit_move_id",
            "amount",
            "max_date",
        ],
        "account.move.line": ["move_id", "account_id"],
        "account.move": [
            "origin_payment_id",
            "statement_line_id",
            "journal_id",
            "amount_untaxed_signed",
            "amount_total_signed",
        ],
        "res.company": ["currency_exchange_journal_id", "dunning_writeoff_account_id"],
    }

    date = fields.Date(string="Paid On", readonly=True)
    amount = fields.Monetary(string="Collected", readonly=True)
    amount_untaxed = fields.Monetary(
        string="Paid Revenue",
        readonly=True,
        help="The part of the amount collected that is revenue: the amount collected times the "
        "invoice's untaxed share.",
    )
    days_to_pay = fields.Float(
        string="Days to Pay",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Days from the invoice date to this payment.",
    )
    days_late = fields.Float(
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Days from the due date to this payment (negative when paid early).",
    )

    @property
    def _table_query(self):
        return self._collection_sql()

    @api.model
    def _collection_sql(self):
        return SQL(
            """
            SELECT apr.id,
                   apr.max_date AS date,
                   %(invoice)s,
                   apr.amount,
                   CASE WHEN inv.amount_total_signed != 0
                        THEN apr.amount * inv.amount_untaxed_signed / inv.amount_total_signed
                        ELSE 0 END AS amount_untaxed,
                   (apr.max_date - inv.invoice_date)::float AS days_to_pay,
                   (apr.max_date - inv.invoice_date_due)::float AS days_late
              FROM account_partial_reconcile apr
              JOIN account_move_line inv_line ON inv_line.id = apr.debit_move_id
              JOIN account_move inv ON inv.id = inv_line.move_id
              JOIN account_move_line pay_line ON pay_line.id = apr.credit_move_id
              JOIN account_move pay ON pay.id = pay_line.move_id
              JOIN res_partner p ON p.id = inv.commercial_partner_id
              JOIN res_company c ON c.id = inv.company_id
             WHERE inv.move_type = 'out_invoice'
               AND inv.state = 'posted'
               AND pay.move_type = 'entry'
               AND pay.state = 'posted'
               AND pay.journal_id IS DISTINCT FROM c.currency_exchange_journal_id
               -- A shortfall written off (bank charges) was not collected (the account
               -- first: without one, the lines of every entry are not searched).
               AND NOT (c.dunning_writeoff_account_id IS NOT NULL
                        AND pay.origin_payment_id IS NULL AND pay.statement_line_id IS NULL
                        AND EXISTS (SELECT 1 FROM account_move_line wo
                                     WHERE wo.move_id = pay.id
                                       AND wo.account_id = c.dunning_writeoff_account_id))
            """,
            invoice=self._invoice_columns_sql("inv", "p", "c"),
        )
