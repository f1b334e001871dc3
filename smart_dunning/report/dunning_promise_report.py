from odoo import api, fields, models
from odoo.tools import SQL

PROMISE_STATUSES = [
    ("pending", "Not due yet"),
    ("kept", "Kept"),
    ("late", "Paid late"),
    ("broken", "Broken"),
]


class DunningPromiseReport(models.Model):
    """Promises to pay and whether they were kept, per collector.

    A promise is a confirmed promise to pay (logged on a call or with the Promise to Pay
    button) or a payment plan of one instalment. It is *kept* when its invoices received the
    promised amount (payments and credit notes matched with them from the day the promise was
    confirmed) by the promised date plus the company's payment plan tolerance
    (``res.company.dunning_plan_breach_days``, the days a plan may be late before it breaks).
    Paid in full after that day, it was *paid late*; not paid in full by that day (or broken),
    it is *broken*; before that day and not paid yet, it is *not due yet* and left out of the
    kept rate.
    """

    _name = "dunning.promise.report"
    _description = "Promises to Pay Kept"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "plan_id"
    _depends = {
        "dunning.plan": [
            "kind",
            "state",
            "user_id",
            "partner_id",
            "company_id",
            "currency_id",
            "amount_total",
            "date_confirmed",
            "move_ids",
        ],
        "dunning.plan.line": ["plan_id", "date_due"],
        "account.partial.reconcile": ["debit_move_id", "debit_amount_currency", "max_date"],
        "account.move.line": ["move_id"],
        "res.company": ["dunning_plan_breach_days"],
        "dunning.call": ["plan_id", "user_id"],
    }

    plan_id = fields.Many2one("dunning.plan", string="Promise", readonly=True)
    kind = fields.Selection(
        [("plan", "Instalment plan"), ("promise", "Promise to pay")], readonly=True
    )
    date = fields.Date(string="Promised On", readonly=True, help="The day it was confirmed.")
    date_promised = fields.Date(string="Promised Payment Date", readonly=True)
    date_deadline = fields.Date(
        string="Kept If Paid By",
        readonly=True,
        help="The promised date plus the company's payment plan tolerance.",
    )
    date_paid = fields.Date(
        string="Paid in Full On",
        readonly=True,
        help="The day the payments matched with its invoices reached the promised amount.",
    )
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    user_id = fields.Many2one(
        "res.users",
        string="Collector",
        readonly=True,
        help="Who logged the call on which the customer promised, else the plan's collector.",
    )
    amount = fields.Monetary(string="Amount Promised", readonly=True)
    status = fields.Selection(PROMISE_STATUSES, readonly=True)
    promise_count = fields.Integer(string="Promises", readonly=True)
    kept_count = fields.Integer(string="Kept", readonly=True)
    kept_rate = fields.Float(
        string="Kept Rate (%)",
        readonly=True,
        aggregator="avg",
        help="100 for a promise kept, 0 for one paid late or broken; promises not due yet are "
        "left out. Averaged: the share of promises kept.",
    )

    @property
    def _table_query(self):
        return self._promise_sql(fields.Date.context_today(self))

    @api.model
    def _promise_sql(self, today):
        return SQL(
            """
            WITH promise AS (
                SELECT p.id, p.kind, p.state, COALESCE(caller.user_id, p.user_id) AS user_id,
                       p.partner_id, p.company_id,
                       p.currency_id, p.amount_total, p.date_confirmed,
                       max(l.date_due) AS date_promised,
                       max(l.date_due) + COALESCE(c.dunning_plan_breach_days, 0) AS date_deadline
                  FROM dunning_plan p
                  JOIN dunning_plan_line l ON l.plan_id = p.id
                  JOIN res_company c ON c.id = p.company_id
                  -- a promise made on a call is the caller's
                  LEFT JOIN (SELECT DISTINCT ON (plan_id) plan_id, user_id
                               FROM dunning_call
                              WHERE plan_id IS NOT NULL
                              ORDER BY plan_id, id) caller ON caller.plan_id = p.id
                 WHERE p.state != 'draft'
                 GROUP BY p.id, c.dunning_plan_breach_days, caller.user_id
                HAVING p.kind = 'promise' OR count(l.id) = 1
            ),
            matched AS (
                SELECT pr.id AS plan_id, apr.max_date,
                       sum(apr.debit_amount_currency) OVER (
                           PARTITION BY pr.id ORDER BY apr.max_date, apr.id
                       ) AS running
                  FROM promise pr
                  JOIN dunning_plan_account_move_rel rel ON rel.plan_id = pr.id
                  JOIN account_move_line aml ON aml.move_id = rel.move_id
                  JOIN account_partial_reconcile apr ON apr.debit_move_id = aml.id
                 WHERE apr.max_date >= pr.date_confirmed
            ),
            paid AS (
                SELECT m.plan_id, min(m.max_date) AS date_paid
                  FROM matched m
                  JOIN promise pr ON pr.id = m.plan_id
                 WHERE m.running >= pr.amount_total - 0.005
                 GROUP BY m.plan_id
            ),
            judged AS (
                SELECT pr.*, paid.date_paid,
                       CASE WHEN paid.date_paid <= pr.date_deadline THEN 'kept'
                            WHEN paid.date_paid IS NOT NULL THEN 'late'
                            WHEN pr.state = 'broken' OR pr.date_deadline < %(today)s
                                THEN 'broken'
                            ELSE 'pending' END AS status
                  FROM promise pr
                  LEFT JOIN paid ON paid.plan_id = pr.id
            )
            SELECT id, id AS plan_id, kind, date_confirmed AS date, date_promised,
                   date_deadline, date_paid, company_id, currency_id, partner_id, user_id,
                   amount_total AS amount, status,
                   1 AS promise_count,
                   CASE WHEN status = 'kept' THEN 1 ELSE 0 END AS kept_count,
                   CASE WHEN status = 'kept' THEN 100.0
                        WHEN status = 'pending' THEN NULL
                        ELSE 0.0 END AS kept_rate
              FROM judged
            """,
            today=today,
        )
