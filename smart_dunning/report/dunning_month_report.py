from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

# Months shown, the current one included.
MONTHS = 24


class DunningMonthReport(models.Model):
    """The credit manager's monthly figures, per company, over the last 24 months.

    - Invoiced: customer invoices minus credit notes, by invoice date.
    - Collected: payments matched with customer invoices (see dunning.collection.report).
    - Receivables: balance of the receivable accounts at the end of the month (today for the
      current month).
    - DSO: receivables ÷ (invoiced ÷ days in the month), the days of the month elapsed for the
      current one; empty when nothing was invoiced.
    - Average days to pay / late: over the invoices paid in full in the month, each invoice
      counting once.
    """

    _name = "dunning.month.report"
    _description = "Monthly Credit Figures"
    _auto = False
    _order = "month desc, company_id"
    _rec_name = "month"
    _depends = {
        "account.move": [
            "company_id",
            "state",
            "move_type",
            "journal_id",
            "invoice_date",
            "invoice_date_due",
            "invoice_user_id",
            "commercial_partner_id",
            "amount_untaxed_signed",
            "amount_total_signed",
            "dunning_paid_date",
        ],
        "account.move.line": ["move_id", "account_id", "balance", "date", "parent_state"],
        "account.account": ["account_type"],
        "account.partial.reconcile": ["debit_move_id", "credit_move_id", "amount", "max_date"],
        "res.partner": ["user_id", "dunning_user_id"],
        "res.company": [
            "currency_id",
            "currency_exchange_journal_id",
            "dunning_writeoff_account_id",
        ],
    }

    month = fields.Date(readonly=True, help="The first day of the month.")
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    amount_invoiced = fields.Monetary(string="Invoiced", readonly=True)
    amount_collected = fields.Monetary(string="Collected", readonly=True)
    amount_receivable = fields.Monetary(
        string="Receivables at Month End", readonly=True, aggregator="avg"
    )
    dso = fields.Float(
        string="DSO (Days)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Days sales outstanding: receivables at the end of the month divided by the "
        "average invoiced per day in the month.",
    )
    avg_days_to_pay = fields.Float(
        string="Average Days to Pay",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Over the invoices paid in full in the month: days from the invoice date to the "
        "payment, each invoice counting once.",
    )
    avg_days_late = fields.Float(
        string="Average Days Late",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Over the same invoices: days from the due date to the payment.",
    )
    paid_count = fields.Integer(string="Invoices Paid", readonly=True)

    @property
    def _table_query(self):
        return self._month_sql(fields.Date.context_today(self))

    @api.model
    def _month_sql(self, today):
        first = today.replace(day=1) - relativedelta(months=MONTHS - 1)
        collections = self.env["dunning.collection.report"]._collection_sql()
        return SQL(
            """
            WITH months AS (
                SELECT c.id AS company_id, c.currency_id, s.month::date AS month,
                       LEAST((s.month + INTERVAL '1 month - 1 day')::date, %(today)s) AS last_day
                  FROM res_company c,
                       generate_series(%(first)s::date, %(today)s::date, INTERVAL '1 month')
                           AS s(month)
            ),
            invoiced AS (
                SELECT company_id, date_trunc('month', invoice_date)::date AS month,
                       SUM(amount_total_signed) AS amount
                  FROM account_move
                 WHERE state = 'posted' AND move_type IN ('out_invoice', 'out_refund')
                   AND invoice_date BETWEEN %(first)s AND %(today)s
                 GROUP BY 1, 2
            ),
            collected AS (
                SELECT company_id, date_trunc('month', date)::date AS month, SUM(amount) AS amount
                  FROM (%(collections)s) col
                 WHERE date BETWEEN %(first)s AND %(today)s
                 GROUP BY 1, 2
            ),
            paid AS (
                SELECT company_id, date_trunc('month', dunning_paid_date)::date AS month,
                       AVG(dunning_paid_date - invoice_date)::float AS avg_days_to_pay,
                       AVG(dunning_paid_date - invoice_date_due)::float AS avg_days_late,
                       COUNT(*) AS paid_count
                  FROM account_move
                 WHERE move_type = 'out_invoice' AND state = 'posted'
                   AND dunning_paid_date BETWEEN %(first)s AND %(today)s
                 GROUP BY 1, 2
            ),
            movements AS (
                SELECT l.company_id, date_trunc('month', l.date)::date AS month,
                       SUM(l.balance) AS amount
                  FROM account_move_line l
                  JOIN account_account a ON a.id = l.account_id
                 WHERE l.parent_state = 'posted' AND a.account_type = 'asset_receivable'
                   AND l.date <= %(today)s
                 GROUP BY 1, 2
            ),
            receivable AS (
                SELECT mo.company_id, mo.month,
                       (SELECT COALESCE(SUM(mv.amount), 0) FROM movements mv
                         WHERE mv.company_id = mo.company_id AND mv.month <= mo.month) AS amount
                  FROM months mo
            )
            SELECT (mo.company_id * 1000000
                    + EXTRACT(YEAR FROM mo.month) * 100 + EXTRACT(MONTH FROM mo.month))::int AS id,
                   mo.month,
                   mo.company_id,
                   mo.currency_id,
                   COALESCE(inv.amount, 0) AS amount_invoiced,
                   COALESCE(col.amount, 0) AS amount_collected,
                   rec.amount AS amount_receivable,
                   CASE WHEN inv.amount > 0
                        THEN (rec.amount / (inv.amount / (mo.last_day - mo.month + 1)))::float
                   END AS dso,
                   paid.avg_days_to_pay,
                   paid.avg_days_late,
                   COALESCE(paid.paid_count, 0) AS paid_count
              FROM months mo
              JOIN receivable rec ON rec.company_id = mo.company_id AND rec.month = mo.month
              LEFT JOIN invoiced inv ON inv.company_id = mo.company_id AND inv.month = mo.month
              LEFT JOIN collected col ON col.company_id = mo.company_id AND col.month = mo.month
              LEFT JOIN paid ON paid.company_id = mo.company_id AND paid.month = mo.month
            """,
            today=today,
            first=first,
            collections=collections,
        )
