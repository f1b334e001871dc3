from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command, Domain
from odoo.tools import SQL, format_date

from ..lib import data_check
from ..lib.actions import list_action
from ..lib.dunning_schedule import next_step
from ..lib.open_invoice import OPEN_PAYMENT_STATES, open_invoice_domain
from .dunning_dispute import PAUSING_STATES

DUNNING_STATES = [
    ("not_due", "Not due"),
    ("grace", "In grace period"),
    ("overdue", "Overdue"),
    ("dunned", "Dunned"),
    ("paused", "Paused"),
    ("excluded", "Excluded"),
    ("judicial", "Judicial"),
    ("paid", "Paid"),
]


class AccountMove(models.Model):
    _inherit = "account.move"

    # Customer figures (levels, payment status) group invoices by commercial partner.
    commercial_partner_id = fields.Many2one(index=True)

    # The level and the last reminder date are derived from the letters, never copied onto the
    # invoice: the nightly run then only inserts letters and never rewrites invoice rows.
    # The level, the exclusion reason and the data errors are internal: not for the portal.
    dunning_level_id = fields.Many2one(
        "dunning.level",
        compute="_compute_dunning_last",
        search="_search_dunning_level_id",
        groups="base.group_user",
        help="The last dunning level this invoice reached: the level of its latest letter "
        "that was not cancelled.",
    )
    dunning_date = fields.Date(
        string="Last Reminder",
        compute="_compute_dunning_last",
        help="The day the last letter about this invoice went out.",
    )
    dunning_anchor_date = fields.Date(
        string="Dunning Restart Date",
        copy=False,
        readonly=True,
        help="Set when dunning resumes after a dispute or a broken plan: the delays of the "
        "remaining levels count from here instead of from the due date.",
    )
    dunning_next_date = fields.Date(
        string="Next Reminder",
        compute="_compute_dunning_next",
        help="The date from which the daily run sends the next level, unless the invoice is "
        "paid, paused or excluded by then.",
    )
    dunning_next_level_id = fields.Many2one(
        "dunning.level", string="Next Dunning Level", compute="_compute_dunning_next"
    )
    dunning_policy_id = fields.Many2one("dunning.policy", compute="_compute_dunning_policy_id")
    dunning_excluded = fields.Boolean(string="Excluded from Dunning", copy=False, tracking=True)
    dunning_exclusion_reason = fields.Char(copy=False, tracking=True, groups="base.group_user")
    dunning_pause_until = fields.Date(
        string="Pause Dunning Until",
        copy=False,
        tracking=True,
        help="No reminder goes out for this invoice until this date (included).",
    )
    dunning_judicial = fields.Boolean(
        string="Handed Over",
        copy=False,
        readonly=True,
        tracking=True,
        help="Handed over to a bailiff or a lawyer: out of the amicable process.",
    )
    dunning_judicial_route = fields.Selection(
        [("bailiff", "Bailiff"), ("lawyer", "Lawyer")],
        string="Handed Over To",
        copy=False,
        readonly=True,
    )
    dunning_state = fields.Selection(
        DUNNING_STATES,
        string="Dunning Status",
        compute="_compute_dunning_state",
        search="_search_dunning_state",
    )
    dunning_days_overdue = fields.Integer(
        string="Days Overdue", compute="_compute_dunning_days_overdue"
    )
    dunning_letter_line_ids = fields.One2many(
        "dunning.letter.line", "move_id", string="Reminder Lines", readonly=True
    )
    dunning_letter_ids = fields.Many2many(
        "dunning.letter", string="Reminders", compute="_compute_dunning_letter_ids"
    )
    dunning_letter_count = fields.Integer(compute="_compute_dunning_letter_ids")
    dunning_dispute_ids = fields.Many2many(
        "dunning.dispute",
        "dunning_dispute_account_move_rel",
        "move_id",
        "dispute_id",
        string="Disputes",
        copy=False,
        readonly=True,
    )
    dunning_open_dispute_ids = fields.Many2many(
        "dunning.dispute", string="Open Disputes", compute="_compute_dunning_disputes"
    )
    dunning_dispute_count = fields.Integer(
        string="Number of Disputes", compute="_compute_dunning_disputes"
    )
    dunning_plan_ids = fields.Many2many(
        "dunning.plan",
        "dunning_plan_account_move_rel",
        "move_id",
        "plan_id",
        string="Payment Plans",
        copy=False,
        readonly=True,
    )
    dunning_plan_id = fields.Many2one(
        "dunning.plan", string="Active Payment Plan", compute="_compute_dunning_plans"
    )
    dunning_plan_count = fields.Integer(
        string="Number of Payment Plans", compute="_compute_dunning_plans"
    )
    # Prevention: what was wrong in the customer data when the invoice was posted.
    dunning_data_errors = fields.Char(
        string="Data Error Codes",
        copy=False,
        readonly=True,
        index="btree_not_null",
        groups="base.group_user",
        help="The problems found in the customer data when the invoice was posted, as codes. "
        "They are checked again, and cleared, when the customer data or the purchase-order "
        "number is corrected.",
    )
    dunning_data_error_text = fields.Text(
        string="Data Errors", compute="_compute_dunning_data_error_text", groups="base.group_user"
    )
    # Payment behaviour (average days to pay, DSO) needs the day an invoice was paid in full;
    # it never changes with "today", so it is stored once, when the invoice gets paid.
    dunning_paid_date = fields.Date(
        string="Paid On",
        compute="_compute_dunning_paid_date",
        store=True,
        index="btree_not_null",
        copy=False,
        help="The day this customer invoice was paid in full: the date of the last payment or "
        "credit note matched with it.",
    )
    dunning_fee_letter_id = fields.Many2one(
        "dunning.letter",
        string="Fees of Letter",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="This invoice books the fees and interest claimed by that letter; it never bears "
        "fees or interest itself.",
    )

    # ------------------------------------------------------------------ computes

    @api.depends(
        "dunning_letter_line_ids.state",
        "dunning_letter_line_ids.level_id",
        "dunning_letter_line_ids.letter_id.sent_date",
    )
    def _compute_dunning_last(self):
        ids = tuple(i for i in self.ids if isinstance(i, int))
        last = {}
        if ids:
            self.env["dunning.letter.line"].flush_model(["move_id", "level_id", "state"])
            self.env["dunning.letter"].flush_model(["sent_date"])
            last = {
                move_id: (level_id, sent_date)
                for move_id, level_id, sent_date in self.env.execute_query(
                    SQL(
                        "SELECT m.id, %s, %s FROM account_move m WHERE m.id IN %s",
                        self._dunning_level_sql(SQL("m.id")),
                        self._dunning_sent_date_sql(SQL("m.id")),
                        ids,
                    )
                )
            }
        for move in self:
            level_id, sent_date = last.get(move.id, (False, False))
            move.dunning_level_id = level_id
            move.dunning_date = sent_date

    def _search_dunning_level_id(self, operator, value):
        operand = self.env["dunning.level"]._search_operand(operator, value)
        if operand is None:
            return NotImplemented
        levels, include_null = operand
        positive = operator in ("in", "any")

        def to_sql(model, alias, query):
            level = model._dunning_level_sql(SQL.identifier(alias, "id"))
            parts = [SQL("%s IN %s", level, levels)] if levels else []
            if include_null:
                parts.append(SQL("%s IS NULL", level))
            match = SQL("(%s)", SQL(" OR ").join(parts)) if parts else SQL("FALSE")
            return match if positive else SQL("(%s) IS NOT TRUE", match)

        return Domain.custom(to_sql=to_sql)

    @api.model
    def _dunning_level_sql(self, move_id):
        """SQL expression of an invoice's current level: that of its latest letter line that
        was not cancelled (the run, searches and partner levels all use this one rule)."""
        return SQL(
            """(SELECT dll.level_id FROM dunning_letter_line dll
                 WHERE dll.move_id = %s AND dll.state != 'cancel'
                 ORDER BY dll.id DESC LIMIT 1)""",
            move_id,
        )

    @api.model
    def _dunning_sent_date_sql(self, move_id):
        """SQL expression of the day the last letter about an invoice went out."""
        return SQL(
            """(SELECT max(dl.sent_date) FROM dunning_letter_line dll
                  JOIN dunning_letter dl ON dl.id = dll.letter_id
                 WHERE dll.move_id = %s AND dll.state = 'sent')""",
            move_id,
        )

    @api.depends("commercial_partner_id", "company_id")
    def _compute_dunning_policy_id(self):
        for move in self:
            partner = move.commercial_partner_id
            # a new invoice has no customer yet (the form computes this before one is chosen)
            move.dunning_policy_id = (
                partner.with_company(move.company_id)._dunning_effective_policy()
                if partner
                else False
            )

    @api.depends(
        "dunning_level_id",
        "dunning_date",
        "dunning_anchor_date",
        "invoice_date_due",
        "dunning_policy_id",
        "payment_state",
        "move_type",
        "state",
    )
    def _compute_dunning_next(self):
        for move in self:
            move.dunning_next_date = False
            move.dunning_next_level_id = False
            policy = move.dunning_policy_id
            if not (move._dunning_is_open_invoice() and policy) or move.dunning_judicial:
                continue
            level_id, when = next_step(
                policy._level_steps(),
                move.dunning_level_id._step(),
                move.invoice_date_due,
                move.dunning_anchor_date,
                move.dunning_date,
                policy.grace_days,
            )
            move.dunning_next_level_id = level_id
            move.dunning_next_date = when

    @api.depends("payment_state", "line_ids.matched_credit_ids.max_date")
    def _compute_dunning_paid_date(self):
        for move in self:
            paid_date = False
            if move.move_type == "out_invoice" and move.payment_state in ("paid", "in_payment"):
                terms = move.line_ids.filtered(lambda line: line.display_type == "payment_term")
                paid_date = max(terms.matched_credit_ids.mapped("max_date"), default=False)
            move.dunning_paid_date = paid_date

    @api.depends("invoice_date_due")
    def _compute_dunning_days_overdue(self):
        today = fields.Date.context_today(self)
        for move in self:
            due = move.invoice_date_due
            move.dunning_days_overdue = max((today - due).days, 0) if due else 0

    @api.depends_context("uid")
    @api.depends("dunning_letter_line_ids.letter_id")
    def _compute_dunning_letter_ids(self):
        for move in self:
            move.dunning_letter_ids = move.dunning_letter_line_ids.letter_id
            move.dunning_letter_count = len(move.dunning_letter_ids)

    @api.depends("dunning_dispute_ids.state")
    def _compute_dunning_disputes(self):
        for move in self:
            move.dunning_open_dispute_ids = move.dunning_dispute_ids.filtered(
                lambda dispute: dispute.state in PAUSING_STATES
            )
            move.dunning_dispute_count = len(move.dunning_dispute_ids)

    @api.depends("dunning_plan_ids.state")
    def _compute_dunning_plans(self):
        for move in self:
            move.dunning_plan_id = move.dunning_plan_ids.filtered(
                lambda plan: plan.state == "active"
            )[:1]
            move.dunning_plan_count = len(move.dunning_plan_ids)

    @api.depends(
        "move_type",
        "state",
        "payment_state",
        "amount_residual",
        "invoice_date_due",
        "dunning_excluded",
        "dunning_judicial",
        "dunning_level_id",
        "dunning_pause_until",
        "commercial_partner_id.dunning_excluded",
    )
    def _compute_dunning_state(self):
        today = fields.Date.context_today(self)
        invoices = self.filtered(lambda m: m.move_type == "out_invoice" and m.state == "posted")
        paused = invoices._dunning_is_paused(today)
        for move in self:
            if move not in invoices:
                move.dunning_state = False
            elif not move._dunning_is_open_invoice():
                move.dunning_state = "paid"
            elif move.dunning_judicial:
                move.dunning_state = "judicial"
            elif move.dunning_excluded or move.commercial_partner_id.dunning_excluded:
                move.dunning_state = "excluded"
            elif move in paused:
                move.dunning_state = "paused"
            elif move.dunning_level_id:
                move.dunning_state = "dunned"
            elif not move.invoice_date_due or move.invoice_date_due >= today:
                move.dunning_state = "not_due"
            elif move.invoice_date_due + timedelta(days=move.dunning_policy_id.grace_days) >= today:
                move.dunning_state = "grace"
            else:
                move.dunning_state = "overdue"

    def _search_dunning_state(self, operator, value):
        if operator != "in":
            return NotImplemented
        today = fields.Date.context_today(self)
        invoice = Domain("move_type", "=", "out_invoice") & Domain("state", "=", "posted")
        paid = Domain("payment_state", "not in", OPEN_PAYMENT_STATES) | Domain(
            "amount_residual", "<=", 0
        )
        judicial = ~paid & Domain("dunning_judicial", "=", True)
        excluded = (
            ~paid
            & ~judicial
            & (
                Domain("dunning_excluded", "=", True)
                | Domain("commercial_partner_id.dunning_excluded", "=", True)
            )
        )
        paused = ~paid & ~judicial & ~excluded & self._dunning_pause_domain(today)
        active = ~paid & ~judicial & ~excluded & ~paused
        dunned = active & Domain("dunning_level_id", "!=", False)
        undunned = active & Domain("dunning_level_id", "=", False)
        not_due = undunned & (
            Domain("invoice_date_due", "=", False) | Domain("invoice_date_due", ">=", today)
        )
        late = undunned & Domain("invoice_date_due", "<", today)
        in_grace = late & self._dunning_in_grace_domain(today)
        domains = {
            "paid": paid,
            "judicial": judicial,
            "excluded": excluded,
            "paused": paused,
            "dunned": dunned,
            "not_due": not_due,
            "grace": in_grace,
            "overdue": late & ~in_grace,
        }
        return invoice & Domain.OR(domains[state] for state in value if state in domains)

    @api.depends(
        "dunning_data_errors",
        "partner_id.name",
        "partner_id.email",
        "partner_id.zip",
        "commercial_partner_id.name",
        "ref",
    )
    def _compute_dunning_data_error_text(self):
        for move in self:
            codes = move.dunning_data_errors.split(",") if move.dunning_data_errors else []
            move.dunning_data_error_text = "\n".join(move._dunning_data_error_lines(codes)) or False

    @api.depends(
        "dunning_data_errors", "partner_id", "ref", "company_id", "invoice_payment_term_id"
    )
    def _compute_alerts(self):
        # Only adds dependencies: the alert itself comes from _get_alerts.
        return super()._compute_alerts()

    def _dunning_in_grace_domain(self, today):
        """Invoices whose due date plus their policy's grace days is today or later."""

        def to_sql(model, alias, query):
            policy = model.env["res.partner"]._dunning_policy_id_sql(
                SQL.identifier(alias, "commercial_partner_id"), SQL.identifier(alias, "company_id")
            )
            return SQL(
                "%s + COALESCE((SELECT grace_days FROM dunning_policy WHERE id = %s), 0) >= %s",
                SQL.identifier(alias, "invoice_date_due"),
                policy,
                today,
            )

        return Domain.custom(to_sql=to_sql)

    # ------------------------------------------------------------------ hooks

    def _dunning_is_open_invoice(self):
        """Whether this invoice is open: :func:`~..lib.open_invoice.open_invoice_domain`."""
        self.ensure_one()
        return bool(self.filtered_domain(open_invoice_domain()))

    @api.model
    def _dunning_pause_domain(self, on_date):
        """Domain of invoices whose dunning is paused on ``on_date``.

        Extension point: disputes and payment plans add their own condition with ``|``.
        """
        return (
            Domain("dunning_pause_until", ">=", on_date)
            | Domain("payment_state", "=", "blocked")
            | self._dunning_agreement_domain()
        )

    @api.model
    def _dunning_agreement_domain(self):
        """Invoices in an open dispute (or in mediation) or in an active payment plan.

        The same as ``any!`` on ``dunning_dispute_ids`` and ``dunning_plan_ids``, written as
        ``id IN (subquery)``: PostgreSQL then estimates it at its true, small cost, where the
        EXISTS form made it JIT-compile the query (0.9 s instead of 0.1 s to count the paused
        invoices among 100,000). Like ``any!``, it ignores record rules: a salesperson who
        cannot read a dispute still sees its invoice paused.
        """

        def to_sql(model, alias, query):
            return model._dunning_agreement_sql(SQL.identifier(alias, "id"))

        return Domain.custom(to_sql=to_sql)

    @api.model
    def _dunning_agreement_sql(self, move_id):
        """SQL: the invoice id ``move_id`` is in an open dispute or an active plan (see
        :meth:`_dunning_agreement_domain`, and the payment status, which reads it too)."""
        self.env["dunning.dispute"].flush_model(["state", "move_ids"])
        self.env["dunning.plan"].flush_model(["state", "move_ids"])
        return SQL(
            """%s IN (
                SELECT rel.move_id FROM dunning_dispute_account_move_rel rel
                  JOIN dunning_dispute dispute ON dispute.id = rel.dispute_id
                 WHERE dispute.state IN %s
                 UNION ALL
                SELECT rel.move_id FROM dunning_plan_account_move_rel rel
                  JOIN dunning_plan plan ON plan.id = rel.plan_id
                 WHERE plan.state = 'active')""",
            move_id,
            PAUSING_STATES,
        )

    def _dunning_is_paused(self, on_date=None):
        """Return the invoices of ``self`` whose dunning is paused on ``on_date`` (default:
        today), in one query whatever the number of invoices.

        This is the single hook through which disputes and payment plans stop dunning: they
        extend :meth:`_dunning_pause_domain`, which this method evaluates for the whole set.
        """
        ids = [i for i in self.ids if i]
        if not ids:
            return self.browse()
        on_date = on_date or fields.Date.context_today(self)
        return (
            self.with_context(active_test=False)
            .search(Domain("id", "in", ids) & self._dunning_pause_domain(on_date))
            .with_env(self.env)
        )

    def _dunning_has_dispute(self):
        """The invoices of ``self`` that have, or had, a dispute that was not cancelled.

        Such a debt is not "uncontested": it never goes to the bailiff's procedure for
        uncontested debts (judicial hand-over routes it to the lawyer).
        """
        return self._dunning_search_among(
            Domain("dunning_dispute_ids", "any!", Domain("state", "!=", "cancelled"))
        )

    def _dunning_disputed(self):
        """The invoices of ``self`` in an open dispute or in mediation."""
        return self._dunning_search_among(
            Domain("dunning_dispute_ids", "any!", Domain("state", "in", PAUSING_STATES))
        )

    def _dunning_search_among(self, domain):
        ids = [i for i in self.ids if i]
        if not ids:
            return self.browse()
        return (
            self.sudo()
            .with_context(active_test=False)
            .search(Domain("id", "in", ids) & domain)
            .with_env(self.env)
        )

    def _dunning_resume(self, on_date):
        """Resume dunning of the open invoices of ``self`` after a dispute or a plan, from the
        level they reached, with the next delay counting from ``on_date``. Returns them."""
        moves = self.sudo().filtered_domain(open_invoice_domain())
        moves._dunning_restart(on_date)
        return moves.with_env(self.env)

    def _dunning_update_plans(self):
        """Payments reached these invoices: close the plans they complete."""
        if not self.ids:
            return
        self.env["dunning.plan"].sudo().search(
            [("move_ids", "in", self.ids), ("state", "in", ("active", "done"))]
        )._sync_paid_state()

    def _dunning_restart(self, restart_date):
        """Resume dunning from ``restart_date``: the remaining levels keep their spacing but
        count from that date, as if the last level had been reached on it."""
        for level, moves in self.grouped("dunning_level_id").items():
            moves._dunning_write(
                {"dunning_anchor_date": restart_date - timedelta(days=level.delay_days)}
            )

    def _dunning_write(self, vals):
        """Write dunning's own fields on these invoices through ``write()``, so that tracking
        and the overrides of other modules apply. Callers batch the invoices that get the same
        values. It is not the user's edit of the invoice: Odoo's ``is_manually_modified``
        stays as it was."""
        if self:
            self.with_context(skip_is_manually_modified=True).write(vals)

    # ------------------------------------------------------------------ actions

    def action_open_dunning_letters(self):
        self.ensure_one()
        return self.env["dunning.letter"]._action_list([("id", "in", self.dunning_letter_ids.ids)])

    def action_dunning_new_dispute(self):
        """Quick action: a new dispute about this invoice."""
        self.ensure_one()
        return self.env["dunning.dispute"]._action_new(
            self.commercial_partner_id, self, self.company_id
        )

    def action_dunning_open_disputes(self):
        self.ensure_one()
        return self._dunning_agreements_action("smart_dunning.dunning_dispute_action")

    def action_dunning_open_plans(self):
        self.ensure_one()
        return self._dunning_agreements_action("smart_dunning.dunning_plan_action")

    def _dunning_agreements_action(self, xmlid):
        """The disputes or plans (``xmlid``) about this invoice; a new one is about it too."""
        return list_action(
            self.env,
            xmlid,
            [("move_ids", "in", self.ids)],
            {"default_partner_id": self.commercial_partner_id.id, "default_move_ids": self.ids},
        )

    def action_dunning_promise(self):
        """Quick action: record the customer's promise to pay this invoice on a date."""
        return self.env["dunning.plan.promise"]._action_open(self.commercial_partner_id[:1], self)

    # ------------------------------------------------------------------ prevention at posting

    def _post(self, soft=True):
        checked = self.filtered(
            lambda m: m.move_type == "out_invoice" and m.company_id.dunning_data_check != "off"
        )
        problems = checked._dunning_data_problems()
        blocked = {
            move: codes
            for move, codes in problems.items()
            if move.company_id.dunning_data_check == "block"
        }
        if blocked:
            raise UserError(self._dunning_block_message(blocked))
        term_warnings = {
            move: move.dunning_term_warning for move in self.filtered("dunning_term_warning")
        }
        posted = super()._post(soft=soft)
        (checked & posted)._dunning_store_data_errors(problems, posting=True)
        posted._dunning_log_term_warnings(term_warnings)
        (checked & posted)._dunning_store_posted_data_errors(problems)
        return posted

    def button_draft(self):
        res = super().button_draft()
        # Back in draft, the problems show live on the form and are checked again at posting.
        self.filtered("dunning_data_errors")._dunning_write({"dunning_data_errors": False})
        return res

    def write(self, vals):
        res = super().write(vals)
        if "ref" in vals:
            self.filtered("dunning_data_errors")._dunning_recheck_data()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_dunning_evidence(self):
        """An invoice that a sent letter, a dispute, a confirmed plan or a call speaks of stays
        on file (the database refuses it too: ``ondelete="restrict"``). Letters still to send
        and draft plans simply let it go."""
        if not self:
            return
        env = self.env(su=True)
        ids = self.ids
        lines = env["dunning.letter.line"].search([("move_id", "in", ids)])
        fees = env["dunning.letter.fee"].search([("move_id", "in", ids)])
        Letter = env["dunning.letter"]
        credited = Letter.search([("credit_move_ids", "in", ids)])
        fee_letters = Letter.search([("fee_move_id", "in", ids)])
        disputes = env["dunning.dispute"].search(
            ["|", ("move_ids", "in", ids), ("credit_note_ids", "in", ids)]
        )
        plans = env["dunning.plan"].search([("move_ids", "in", ids)])
        confirmed = plans.filtered(lambda p: p.state != "draft")
        calls = env["dunning.call"].search([("move_ids", "in", ids)])
        kept = {}  # invoice -> the documents that keep it
        for move in self:
            sent = (
                lines.filtered(lambda ln, m=move: ln.move_id == m).letter_id
                | fees.filtered(lambda f, m=move: f.move_id == m).letter_id
                | credited.filtered(lambda ltr, m=move: m in ltr.credit_move_ids)
            ).filtered(lambda ltr: ltr._is_evidence()) | fee_letters.filtered(
                lambda ltr, m=move: ltr.fee_move_id == m
            )
            documents = (
                sent.mapped("name")
                + disputes.filtered(
                    lambda d, m=move: m in d.move_ids or m in d.credit_note_ids
                ).mapped("name")
                + confirmed.filtered(lambda p, m=move: m in p.move_ids).mapped("name")
                + calls.filtered(lambda c, m=move: m in c.move_ids).mapped("display_name")
            )
            if documents:
                kept[move] = documents
        if kept:
            raise UserError(
                "\n".join(
                    self.env._(
                        "%(invoice)s cannot be deleted: %(documents)s refer to it and are kept "
                        "as evidence. Cancel the invoice, or reverse it with a credit note, "
                        "instead.",
                        invoice=move.display_name,
                        documents=", ".join(documents),
                    )
                    for move, documents in kept.items()
                )
            )
        # Nothing went out about these invoices: their links to drafts go with them.
        lines.unlink()
        fees.unlink()
        unlink_moves = [Command.unlink(move_id) for move_id in ids]
        credited.write({"credit_move_ids": unlink_moves})
        plans.write({"move_ids": unlink_moves})

    def _get_alerts(self):
        alerts = super()._get_alerts()
        if self.move_type != "out_invoice" or not self.env.user._is_internal():
            return alerts
        if self.state == "posted" and self.dunning_data_errors:
            alerts["smart_dunning_data_errors"] = {
                "level": "warning",
                "message": self.env._(
                    "This invoice went out with errors in the customer data, which often keep "
                    "it from being paid:\n%(errors)s\nCorrect the customer or the customer "
                    "reference: this warning then disappears.",
                    errors=self.dunning_data_error_text,
                ),
                "action_text": self.env._("Check again"),
                "action_call": ["account.move", "action_dunning_check_data", self.ids],
            }
        elif self.state == "draft" and self.company_id.dunning_data_check != "off":
            codes = self._dunning_data_problems().get(self)
            if codes:
                errors = "\n".join(self._dunning_data_error_lines(codes))
                block = self.company_id.dunning_data_check == "block"
                alerts["smart_dunning_data_errors"] = {
                    "level": "danger" if block else "warning",
                    "message": self.env._(
                        "This invoice cannot be posted until the customer data is corrected:"
                        "\n%(errors)s",
                        errors=errors,
                    )
                    if block
                    else self.env._(
                        "Errors in the customer data, which often keep an invoice from being "
                        "paid:\n%(errors)s",
                        errors=errors,
                    ),
                }
        if self.dunning_term_warning:
            alerts["smart_dunning_term"] = {
                "level": "warning",
                "message": self.dunning_term_warning,
            }
        return alerts

    def action_dunning_check_data(self):
        """Check the customer data of these posted customer invoices again (the warning of
        each invoice is updated), and say how many still have errors."""
        if not self.env.user._is_internal():
            raise AccessError(self.env._("Only employees can check the customer data again."))
        self.check_access("read")
        invoices = self.filtered(lambda m: m.move_type == "out_invoice" and m.state == "posted")
        invoices._dunning_recheck_data()
        with_errors = invoices.filtered("dunning_data_errors")
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning" if with_errors else "success",
                "message": self.env._(
                    "%(checked)s invoices checked, %(errors)s with errors in the customer data.",
                    checked=len(invoices),
                    errors=len(with_errors),
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _dunning_data_problems(self):
        """The problems in the customer data of these invoices: ``{invoice: [codes]}``, for
        the invoices that have some. The data of the whole batch is read in a few queries."""
        problems = {}
        # A fee invoice follows a letter about invoices that were checked themselves; it
        # never carries a PO number, and refusing it would stop the letter from going out.
        for move in self.filtered(lambda m: not m.dunning_fee_letter_id):
            partner = move.partner_id
            codes = data_check.data_problems(
                partner.email,
                partner.country_id.code,
                partner.zip,
                move.commercial_partner_id.dunning_po_required,
                move.ref,
                partner.dunning_email_suspect,
            )
            if codes:
                problems[move] = codes
        return problems

    def _dunning_data_error_lines(self, codes):
        """One translated sentence per problem code of this invoice."""
        self.ensure_one()
        contact = self.partner_id.display_name or "-"
        texts = {
            data_check.EMAIL_MISSING: lambda: self.env._(
                "%(contact)s has no e-mail address.", contact=contact
            ),
            data_check.EMAIL_INVALID: lambda: self.env._(
                "The e-mail address of %(contact)s is not valid: %(email)s.",
                contact=contact,
                email=self.partner_id.email or "-",
            ),
            data_check.EMAIL_BOUNCED: lambda: self.env._(
                "A reminder to %(email)s, the e-mail address of %(contact)s, bounced: check "
                "the address with the customer.",
                contact=contact,
                email=self.partner_id.email or "-",
            ),
            data_check.ZIP_BE: lambda: self.env._(
                "The postcode of %(contact)s is not a Belgian postcode (four digits, e.g. "
                "1000): %(zip)s.",
                contact=contact,
                zip=self.partner_id.zip or "-",
            ),
            data_check.ZIP_NL: lambda: self.env._(
                'The postcode of %(contact)s is not a Dutch postcode (e.g. "1234 AB"): %(zip)s.',
                contact=contact,
                zip=self.partner_id.zip or "-",
            ),
            data_check.PO_MISSING: lambda: self.env._(
                "%(customer)s requires its purchase-order number on every invoice, and the "
                "customer reference is empty.",
                customer=self.commercial_partner_id.display_name or "-",
            ),
        }
        return [texts[code]() for code in codes if code in texts]

    def _dunning_block_message(self, problems):
        """The error of a refused posting: every problem of every invoice."""
        invoices = "\n".join(
            "\n".join(
                [move.display_name]
                + [f"  - {line}" for line in move._dunning_data_error_lines(codes)]
            )
            for move, codes in problems.items()
        )
        return self.env._(
            "Not posted: correct the customer data first, or these invoices may not be paid."
            "\n\n%(invoices)s",
            invoices=invoices,
        )

    def _dunning_recheck_data(self):
        """Check the customer data of these posted customer invoices again and store what is
        left: the warning disappears once the data is corrected."""
        invoices = self.filtered(lambda m: m.move_type == "out_invoice" and m.state == "posted")
        invoices._dunning_store_data_errors(invoices._dunning_data_problems())

    @api.model
    def _dunning_recheck_partners(self, partners, open_invoices=False):
        """The data of ``partners`` changed: check again the invoices that have data errors
        and are addressed to them or belong to them as customer; with ``open_invoices``, also
        their unpaid invoices without errors (a reminder to them has just bounced)."""
        ids = [i for i in partners.ids if i]
        if not ids:
            return
        scope = Domain("dunning_data_errors", "!=", False)
        if open_invoices:
            scope |= Domain("payment_state", "in", OPEN_PAYMENT_STATES) & Domain(
                "company_id.dunning_data_check", "!=", "off"
            )
        # sudo: a salesperson who corrects an e-mail address cannot write invoices, but the
        # warning must follow the data.
        self.sudo().search(
            scope & (Domain("partner_id", "in", ids) | Domain("commercial_partner_id", "in", ids))
        )._dunning_recheck_data()

    def _dunning_store_data_errors(self, problems, posting=False):
        """Store the problems found (``{invoice: [codes]}``) on the invoices of ``self``, with
        a note in the chatter of each invoice whose problems changed."""
        groups, notes = {}, {}
        for move in self:
            codes = problems.get(move, [])
            value = ",".join(codes) or False
            if value == (move.dunning_data_errors or False) and not (posting and codes):
                continue
            groups.setdefault(value, []).append(move.id)
            notes[move.id] = move._dunning_data_error_note(codes, posting)
        for value, ids in groups.items():
            # sudo: the warning follows the customer data whoever changes it (a salesperson
            # cannot write invoices), as the bulk UPDATE it replaces did
            self.browse(ids).sudo()._dunning_write({"dunning_data_errors": value})
        if notes:
            self.browse(list(notes))._message_log_batch(notes)

    def _dunning_data_error_note(self, codes, posting):
        self.ensure_one()
        if not codes:
            return Markup("<p>%s</p>") % self.env._(
                "The customer data was corrected: no data errors left on this invoice."
            )
        if posting:
            title = self.env._("Posted with errors in the customer data:")
        else:
            title = self.env._("Customer data checked again, still to correct:")
        items = Markup().join(
            Markup("<li>%s</li>") % line for line in self._dunning_data_error_lines(codes)
        )
        return Markup("<p>%s</p><ul>%s</ul>") % (title, items)

    # ------------------------------------------------------------------ agreed payment term

    # Declared here, with its methods, to keep the agreed-term feature in one place.
    dunning_term_warning = fields.Char(
        string="Agreed Term Warning",
        compute="_compute_dunning_term_warning",
        help="Set on a draft customer invoice whose payment term differs from the one agreed "
        "with the customer in the latest call that agreed on a term. Posting is not blocked.",
    )

    @api.depends(
        "move_type", "state", "invoice_payment_term_id", "commercial_partner_id", "company_id"
    )
    def _compute_dunning_term_warning(self):
        drafts = self.filtered(lambda m: m.move_type == "out_invoice" and m.state == "draft")
        agreed = drafts._dunning_agreed_terms()
        for move in self:
            warning = False
            found = move in drafts and agreed.get(
                (move.commercial_partner_id.id, move.company_id.id)
            )
            if found and move.invoice_payment_term_id != found[0]:
                term, call_date = found
                warning = self.env._(
                    "%(customer)s agreed to the payment term %(agreed)s on %(date)s, and this "
                    "invoice has %(term)s. Check the payment term before posting.",
                    customer=move.commercial_partner_id.display_name,
                    agreed=term.display_name,
                    date=format_date(self.env, call_date),
                    term=move.invoice_payment_term_id.display_name or self.env._("no payment term"),
                )
            move.dunning_term_warning = warning

    def _dunning_agreed_terms(self):
        """``{(customer id, company id): (term, call date)}``: the term agreed in the latest
        call that agreed on one about each customer of ``self`` in the invoice's company, while
        it is still the customer's payment term there (one query for all)."""
        keys = {
            (move.commercial_partner_id.id, move.company_id.id)
            for move in self
            if move.commercial_partner_id and move.company_id
        }
        if not keys:
            return {}
        Call = self.env["dunning.call"]
        Call.flush_model(["partner_id", "company_id", "outcome", "date", "payment_term_id"])
        rows = self.env.execute_query(
            SQL(
                """SELECT DISTINCT ON (partner_id, company_id)
                          partner_id, company_id, payment_term_id, date
                     FROM dunning_call
                    WHERE outcome = 'payment_term' AND payment_term_id IS NOT NULL
                      AND partner_id IN %s
                 ORDER BY partner_id, company_id, date DESC, id DESC""",
                tuple({partner_id for partner_id, _company in keys}),
            )
        )
        rows = [row for row in rows if (row[0], row[1]) in keys]
        # the customers' current terms, read in one go per company
        Partner = self.env["res.partner"].sudo()
        current = {}
        for company_id in {row[1] for row in rows}:
            partners = Partner.browse({row[0] for row in rows if row[1] == company_id})
            for partner in partners.with_company(company_id):
                current[partner.id, company_id] = partner.property_payment_term_id.id
        Term = self.env["account.payment.term"]
        return {
            (partner_id, company_id): (Term.browse(term_id), call_date.date())
            for partner_id, company_id, term_id, call_date in rows
            if current[partner_id, company_id] == term_id
        }

    def _dunning_log_term_warnings(self, warnings):
        """A note on each posted invoice that was posted despite the agreed-term warning."""
        notes = {
            move.id: Markup("<p>%s</p>")
            % self.env._("Posted despite the warning: %(warning)s", warning=warnings[move])
            for move in self
            if move in warnings
        }
        if notes:
            self.browse(list(notes)).sudo()._message_log_batch(notes)

    # ------------------------------------------------------------------ data errors at posting

    # What was wrong when the invoice was posted, kept when the data is corrected since (the
    # monthly report of invoices posted with data errors counts it).
    dunning_posted_data_errors = fields.Char(
        string="Data Errors at Posting",
        copy=False,
        readonly=True,
        groups="base.group_user",
        help="The problem codes found in the customer data when the invoice was last posted; "
        "unlike Data Error Codes, they stay when the data is corrected.",
    )

    def _dunning_store_posted_data_errors(self, problems):
        """Keep the codes found at posting (``{invoice: [codes]}``) on the invoices of
        ``self``, a write per distinct value."""
        groups = {}
        for move in self:
            value = ",".join(problems.get(move, [])) or False
            if value != (move.dunning_posted_data_errors or False):
                groups.setdefault(value, []).append(move.id)
        for value, ids in groups.items():
            # sudo: as the current codes, whoever posts
            self.browse(ids).sudo()._dunning_write({"dunning_posted_data_errors": value})
