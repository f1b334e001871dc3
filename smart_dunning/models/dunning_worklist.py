from collections import defaultdict
from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL

from ..lib.actions import form_action
from ..lib.dunning_schedule import in_payment_window, parse_payment_days
from ..lib.open_credit import flush_credits, invoice_net_sql
from ..lib.open_invoice import dunnable_invoice_sql
from .dunning_call import CALL_OUTCOMES

# A customer who agreed on one of these today is not called again the same day.
SETTLED_TODAY = ("promise", "payment_term")


class DunningWorklist(models.Model):
    """The customers a collector phones today, most urgent first.

    One row per customer (commercial partner) of the current company, with the invoices to talk
    about: a phone collector calls a customer about all of them at once, not invoice by invoice.
    The rows are computed by one SQL query on each read (``_table_query``), so the list is always
    the truth of the moment: an invoice paid, paused or promised a minute ago is gone.
    """

    _name = "dunning.worklist"
    _description = "Call Worklist"
    _auto = False
    _order = "priority desc, id"
    _rec_name = "partner_id"

    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    user_id = fields.Many2one("res.users", string="Collector", readonly=True)
    salesperson_id = fields.Many2one("res.users", readonly=True)
    # Read for the rows shown only: the level of every customer of the company, joined on
    # each read, cost the first page seconds on 30,000 customers.
    dunning_level_id = fields.Many2one(related="partner_id.dunning_level_id")
    invoice_count = fields.Integer(string="Invoices", readonly=True)
    amount_due = fields.Monetary(readonly=True)
    date_due = fields.Date(string="Oldest Due Date", readonly=True)
    days_overdue = fields.Integer(readonly=True, aggregator="max")
    priority = fields.Float(
        digits=(16, 0),
        readonly=True,
        aggregator="sum",
        help="Each invoice's amount due (in company currency) times its days overdue, added "
        "up: the most money waiting the longest comes first.",
    )
    call_requested = fields.Boolean(
        string="Call Level",
        readonly=True,
        help="A dunning level asks for a call about at least one of these invoices.",
    )
    new_customer = fields.Boolean(
        readonly=True,
        help="The customer's first invoice is younger than the new-customer period and its "
        "salesperson has not logged a call yet: the salesperson calls first, from My "
        "Customers to Call, before a collector or the call centre does.",
    )
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices to Discuss",
        compute="_compute_details",
        compute_sudo=True,
        search="_search_move_ids",
    )
    contact_id = fields.Many2one("res.partner", compute="_compute_details", compute_sudo=True)
    phone = fields.Char(compute="_compute_details", compute_sudo=True)
    phone_wrong = fields.Boolean(
        string="Wrong Number",
        compute="_compute_details",
        compute_sudo=True,
        help="A call to this number was logged as a wrong number.",
    )
    last_call_id = fields.Many2one("dunning.call", compute="_compute_details", compute_sudo=True)
    last_call_date = fields.Datetime(
        string="Last Called", compute="_compute_details", compute_sudo=True
    )
    last_call_outcome = fields.Selection(
        CALL_OUTCOMES, string="Last Outcome", compute="_compute_details", compute_sudo=True
    )

    # ------------------------------------------------------------------ rows

    @property
    def _table_query(self):
        company = self.env.company
        self._dunning_no_jit()
        return SQL(
            """
            SELECT p.id AS id, p.id AS partner_id, %(company)s AS company_id,
                   %(currency)s AS currency_id, p.dunning_user_id AS user_id,
                   p.user_id AS salesperson_id,
                   count(*) AS invoice_count, sum(cand.amount) AS amount_due,
                   min(cand.date_due) AS date_due, max(cand.days) AS days_overdue,
                   sum(cand.amount * cand.days) AS priority,
                   bool_or(cand.call_requested) AS call_requested,
                   bool_and(cand.new_customer) AS new_customer
              FROM (%(candidates)s) cand
              JOIN res_partner p ON p.id = cand.partner_id
             GROUP BY p.id
            """,
            company=company.id,
            currency=company.currency_id.id,
            candidates=self._candidate_sql(),
        )

    @api.model
    def _candidate_sql(self, partner_ids=None):
        """SQL of the invoices to call about today in the current company, one row each:
        ``id, partner_id, contact_id, amount, date_due, days, call_requested``.

        An invoice is on the list when a call level asks for it (the call letter is to send, or
        sent and its call activity still open) or when it is overdue more than the company's
        "call after" days; and never when it is paid, excluded, handed over, paused (dispute,
        plan, pause date: :meth:`account.move._dunning_pause_domain`), or when its customer is
        excluded, in the days before its payment day, or agreed on a promise or a payment term
        today. The customer's open credits (unmatched payments, credit notes...) lower its
        oldest invoices first: an invoice they cover is not on the list, and ``amount`` is what
        they leave of it; a customer whose payment waits in the bank, not yet matched, is not
        called during the company's hold days.
        """
        company = self.env.company
        today = fields.Date.context_today(self)
        call_after = max(company.dunning_call_after_days, 0)
        Move = self.env["account.move"]
        Move.flush_model()
        self.env["res.partner"].flush_model(
            ["dunning_excluded", "payment_days", "user_id", "dunning_user_id"]
        )
        self.env["dunning.letter"].flush_model(["channel", "state", "company_id"])
        self.env["dunning.letter.line"].flush_model(["move_id", "letter_id"])
        self.env["mail.activity"].flush_model(["res_model", "res_id", "active"])
        self.env["dunning.call"].flush_model(
            ["partner_id", "company_id", "date", "outcome", "user_id"]
        )
        flush_credits(self.env)
        held = self.env["account.bank.statement.line"]._dunning_unmatched_payers(company, today)
        not_paused = self._not_paused_sql(today)
        window_days = self._in_payment_window_values(company, today)
        day_start, day_end = self._day_bounds(today)
        conditions = [
            SQL("m.company_id = %s", company.id),
            dunnable_invoice_sql(today),
            SQL(
                "(m.invoice_date_due < %s OR call_move.move_id IS NOT NULL)",
                today - timedelta(days=call_after),
            ),
            not_paused,
            SQL(
                """p.id NOT IN (
                    SELECT c.partner_id FROM dunning_call c
                     WHERE c.company_id = %s AND c.outcome IN %s
                       AND c.date >= %s AND c.date < %s)""",
                company.id,
                SETTLED_TODAY,
                day_start,
                day_end,
            ),
        ]
        if window_days:
            conditions.append(
                SQL("(p.payment_days IS NULL OR p.payment_days NOT IN %s)", window_days)
            )
        if held:
            conditions.append(SQL("p.id NOT IN %s", tuple(held)))
        if partner_ids is not None:
            conditions.append(SQL("m.commercial_partner_id IN %s", tuple(partner_ids) or (0,)))
        return SQL(
            """
            SELECT m.id, m.commercial_partner_id AS partner_id, m.partner_id AS contact_id,
                   COALESCE(n.net_signed, m.amount_residual_signed) AS amount,
                   m.invoice_date_due AS date_due,
                   %(today)s - m.invoice_date_due AS days,
                   call_move.move_id IS NOT NULL AS call_requested,
                   %(new_customer)s AS new_customer
              FROM account_move m
              JOIN res_partner p ON p.id = m.commercial_partner_id
              -- what the customer's open credits leave of the invoice (oldest first)
              LEFT JOIN (%(net)s) n ON n.id = m.id
              LEFT JOIN (
                    -- invoices of call letters still to make: to send, or sent with their
                    -- call activity still open
                    SELECT DISTINCT ll.move_id
                      FROM dunning_letter_line ll
                      JOIN dunning_letter l ON l.id = ll.letter_id
                     WHERE l.channel = 'call' AND l.company_id = %(company)s
                       AND (l.state = 'draft' OR (l.state = 'sent' AND EXISTS (
                            SELECT 1 FROM mail_activity a
                             WHERE a.res_model = 'dunning.letter' AND a.res_id = l.id
                               AND a.active)))
                   ) call_move ON call_move.move_id = m.id
             WHERE %(where)s
            """,
            today=today,
            company=company.id,
            new_customer=self._new_customer_sql(company, today),
            net=invoice_net_sql(company, partner_ids),
            where=SQL(" AND ").join(conditions),
        )

    @api.model
    def _dunning_no_jit(self):
        """No JIT compilation for the rest of this transaction. The worklist's query is
        costed above ``jit_above_cost``: compiling it took longer than running it (on 30,000
        customers 0.6 s of JIT for a 1.1 s query, bench/README.md), and a request reads it
        once."""
        self.env.cr.execute(SQL("SET LOCAL jit = off"))

    @api.model
    def _new_customer_sql(self, company, today):
        """Whether the invoice row ``m`` of customer ``p`` is a new customer's whom the
        salesperson calls first: the company's levels ask the salesperson about new
        customers (the rule that holds their letters), the customer has a salesperson, no
        invoice of the customer is older than the new-customer period, and the salesperson
        has not logged a call about them. The lookups only run for the few recent invoices,
        by index, never over every invoice of the company."""
        days = company.dunning_new_customer_days
        asks = days > 0 and self.env["dunning.level"].sudo().search_count(
            [
                ("ask_salesperson_new_customer", "=", True),
                ("policy_id.company_id", "in", [company.id, False]),
            ],
            limit=1,
        )
        if not asks:
            return SQL("FALSE")
        since = today - timedelta(days=days)
        return SQL(
            # Scalar subqueries, not EXISTS: PostgreSQL runs them per row by index, only for
            # the rows the CASE lets through, where an EXISTS became a scan of every invoice.
            """CASE WHEN m.invoice_date > %(since)s AND p.user_id IS NOT NULL THEN
                   (SELECT min(o.invoice_date) FROM account_move o
                     WHERE o.commercial_partner_id = m.commercial_partner_id
                       AND o.company_id = %(company)s AND o.move_type = 'out_invoice'
                       AND o.state = 'posted') > %(since)s
                   AND (SELECT 1 FROM dunning_call c
                         WHERE c.partner_id = p.id AND c.company_id = %(company)s
                           AND c.user_id = p.user_id
                         LIMIT 1) IS NULL
               ELSE FALSE END""",
            since=since,
            company=company.id,
        )

    @api.model
    def _not_paused_sql(self, today):
        """The opposite of :meth:`account.move._dunning_pause_domain` as a condition on the
        invoice row ``m`` itself: tested in the same scan, not by a second pass over every
        invoice (that subquery cost as much as the worklist's own scan on 100,000 invoices)."""
        Move = self.env["account.move"].sudo().with_context(active_test=False)
        domain = (~Move._dunning_pause_domain(today)).optimize_full(Move)
        query = Move._search([])
        condition = domain._to_sql(Move, "m", query)
        # The pause conditions are on the invoice's own columns; a join would be lost here.
        assert not query._joins, "the pause domain needs a join: write it as a subquery"
        return condition

    @api.model
    def _in_payment_window_values(self, company, today):
        """The payment-day settings (as written on partners) whose payment day is near today:
        their customers are about to pay and get no call. There are a few dozen distinct
        settings, so the date rule runs in Python, the same as for letters."""
        rows = self.env.execute_query(
            SQL(
                "SELECT DISTINCT payment_days FROM res_partner "
                "WHERE payment_days IS NOT NULL AND payment_days != ''"
            )
        )
        window = company.dunning_payment_day_window
        values = []
        for (text,) in rows:
            try:
                days = parse_payment_days(text)
            except ValueError:
                continue
            if in_payment_window(days, today, window):
                values.append(text)
        return tuple(values)

    @api.model
    def _day_bounds(self, day):
        """``day`` in the user's time zone, as a UTC interval for datetime columns."""
        tz = pytz.timezone(self.env.context.get("tz") or self.env.user.tz or "UTC")
        start = tz.localize(datetime.combine(day, time.min))
        end = tz.localize(datetime.combine(day + timedelta(days=1), time.min))
        return (
            start.astimezone(pytz.utc).replace(tzinfo=None),
            end.astimezone(pytz.utc).replace(tzinfo=None),
        )

    # ------------------------------------------------------------------ computes

    def _compute_details(self):
        """The invoices, contact, phone and last call of the rows shown, in three queries."""
        ids = [i for i in self.ids if i]
        moves, contacts = defaultdict(list), {}
        last_call = {}
        if ids:
            for partner_id, move_id, contact_id in self.env.execute_query(
                SQL(
                    "SELECT cand.partner_id, cand.id, cand.contact_id FROM (%s) cand "
                    "ORDER BY cand.date_due, cand.id",
                    self._candidate_sql(ids),
                )
            ):
                moves[partner_id].append(move_id)
                contacts.setdefault(partner_id, contact_id)
            self.env["dunning.call"].flush_model(["partner_id", "company_id", "date", "outcome"])
            last_call = {
                partner_id: (call_id, date, outcome)
                for partner_id, call_id, date, outcome in self.env.execute_query(
                    SQL(
                        """SELECT DISTINCT ON (partner_id) partner_id, id, date, outcome
                             FROM dunning_call
                            WHERE partner_id IN %s AND company_id = %s
                            ORDER BY partner_id, date DESC, id DESC""",
                        tuple(ids),
                        self.env.company.id,
                    )
                )
            }
        # one read of the contacts' phones, not one per row
        Partner = self.env["res.partner"]
        Partner.browse(set(contacts.values())).fetch(["phone"])
        for row in self:
            contact = Partner.browse(contacts.get(row.id)) or row.partner_id
            phone = contact.phone or row.partner_id.phone
            row.move_ids = moves.get(row.id, [])
            row.contact_id = contact
            row.phone = phone
            row.last_call_id, row.last_call_date, row.last_call_outcome = last_call.get(
                row.id, (False, False, False)
            )
        wrong = self.env["dunning.call"]._wrong_numbers(self.mapped("phone"))
        for row in self:
            row.phone_wrong = bool(row.phone) and row.phone in wrong

    def _search_move_ids(self, operator, value):
        Move = self.env["account.move"]
        if operator == "in":
            moves = tuple(v for v in value if v) or (0,)
        elif operator == "any":
            moves = Move._search(value).subselect()
        elif operator in ("ilike", "=ilike", "like", "=like", "="):
            moves = Move._search([("name", operator, value)]).subselect()
        else:
            return NotImplemented

        def to_sql(model, alias, query):
            return SQL(
                "%s IN (SELECT cand.partner_id FROM (%s) cand WHERE cand.id IN %s)",
                SQL.identifier(alias, "id"),
                model._candidate_sql(),
                moves,
            )

        return Domain.custom(to_sql=to_sql)

    # ------------------------------------------------------------------ actions

    def action_log_call(self):
        self.ensure_one()
        return self.env["dunning.call.log"]._action_open(self.partner_id, self.move_ids)

    def action_open_partner(self):
        self.ensure_one()
        return form_action("res.partner", self.partner_id.id)

    @api.model
    def _candidate_moves(self, partners):
        """The invoices on today's worklist of ``partners``, by customer, oldest first."""
        result = defaultdict(lambda: self.env["account.move"])
        if not partners:
            return result
        rows = self.env.execute_query(
            SQL(
                "SELECT cand.partner_id, cand.id FROM (%s) cand ORDER BY cand.date_due, cand.id",
                self._candidate_sql(partners.ids),
            )
        )
        ids = defaultdict(list)
        for partner_id, move_id in rows:
            ids[partner_id].append(move_id)
        for partner_id, move_ids in ids.items():
            result[partner_id] = self.env["account.move"].browse(move_ids)
        return result
