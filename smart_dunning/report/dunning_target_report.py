from odoo import api, fields, models
from odoo.tools import SQL

from .dunning_collection_report import DunningCollectionReport


class DunningTargetReport(models.Model):
    """Target vs actual: per company, salesperson and month, the paid revenue target
    (``dunning.sales.target``) and the paid revenue brought in.

    The actual paid revenue is that of ``dunning.collection.report``: the payments matched
    (``account.partial.reconcile``, by its ``max_date``) that month with the customer invoices
    of the salesperson (the invoice's salesperson, else the customer's), times the invoices'
    untaxed share; credit notes, exchange differences and written-off shortfalls are not
    money in. A salesperson with payments but no target shows with a target of 0.
    """

    _name = "dunning.target.report"
    _description = "Paid Revenue Target vs Actual"
    _auto = False
    _order = "month desc, user_id"
    _rec_name = "user_id"
    _depends = {
        **DunningCollectionReport._depends,
        "dunning.sales.target": ["company_id", "user_id", "month", "amount"],
    }

    month = fields.Date(readonly=True, help="The first day of the month.")
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    target_id = fields.Many2one("dunning.sales.target", string="Target Entry", readonly=True)
    amount_target = fields.Monetary(string="Target", readonly=True)
    amount_actual = fields.Monetary(
        string="Paid Revenue",
        readonly=True,
        help="The untaxed share of the payments matched this month with the salesperson's "
        "invoices.",
    )
    amount_collected = fields.Monetary(
        string="Collected", readonly=True, help="The same payments, taxes included."
    )
    amount_gap = fields.Monetary(
        string="Still to Reach", readonly=True, help="Target minus paid revenue."
    )

    @property
    def _table_query(self):
        return self._target_sql()

    @api.model
    def _target_sql(self, date_to=None):
        """The rows; with ``date_to``, the actual figures count the payments up to that day
        only (month to date)."""
        collections = self.env["dunning.collection.report"]._collection_sql()
        until = SQL("AND col.date <= %s", date_to) if date_to else SQL()
        return SQL(
            """
            WITH actual AS (
                SELECT col.company_id, col.user_id,
                       date_trunc('month', col.date)::date AS month,
                       sum(col.amount_untaxed) AS amount_actual,
                       sum(col.amount) AS amount_collected
                  FROM (%(collections)s) col
                 WHERE col.user_id IS NOT NULL %(until)s
                 GROUP BY 1, 2, 3
            )
            SELECT row_number() OVER (ORDER BY month, company_id, user_id) AS id,
                   month, company_id, c.currency_id, user_id, t.id AS target_id,
                   COALESCE(t.amount, 0) AS amount_target,
                   COALESCE(a.amount_actual, 0) AS amount_actual,
                   COALESCE(a.amount_collected, 0) AS amount_collected,
                   COALESCE(t.amount, 0) - COALESCE(a.amount_actual, 0) AS amount_gap
              FROM dunning_sales_target t
              FULL JOIN actual a USING (company_id, user_id, month)
              JOIN res_company c ON c.id = company_id
            """,
            collections=collections,
            until=until,
        )
