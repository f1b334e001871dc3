from odoo import api, fields, models
from odoo.tools import SQL

BUCKETS = [
    ("not_due", "Not due"),
    ("1_30", "1-30 days"),
    ("31_60", "31-60 days"),
    ("61_90", "61-90 days"),
    ("over_90", "Over 90 days"),
]
# (bucket, first day late, last day late); not_due is "due today or later".
BUCKET_DAYS = [("1_30", 1, 30), ("31_60", 31, 60), ("61_90", 61, 90), ("over_90", 91, None)]


class DunningAgingReport(models.Model):
    """Aged receivables: one row per open customer invoice or credit note.

    The buckets count from today, so the rows are computed when read (``_table_query``), with
    today taken from the user's context (their time zone, or a frozen date in tests).
    """

    _name = "dunning.aging.report"
    _description = "Aged Receivables"
    _auto = False
    _order = "date_due, id"
    _rec_name = "move_id"
    _inherit = "dunning.invoice.report.mixin"
    _depends = {
        "account.move": ["amount_residual_signed"],
        "dunning.letter.line": ["move_id", "level_id", "state"],
    }

    move_type = fields.Selection(
        [("out_invoice", "Invoice"), ("out_refund", "Credit Note")], string="Type", readonly=True
    )
    level_id = fields.Many2one("dunning.level", string="Dunning Level", readonly=True)
    invoice_date = fields.Date(readonly=True)
    date_due = fields.Date(string="Due Date", readonly=True)
    days_overdue = fields.Integer(readonly=True, aggregator="max")
    bucket = fields.Selection(BUCKETS, string="Age", readonly=True)
    amount_residual = fields.Monetary(
        string="Open Amount",
        readonly=True,
        help="In the company currency; credit notes count negative.",
    )
    amount_not_due = fields.Monetary(string="Not Due", readonly=True)
    amount_1_30 = fields.Monetary(string="1-30", readonly=True)
    amount_31_60 = fields.Monetary(string="31-60", readonly=True)
    amount_61_90 = fields.Monetary(string="61-90", readonly=True)
    amount_over_90 = fields.Monetary(string="Over 90", readonly=True)

    @api.model
    def _read_group_orderby(self, order, groupby_terms, query):
        # Graphs and pivots list the buckets from young to old, not in their keys' alphabet
        # ("1_30" < "not_due" < "over_90").
        if "bucket" not in groupby_terms:
            return super()._read_group_orderby(order, groupby_terms, query)
        terms = dict(
            groupby_terms,
            bucket=SQL(
                "array_position(%s::varchar[], %s)",
                [key for key, _label in BUCKETS],
                groupby_terms["bucket"],
            ),
        )
        orderby = super()._read_group_orderby(order, terms, query)
        groupby_terms.update((key, value) for key, value in terms.items() if key != "bucket")
        return orderby

    @property
    def _table_query(self):
        return self._aging_sql(fields.Date.context_today(self))

    @api.model
    def _aging_sql(self, today):
        late = SQL("(%s - m.invoice_date_due)", today)
        bucket = SQL(
            "CASE WHEN m.invoice_date_due IS NULL OR m.invoice_date_due >= %s "
            "THEN 'not_due' %s END",
            today,
            SQL(" ").join(
                SQL("WHEN %s <= %s THEN %s", late, last, key) if last else SQL("ELSE %s", key)
                for key, _first, last in BUCKET_DAYS
            ),
        )
        amounts = SQL(", ").join(
            SQL(
                "CASE WHEN %s = %s THEN m.amount_residual_signed ELSE 0 END AS %s",
                bucket,
                key,
                SQL.identifier(f"amount_{key}"),
            )
            for key, _label in BUCKETS
        )
        return SQL(
            """
            SELECT m.id,
                   %(invoice)s,
                   m.move_type,
                   CASE WHEN m.move_type = 'out_invoice' THEN %(level)s END AS level_id,
                   m.invoice_date,
                   m.invoice_date_due AS date_due,
                   GREATEST(COALESCE(%(late)s, 0), 0) AS days_overdue,
                   %(bucket)s AS bucket,
                   m.amount_residual_signed AS amount_residual,
                   %(amounts)s
              FROM account_move m
              JOIN res_partner p ON p.id = m.commercial_partner_id
              JOIN res_company c ON c.id = m.company_id
             WHERE m.state = 'posted'
               AND m.move_type IN ('out_invoice', 'out_refund')
               AND m.amount_residual_signed != 0
            """,
            invoice=self._invoice_columns_sql("m", "p", "c"),
            level=self.env["account.move"]._dunning_level_sql(SQL("m.id")),
            late=late,
            bucket=bucket,
            amounts=amounts,
        )
