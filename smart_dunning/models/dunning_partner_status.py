from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL, format_date

from ..lib.actions import form_action
from ..lib.open_credit import invoice_net_sql, open_credits_sql
from ..lib.open_invoice import INVOICE_COLUMNS
from .dunning_call import CALL_OUTCOMES
from .dunning_dispute import PAUSING_STATES

BEHAVIOURS = [("on_time", "On time"), ("late", "Late"), ("at_risk", "At risk")]
# Days looked back for the average days to pay and for broken payment plans.
HISTORY_DAYS = 365
# An invoice overdue longer than this makes its customer "at risk".
AT_RISK_DAYS = 60
# Who sees every customer's status (the rule "Payment status: all customers"); the others see
# the customers they are the salesperson of.
STATUS_ALL_GROUPS = (
    "account.group_account_invoice",
    "account.group_account_readonly",
    "smart_dunning.group_dunning_user",
)
# The rows are those of the current company, under the customer's id: cached per company.
COMPANY = ("company",)
BEHAVIOUR_HELP = (
    "At risk: an open invoice at the formal notice or beyond (the first level of the policy "
    "sent by paper letter or handed over, and every level after it) or handed over to a "
    "bailiff or a lawyer, a payment plan broken in the last 12 months, or an invoice more than "
    "60 days overdue. Late: an invoice overdue beyond the policy's grace days, or invoices paid "
    "in the last 12 months on average more than the grace days after their due date. On time: "
    "neither. Invoices in an open dispute or in an active payment plan do not count as "
    "overdue for this label."
)


class DunningPartnerStatus(models.Model):
    """The payment status of each customer in the current company, computed when read.

    One row per commercial partner that has an open invoice or credit note, or an invoice paid
    in the last 12 months. The figures depend on today, so nothing is stored: the rows come
    from one query over the invoices, in which a filter on ``partner_id`` reaches the invoice
    index. The partner form panel, the partner list badge, "My customers' payment status" and
    the reports all read it.

    The id is the customer's id (it fits the 32-bit integers of XML-RPC), the row being that of
    the current company; the columns depend on the company in the cache, so a customer's row of
    one company is never mistaken for its row of another.
    """

    _name = "dunning.partner.status"
    _description = "Customer Payment Status"
    _auto = False
    _order = "amount_overdue desc, id"
    _rec_name = "partner_id"
    _depends = {
        "account.move": [
            *INVOICE_COLUMNS,
            "amount_residual_signed",
            "dunning_paid_date",
            "dunning_judicial",
        ],
        "res.partner": ["user_id", "dunning_user_id", "dunning_policy_id", "dunning_customer_kind"],
        "res.company": ["currency_id", "dunning_policy_b2b_id", "dunning_policy_b2c_id"],
        "dunning.letter.line": ["move_id", "level_id", "state"],
        "dunning.letter": ["partner_id", "company_id", "state", "sent_date", "level_id"],
        "dunning.level": ["sequence", "policy_id", "channel"],
        "dunning.policy": ["grace_days"],
        "dunning.dispute": ["partner_id", "company_id", "state", "move_ids"],
        "dunning.plan": ["partner_id", "company_id", "state", "name", "date_broken", "move_ids"],
        "dunning.plan.line": ["plan_id", "date_due", "sequence", "amount", "amount_paid", "state"],
        "dunning.call": ["partner_id", "company_id", "date", "outcome"],
    }

    partner_id = fields.Many2one(
        "res.partner", string="Customer", readonly=True, depends_context=COMPANY
    )
    company_id = fields.Many2one("res.company", readonly=True, depends_context=COMPANY)
    currency_id = fields.Many2one("res.currency", readonly=True, depends_context=COMPANY)
    user_id = fields.Many2one(
        "res.users", string="Salesperson", readonly=True, depends_context=COMPANY
    )
    collector_id = fields.Many2one("res.users", readonly=True, depends_context=COMPANY)
    level_id = fields.Many2one(
        "dunning.level",
        string="Dunning Level",
        readonly=True,
        depends_context=COMPANY,
        help="The highest level reached by an open invoice of this customer in this company.",
    )
    amount_due = fields.Monetary(
        string="Total Due",
        readonly=True,
        depends_context=COMPANY,
        help="Open invoices minus every open credit (unmatched payments, credit notes...), in "
        "the company currency; negative when the customer has paid more than it owes.",
    )
    amount_overdue = fields.Monetary(
        string="Overdue",
        readonly=True,
        depends_context=COMPANY,
        help="What the invoices past their due date still have open once the open credits "
        "are deducted (the oldest invoice first), in the company currency.",
    )
    amount_unapplied = fields.Monetary(
        string="Unapplied Payments",
        readonly=True,
        depends_context=COMPANY,
        help="Payments, credit notes and other credits on the customer's receivable not yet "
        "matched with an invoice, in the company currency. They are deducted from what the "
        "customer owes; Match Now opens the oldest open invoice to match them.",
    )
    payment_pending = fields.Char(
        string="Payment Received",
        compute="_compute_payment_pending",
        depends_context=COMPANY,
        help="An incoming bank line of the customer that nobody has matched yet: its letters "
        "and calls wait the company's hold days.",
    )
    days_overdue = fields.Integer(
        string="Oldest Overdue (Days)",
        readonly=True,
        depends_context=COMPANY,
        aggregator="max",
        help="Days since the due date of the oldest overdue invoice.",
    )
    invoice_count = fields.Integer(string="Open Invoices", readonly=True, depends_context=COMPANY)
    overdue_count = fields.Integer(
        string="Overdue Invoices", readonly=True, depends_context=COMPANY
    )
    dispute_count = fields.Integer(string="Open Disputes", readonly=True, depends_context=COMPANY)
    plan_name = fields.Char(string="Active Payment Plan", readonly=True, depends_context=COMPANY)
    next_instalment_date = fields.Date(
        readonly=True,
        depends_context=COMPANY,
        help="The due date of the first instalment of an active plan not yet paid.",
    )
    next_instalment_amount = fields.Monetary(
        readonly=True, depends_context=COMPANY, help="What is still to pay on that instalment."
    )
    last_call_date = fields.Datetime(string="Last Call", readonly=True, depends_context=COMPANY)
    last_call_outcome = fields.Selection(CALL_OUTCOMES, readonly=True, depends_context=COMPANY)
    last_letter_date = fields.Date(
        string="Last Letter Sent", readonly=True, depends_context=COMPANY
    )
    last_letter_level_id = fields.Many2one(
        "dunning.level", string="Level of the Last Letter", readonly=True, depends_context=COMPANY
    )
    last_contact_date = fields.Date(compute="_compute_last_contact")
    last_contact = fields.Char(
        compute="_compute_last_contact",
        help="The latest call and its outcome, or the latest letter sent if it is more recent.",
    )
    avg_days_to_pay = fields.Float(
        string="Average Days to Pay",
        readonly=True,
        depends_context=COMPANY,
        digits=(16, 1),
        aggregator="avg",
        help="Over the invoices paid in full in the last 12 months: the average number of days "
        "from the invoice date to the day the last payment was matched. Each invoice counts "
        "once, whatever its amount.",
    )
    avg_days_late = fields.Float(
        string="Average Days Late",
        readonly=True,
        depends_context=COMPANY,
        digits=(16, 1),
        aggregator="avg",
        help="Over the same invoices: the average number of days between the due date and "
        "the payment (negative when paid early).",
    )
    paid_count = fields.Integer(
        string="Invoices Paid (12 Months)", readonly=True, depends_context=COMPANY
    )
    grace_days = fields.Integer(readonly=True, depends_context=COMPANY)
    risk_days = fields.Integer(
        string="Days Overdue Outside Agreements",
        readonly=True,
        depends_context=COMPANY,
        help="Days overdue of the oldest overdue invoice that is neither in an open dispute "
        "nor in an active payment plan.",
    )
    formal_notice = fields.Boolean(
        string="Formal Notice Reached", readonly=True, depends_context=COMPANY
    )
    judicial = fields.Boolean(string="Handed Over", readonly=True, depends_context=COMPANY)
    plan_broken_date = fields.Date(
        string="Plan Broken On",
        readonly=True,
        depends_context=COMPANY,
        help="The last time a payment plan of this customer broke, in the last 12 months.",
    )
    behaviour = fields.Selection(
        BEHAVIOURS,
        string="Payment Behaviour",
        readonly=True,
        depends_context=COMPANY,
        help=BEHAVIOUR_HELP,
    )
    behaviour_reason = fields.Char(string="Why", compute="_compute_behaviour_reason")

    @property
    def _table_query(self):
        return self._status_sql(fields.Date.context_today(self), self.env.company)

    @api.model
    def _status_sql(self, today, company):
        """The status rows of ``company`` on ``today``."""
        Move = self.env["account.move"]
        cutoff = today - timedelta(days=HISTORY_DAYS)
        # Not lib.open_invoice's rule: an invoice whose payment is blocked (Odoo's own
        # "dispute" flag) is paused for dunning, yet the customer still owes it.
        open_invoice = SQL("m.move_type = 'out_invoice' AND m.amount_residual_signed > 0")
        overdue = SQL("%s AND m.invoice_date_due < %s", open_invoice, today)
        paid = SQL("m.dunning_paid_date >= %s", cutoff)
        # Invoices under an agreement (open dispute, active plan) are not held against the
        # customer's behaviour: they wait for the agreement, not for the customer's goodwill.
        under_agreement = Move._dunning_agreement_sql(SQL("m.id"))
        invoices = SQL(
            """
            SELECT m.commercial_partner_id AS partner_id,
                   m.company_id,
                   COALESCE(SUM(m.amount_residual_signed) FILTER (WHERE %(open_invoice)s), 0)
                       AS amount_invoices,
                   COALESCE(SUM(COALESCE(n.net_signed, m.amount_residual_signed))
                       FILTER (WHERE %(overdue)s), 0) AS amount_overdue,
                   COALESCE(MAX(%(today)s - m.invoice_date_due) FILTER (WHERE %(overdue)s), 0)
                       AS days_overdue,
                   COALESCE(MAX(%(today)s - m.invoice_date_due)
                       FILTER (WHERE %(overdue)s AND NOT %(under_agreement)s), 0) AS risk_days,
                   COUNT(*) FILTER (WHERE %(open_invoice)s) AS invoice_count,
                   COUNT(*) FILTER (WHERE %(overdue)s) AS overdue_count,
                   AVG(m.dunning_paid_date - m.invoice_date) FILTER (WHERE %(paid)s)
                       AS avg_days_to_pay,
                   AVG(m.dunning_paid_date - m.invoice_date_due) FILTER (WHERE %(paid)s)
                       AS avg_days_late,
                   COUNT(*) FILTER (WHERE %(paid)s) AS paid_count,
                   COALESCE(BOOL_OR(m.dunning_judicial) FILTER (WHERE %(open_invoice)s), FALSE)
                       AS judicial,
                   (ARRAY_AGG(lv.id ORDER BY lv.sequence DESC, lv.id DESC)
                       FILTER (WHERE lv.id IS NOT NULL))[1] AS level_id,
                   COALESCE(BOOL_OR(lv.sequence >= notice.sequence), FALSE) AS formal_notice
              FROM account_move m
              -- what the customer's open credits leave of each invoice (oldest first)
              LEFT JOIN (%(net)s) n ON n.id = m.id
              LEFT JOIN dunning_level lv
                     ON lv.id = CASE WHEN %(open_invoice)s THEN %(level)s END
              -- The formal notice of each policy: its first level sent by paper or handed over.
              -- A join, not a subquery per invoice: the planner's estimate of the latter makes
              -- PostgreSQL compile the whole query (JIT), which costs seconds on every read.
              LEFT JOIN (SELECT f.policy_id, MIN(f.sequence) AS sequence
                           FROM dunning_level f
                          WHERE f.channel IN ('letter', 'judicial')
                          GROUP BY f.policy_id) notice
                     ON notice.policy_id = lv.policy_id
             WHERE m.company_id = %(company)s
               AND m.state = 'posted'
               AND m.move_type IN ('out_invoice', 'out_refund')
               AND (m.amount_residual_signed != 0 OR %(paid)s)
             GROUP BY m.commercial_partner_id, m.company_id
            """,
            today=today,
            company=company.id,
            open_invoice=open_invoice,
            overdue=overdue,
            paid=paid,
            under_agreement=under_agreement,
            level=Move._dunning_level_sql(SQL("m.id")),
            net=invoice_net_sql(company),
        )
        own = SQL("x.partner_id = s.partner_id AND x.company_id = s.company_id")
        next_instalment = SQL(
            """FROM dunning_plan_line ln JOIN dunning_plan x ON x.id = ln.plan_id
                WHERE %s AND x.state = 'active' AND ln.state != 'paid'
                ORDER BY ln.date_due, ln.sequence, ln.id LIMIT 1""",
            own,
        )
        last_call = SQL("FROM dunning_call x WHERE %s ORDER BY x.date DESC, x.id DESC LIMIT 1", own)
        last_letter = SQL(
            """FROM dunning_letter x WHERE %s AND x.state = 'sent'
                ORDER BY x.sent_date DESC, x.id DESC LIMIT 1""",
            own,
        )
        broken_plan = SQL(
            """FROM dunning_plan x
                WHERE %s AND x.state = 'broken' AND x.date_broken >= %s""",
            own,
            cutoff,
        )
        return SQL(
            """
            SELECT s.partner_id AS id,
                   s.partner_id,
                   s.company_id,
                   c.currency_id,
                   p.user_id,
                   p.dunning_user_id AS collector_id,
                   s.level_id,
                   s.amount_invoices - COALESCE(cr.amount, 0) AS amount_due,
                   s.amount_overdue,
                   COALESCE(cr.amount, 0) AS amount_unapplied,
                   s.days_overdue,
                   s.risk_days,
                   s.invoice_count,
                   s.overdue_count,
                   s.avg_days_to_pay::float AS avg_days_to_pay,
                   s.avg_days_late::float AS avg_days_late,
                   s.paid_count,
                   s.judicial,
                   s.formal_notice,
                   COALESCE(pol.grace_days, 0) AS grace_days,
                   (SELECT COUNT(*) FROM dunning_dispute x WHERE %(own)s AND x.state IN %(pausing)s)
                       AS dispute_count,
                   (SELECT x.name FROM dunning_plan x WHERE %(own)s AND x.state = 'active'
                     ORDER BY x.id DESC LIMIT 1) AS plan_name,
                   (SELECT ln.date_due %(next_instalment)s) AS next_instalment_date,
                   (SELECT ln.amount - ln.amount_paid %(next_instalment)s)
                       AS next_instalment_amount,
                   (SELECT x.date %(last_call)s) AS last_call_date,
                   (SELECT x.outcome %(last_call)s) AS last_call_outcome,
                   (SELECT x.sent_date %(last_letter)s) AS last_letter_date,
                   (SELECT x.level_id %(last_letter)s) AS last_letter_level_id,
                   (SELECT MAX(x.date_broken) %(broken_plan)s) AS plan_broken_date,
                   CASE
                       WHEN s.formal_notice OR s.judicial OR s.risk_days > %(at_risk_days)s
                            OR EXISTS (SELECT 1 %(broken_plan)s)
                           THEN 'at_risk'
                       WHEN s.risk_days > COALESCE(pol.grace_days, 0)
                            OR s.avg_days_late > COALESCE(pol.grace_days, 0)
                           THEN 'late'
                       ELSE 'on_time'
                   END AS behaviour
              FROM (%(invoices)s) s
              JOIN res_partner p ON p.id = s.partner_id
              JOIN res_company c ON c.id = s.company_id
              LEFT JOIN (%(credits)s) cr ON cr.partner_id = s.partner_id
              LEFT JOIN dunning_policy pol ON pol.id = %(policy)s
            """,
            invoices=invoices,
            own=own,
            pausing=PAUSING_STATES,
            next_instalment=next_instalment,
            last_call=last_call,
            last_letter=last_letter,
            broken_plan=broken_plan,
            at_risk_days=AT_RISK_DAYS,
            credits=open_credits_sql(company.id),
            policy=self.env["res.partner"]._dunning_policy_expr(SQL("p"), SQL("c")),
        )

    @api.model
    def _visible_partners(self, partners):
        """The customers among ``partners`` (commercial partners) whose status the current user
        may see, by the same test as the record rules, also for customers without a row."""
        user = self.env.user
        if self.env.su or any(user.has_group(group) for group in STATUS_ALL_GROUPS):
            return partners
        return partners.filtered(lambda partner: partner.user_id == user)

    @api.depends("last_call_date", "last_call_outcome", "last_letter_date", "last_letter_level_id")
    @api.depends_context("company")
    def _compute_last_contact(self):
        outcomes = dict(self._fields["last_call_outcome"]._description_selection(self.env))
        for status in self:
            call_day = (
                fields.Datetime.context_timestamp(status, status.last_call_date).date()
                if status.last_call_date
                else False
            )
            letter_day = status.last_letter_date
            if letter_day and (not call_day or letter_day > call_day):
                status.last_contact_date = letter_day
                status.last_contact = self.env._(
                    "%(date)s: letter %(level)s",
                    date=format_date(self.env, letter_day),
                    level=status.last_letter_level_id.name,
                )
            elif call_day:
                status.last_contact_date = call_day
                status.last_contact = self.env._(
                    "%(date)s: call, %(outcome)s",
                    date=format_date(self.env, call_day),
                    outcome=outcomes.get(status.last_call_outcome, ""),
                )
            else:
                status.last_contact_date = False
                status.last_contact = False

    @api.depends("behaviour", "risk_days", "formal_notice", "judicial", "plan_broken_date")
    @api.depends_context("company")
    def _compute_behaviour_reason(self):
        for status in self:
            reasons = []
            if status.judicial:
                reasons.append(self.env._("handed over to a bailiff or a lawyer"))
            elif status.formal_notice:
                reasons.append(self.env._("formal notice reached"))
            if status.plan_broken_date:
                reasons.append(
                    self.env._(
                        "payment plan broken on %(date)s",
                        date=format_date(self.env, status.plan_broken_date),
                    )
                )
            if status.risk_days > AT_RISK_DAYS:
                reasons.append(
                    self.env._("an invoice %(days)s days overdue", days=status.risk_days)
                )
            if status.behaviour == "late":
                if status.risk_days > status.grace_days:
                    reasons.append(
                        self.env._("an invoice %(days)s days overdue", days=status.risk_days)
                    )
                if status.avg_days_late > status.grace_days:
                    reasons.append(
                        self.env._(
                            "pays %(days)s days after the due date on average",
                            days=round(status.avg_days_late),
                        )
                    )
            status.behaviour_reason = ", ".join(reasons) or False

    def _compute_payment_pending(self):
        held = {}
        for company in self.company_id:
            held[company] = self.env["account.bank.statement.line"]._dunning_unmatched_payers(
                company, fields.Date.context_today(self)
            )
        for status in self:
            line = held.get(status.company_id, {}).get(status.partner_id.id)
            status.payment_pending = line and self._pending_text(line, status.company_id)

    @api.model
    def _pending_text(self, line, company):
        return self.env._(
            "Payment received, not yet matched: %(amount)s on %(date)s. Letters and calls "
            "wait until %(until)s.",
            amount=line.currency_id.format(line.amount),
            date=format_date(self.env, line.date),
            until=format_date(
                self.env, line.date + timedelta(days=company.dunning_bank_hold_days - 1)
            ),
        )

    def action_match_credits(self):
        self.ensure_one()
        return self.partner_id.with_company(self.company_id).action_dunning_match_credits()

    def action_open_partner(self):
        self.ensure_one()
        return form_action("res.partner", self.partner_id.id)
