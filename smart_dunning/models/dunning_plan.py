from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import format_date

from ..lib.assignee import assignee_env
from ..lib.payment_matching import (
    find_documents,
    pick_by_reference,
    reconcile_document,
    reconcile_with_invoices,
    reference_candidates,
)
from ..lib.structured_communication import format_ogm, is_valid_ogm

PLAN_STATES = [
    ("draft", "Draft"),
    ("active", "Active"),
    ("done", "Done"),
    ("broken", "Broken"),
]
LINE_STATES = [("open", "To pay"), ("partial", "Partly paid"), ("paid", "Paid")]
# Plans get a structured communication of their own range, apart from invoices and letters.
PLAN_OGM_BASE = 2_000_000_000


def split_amount(total, digits, count=None, amount=None):
    """Split ``total`` into instalments, in ``count`` equal parts or in parts of ``amount``.

    Works in cents so that the parts always add up to ``total``; what cannot be shared out
    evenly goes on the last instalment (100.00 in 3: 33.33, 33.33, 33.34).
    """
    unit = 10**digits
    total_cents = round(total * unit)
    if count:
        part = total_cents // count
        cents = [part] * (count - 1) + [total_cents - part * (count - 1)]
    else:
        part = round(amount * unit)
        number = -(-total_cents // part)
        cents = [part] * (number - 1) + [total_cents - part * (number - 1)]
    return [c / unit for c in cents]


class DunningPlan(models.Model):
    _name = "dunning.plan"
    _description = "Payment Plan"
    _inherit = ["mail.thread", "mail.activity.mixin", "dunning.agreement.mixin"]
    _order = "id desc"

    kind = fields.Selection(
        [("plan", "Instalment plan"), ("promise", "Promise to pay")],
        required=True,
        default="plan",
        readonly=True,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Collector",
        compute="_compute_user_id",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        domain="[('share', '=', False)]",
        help="Gets an activity when the plan breaks.",
    )
    move_ids = fields.Many2many(
        "account.move",
        "dunning_plan_account_move_rel",
        "plan_id",
        "move_id",
        string="Invoices",
        check_company=True,
        # an invoice of a confirmed plan stays on file with it
        ondelete="restrict",
        domain="[('commercial_partner_id', '=', partner_id), ('move_type', '=', 'out_invoice'), "
        "('state', '=', 'posted'), ('payment_state', 'in', ('not_paid', 'partial'))]",
        help="While the plan is active, these invoices get no reminder.",
    )
    line_ids = fields.One2many("dunning.plan.line", "plan_id", string="Instalments", copy=True)
    note = fields.Text(string="Agreement", help="What was agreed, and with whom.")
    state = fields.Selection(
        PLAN_STATES, required=True, default="draft", index=True, readonly=True, tracking=True
    )
    amount_residual = fields.Monetary(
        string="Amount to Cover",
        compute="_compute_amount_residual",
        compute_sudo=True,
        help="What the covered invoices still have open today.",
    )
    amount_total = fields.Monetary(
        string="Total", compute="_compute_amount_total", store=True, tracking=True
    )
    amount_start = fields.Monetary(
        string="Amount at Confirmation",
        readonly=True,
        copy=False,
        help="The open amount of the invoices on the day the plan was confirmed; whatever "
        "they lose since counts as paid on the instalments.",
    )
    amount_paid = fields.Monetary(compute="_compute_amount_paid", store=True)
    amount_due = fields.Monetary(string="Still to Pay", compute="_compute_amount_paid", store=True)
    date_confirmed = fields.Date(string="Confirmed On", readonly=True, copy=False, tracking=True)
    date_broken = fields.Date(string="Broken On", readonly=True, copy=False, tracking=True)
    payment_reference = fields.Char(
        compute="_compute_payment_reference",
        help="The reference the customer puts on each transfer: a structured communication for "
        "a Belgian company.",
    )
    bank_account_id = fields.Many2one(
        "res.partner.bank",
        string="Pay To",
        compute="_compute_bank_account_id",
        compute_sudo=True,
        help="The company's bank account on which the customer pays the instalments.",
    )
    # Schedule generator, used while the plan is a draft.
    schedule_mode = fields.Selection(
        [("count", "Number of instalments"), ("amount", "Fixed amount")],
        string="Split By",
        default="count",
        required=True,
    )
    schedule_count = fields.Integer(string="Number of Instalments", default=3)
    schedule_amount = fields.Monetary(string="Instalment Amount")
    schedule_first_date = fields.Date(
        string="First Instalment On",
        default=lambda self: fields.Date.context_today(self) + timedelta(days=7),
    )
    schedule_interval = fields.Selection(
        [("monthly", "Monthly"), ("weekly", "Weekly")],
        string="Every",
        default="monthly",
        required=True,
    )

    def _reference_code(self, vals):
        kind = vals.get("kind") or self.env.context.get("default_kind")
        return "dunning.plan.promise" if kind == "promise" else "dunning.plan"

    @api.depends("partner_id")
    def _compute_user_id(self):
        for plan in self:
            plan.user_id = plan.partner_id.dunning_user_id or self.env.user

    @api.depends("move_ids.amount_residual")
    def _compute_amount_residual(self):
        for plan in self:
            plan.amount_residual = sum(plan.move_ids.mapped("amount_residual"))

    @api.depends("line_ids.amount")
    def _compute_amount_total(self):
        for plan in self:
            plan.amount_total = sum(plan.line_ids.mapped("amount"))

    @api.depends("amount_start", "amount_total", "move_ids.amount_residual")
    def _compute_amount_paid(self):
        for plan in self:
            paid = 0.0
            if plan.amount_start:
                residual = sum(plan.sudo().move_ids.mapped("amount_residual"))
                paid = plan.currency_id.round(
                    min(max(plan.amount_start - residual, 0.0), plan.amount_total)
                )
            plan.amount_paid = paid
            plan.amount_due = plan.amount_total - paid

    @api.depends("company_id.country_id", "name")
    def _compute_payment_reference(self):
        for plan in self:
            if plan.id and plan.company_id.country_id.code == "BE":
                plan.payment_reference = format_ogm(PLAN_OGM_BASE + plan.id)
            else:
                plan.payment_reference = plan.name

    @api.depends("company_id")
    def _compute_bank_account_id(self):
        for plan in self:
            plan.bank_account_id = plan.company_id.partner_id.bank_ids[:1]

    @api.constrains("move_ids", "partner_id")
    def _check_moves(self):
        for plan in self.sudo():
            if len(plan.move_ids.currency_id) > 1:
                raise ValidationError(
                    self.env._("The invoices of a payment plan must all be in one currency.")
                )
            wrong = plan._foreign_invoices()
            if wrong:
                raise ValidationError(
                    self.env._(
                        "%(invoices)s: a payment plan only covers posted customer invoices of "
                        "%(customer)s.",
                        invoices=", ".join(wrong.mapped("display_name")),
                        customer=plan.partner_id.display_name,
                    )
                )

    # ------------------------------------------------------------------ CRUD

    def write(self, vals):
        if vals.keys() & {"partner_id", "move_ids", "line_ids"}:
            self._check_draft()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_confirmed(self):
        # A confirmed plan paused dunning and was sent to the customer: it stays on file.
        confirmed = self.filtered(lambda p: p.state != "draft")
        if confirmed:
            raise UserError(
                self.env._(
                    "Plan %(plan)s is confirmed: it is kept as evidence of what the customer "
                    "agreed and cannot be deleted. A plan the customer does not keep breaks, "
                    "and dunning resumes; only draft plans can be deleted.",
                    plan=confirmed[0].name,
                )
            )

    def _check_draft(self):
        confirmed = self.filtered(lambda p: p.state != "draft")
        if confirmed:
            raise UserError(
                self.env._(
                    "Plan %(plan)s is confirmed: its customer, invoices and instalments can no "
                    "longer change.",
                    plan=confirmed[0].name,
                )
            )

    # ------------------------------------------------------------------ actions

    def action_generate_schedule(self):
        """Replace the instalments by an even schedule of the amount to cover."""
        for plan in self:
            plan._check_draft()
            plan.write({"line_ids": [fields.Command.clear()] + plan._schedule_commands()})
        return True

    def _schedule_commands(self):
        self.ensure_one()
        total = self.amount_residual
        if self.currency_id.compare_amounts(total, 0.0) <= 0:
            raise UserError(
                self.env._(
                    "The invoices of plan %(plan)s have nothing left to pay.", plan=self.name
                )
            )
        if not self.schedule_first_date:
            raise UserError(self.env._("Choose the date of the first instalment."))
        digits = self.currency_id.decimal_places
        if self.schedule_mode == "count":
            if self.schedule_count < 1:
                raise UserError(self.env._("A plan has at least one instalment."))
            if round(total * 10**digits) < self.schedule_count:
                raise UserError(
                    self.env._(
                        "%(total)s cannot be split into %(count)s instalments: choose fewer.",
                        total=self.currency_id.format(total),
                        count=self.schedule_count,
                    )
                )
            amounts = split_amount(total, digits, count=self.schedule_count)
        else:
            if self.currency_id.compare_amounts(self.schedule_amount, 0.0) <= 0:
                raise UserError(self.env._("The instalment amount must be more than zero."))
            amounts = split_amount(total, digits, amount=self.schedule_amount)
        step = (
            relativedelta(months=1)
            if self.schedule_interval == "monthly"
            else relativedelta(weeks=1)
        )
        return [
            fields.Command.create(
                {
                    "sequence": i + 1,
                    "date_due": self.schedule_first_date + step * i,
                    "amount": amount,
                }
            )
            for i, amount in enumerate(amounts)
        ]

    def action_confirm(self):
        today = fields.Date.context_today(self)
        for plan in self:
            plan._check_can_confirm(today)
        for plan in self:
            plan.write(
                {"state": "active", "date_confirmed": today, "amount_start": plan.amount_residual}
            )
        self._send_confirmation()
        self._log_on_invoices(
            {
                plan.id: self.env._(
                    "Promise to pay %(plan)s confirmed: no reminder while the customer keeps "
                    "to it.",
                    plan=plan.name,
                )
                if plan.kind == "promise"
                else self.env._(
                    "Payment plan %(plan)s confirmed: no reminder while the customer keeps to it.",
                    plan=plan.name,
                )
                for plan in self
            }
        )
        return True

    def _check_can_confirm(self, today):
        """Refuse, with the reason, a plan that cannot start; change nothing."""
        self.ensure_one()
        if self.state != "draft":
            raise UserError(self.env._("Plan %(plan)s is already confirmed.", plan=self.name))
        if not self.move_ids:
            raise UserError(self.env._("Add the invoices the plan covers."))
        if not self.line_ids:
            raise UserError(
                self.env._(
                    "Plan %(plan)s has no instalments: generate the schedule.", plan=self.name
                )
            )
        paid = self.move_ids.filtered(lambda m: m.payment_state not in ("not_paid", "partial"))
        if paid:
            raise UserError(
                self.env._(
                    "%(invoices)s no longer needs a plan: it is paid.",
                    invoices=", ".join(paid.mapped("name")),
                )
            )
        if self.currency_id.compare_amounts(self.amount_total, self.amount_residual):
            raise UserError(
                self.env._(
                    "The instalments add up to %(total)s, but the invoices still have "
                    "%(residual)s to pay: the amounts must be equal.",
                    total=self.currency_id.format(self.amount_total),
                    residual=self.currency_id.format(self.amount_residual),
                )
            )
        first = min(self.line_ids.mapped("date_due"))
        if first < today:
            raise UserError(
                self.env._(
                    "The first instalment falls on %(date)s, in the past: choose a date from "
                    "today on.",
                    date=format_date(self.env, first),
                )
            )
        other = (
            self.env["dunning.plan"]
            .sudo()
            .search(
                [
                    ("id", "!=", self.id),
                    ("state", "=", "active"),
                    ("move_ids", "in", self.move_ids.ids),
                ],
                limit=1,
            )
        )
        if other:
            raise UserError(
                self.env._(
                    "%(invoices)s is already covered by the active plan %(plan)s.",
                    invoices=", ".join((other.move_ids & self.move_ids).mapped("name")),
                    plan=other.name,
                )
            )
        disputed = self.move_ids._dunning_disputed()
        if disputed:
            raise UserError(
                self.env._(
                    "%(invoices)s is disputed: settle the dispute before agreeing on a payment "
                    "plan.",
                    invoices=", ".join(disputed.mapped("name")),
                )
            )

    # ------------------------------------------------------------------ business

    def _send_confirmation(self):
        """Send the schedule and how to pay, in the customer's language, on the chatter."""
        template = self.env.ref("smart_dunning.mail_template_dunning_plan_confirmation")
        for plan in self:
            plan.message_post_with_source(
                template, message_type="comment", subtype_xmlid="mail.mt_comment"
            )

    def _sync_paid_state(self):
        """A plan whose instalments are all paid is done (and active again if a payment is
        undone)."""
        done = self.browse()
        active = self.browse()
        for plan in self:
            paid = plan.currency_id.compare_amounts(plan.amount_paid, plan.amount_total) >= 0
            if plan.state == "active" and paid:
                done |= plan
            elif plan.state == "done" and not paid:
                active |= plan
        done.write({"state": "done"})
        active.write({"state": "active"})

    @api.model
    def _cron_check_breaches(self):
        """Daily: break the active plans with an instalment unpaid for too long, unless a
        payment quoting the plan came in and is not matched yet."""
        today = fields.Date.context_today(self)
        for company in self.env["res.company"].search([]):  # pylint: disable=no-search-all
            limit = today - timedelta(days=company.dunning_plan_breach_days)
            late = Domain("state", "=", "active") & Domain(
                "line_ids",
                "any",
                Domain("date_due", "<=", limit) & Domain("state", "!=", "paid"),
            )
            plans = self.with_context(lang=company._dunning_lang()).search(
                late & Domain("company_id", "=", company.id)
            )
            # Match what quotes them first: the payment may well cover the late instalment.
            plans._match_waiting_payments()
            plans = plans.filtered_domain(late)
            held = plans._waiting_payments() | plans._short_by_tolerance(limit)
            for plan in plans - held:
                late_lines = plan.line_ids.filtered(lambda line: line.state != "paid")
                breach = min(late_lines.mapped("date_due")) + timedelta(
                    days=company.dunning_plan_breach_days
                )
                plan._break(breach)

    # ------------------------------------------------------------------ payments

    @api.model
    def _find_by_references(self, payments):
        """The confirmed plan each payment quotes, by its structured communication or number.

        :param payments: ``{key: (communication, partner, company)}``
        :return: ``{key: plan}`` for the plans of the payment's company and, when the payment
            has one, of its customer
        """
        candidates = {key: reference_candidates(text) for key, (text, _p, _c) in payments.items()}
        references = {ref for refs in candidates.values() for ref in refs}
        if not references:
            return {}
        ids = set()
        for ref in references:
            if is_valid_ogm(ref):
                number = int("".join(c for c in ref if c.isdigit())[:10]) - PLAN_OGM_BASE
                if 0 < number < PLAN_OGM_BASE:
                    ids.add(number)
        # Whoever posts the payment may not read plans; the payment is matched all the same.
        plans = self.sudo().search(
            Domain("state", "!=", "draft")
            & (Domain("id", "in", list(ids)) | Domain("name", "in", list(references)))
        )
        return pick_by_reference(plans, payments, candidates)

    def _reconcile(self, credit_lines):
        """Reconcile the customer's payment lines with the plan's open invoices, the oldest due
        date first; the instalments follow (see ``DunningPlanLine._compute_amount_paid``)."""
        self.ensure_one()
        paid = reconcile_with_invoices(self.move_ids, credit_lines)
        if not paid:
            return False
        self.message_post(
            body=self.env._(
                "Payment %(payment)s quotes this plan: reconciled with %(invoices)s.",
                payment=", ".join(credit_lines.move_id.mapped("display_name")),
                invoices=", ".join(paid.mapped("name")),
            )
        )
        return True

    def _short_by_tolerance(self, limit):
        """The plans whose instalments due by ``limit`` miss no more than the company's
        write-off tolerance (bank charges on each transfer): the last payment writes the cents
        off (see ``AccountMoveLine._dunning_write_off_shortfalls``), so they do not break."""
        short = self.browse()
        for plan in self:
            company = plan.company_id
            if not company.dunning_writeoff_account_id:
                continue
            due = plan.line_ids.filtered(lambda line, lim=limit: line.date_due <= lim)
            rest = sum(due.mapped("amount")) - sum(due.mapped("amount_paid"))
            tolerance = min(
                company.currency_id._convert(
                    company.dunning_writeoff_amount, plan.currency_id, company, limit
                ),
                plan.amount_total * company.dunning_writeoff_percent / 100.0,
            )
            if plan.currency_id.compare_amounts(rest, tolerance) <= 0:
                short |= plan
        return short

    def _waiting_payments(self):
        """The plans that a posted payment or an incoming bank line quotes while it is not
        matched yet: whoever sent it, the money is there and a person must match it.

        :return: the plans of ``self`` with such a payment
        """
        if not self:
            return self.browse()
        lines, statements = self._quoting_payments()
        texts = [(line.move_id.ref or "") + " " + (line.name or "") for line in lines]
        texts += [st.payment_ref for st in statements]
        waiting = self.browse()
        for plan in self:
            refs = {plan.payment_reference, plan.name}
            if any(refs & set(reference_candidates(text)) for text in texts):
                waiting |= plan
        return waiting

    def _match_waiting_payments(self):
        """Match the unmatched payments and bank lines that quote these plans."""
        lines, statements = self._quoting_payments()
        statements._dunning_reconcile_letters()
        lines.move_id.origin_payment_id._dunning_reconcile_letters()
        # Entries of other origins (a transfer booked by hand) are matched the same way.
        others = lines.filtered(lambda line: not line.move_id.origin_payment_id)
        found = find_documents(
            self.env,
            {
                line: (
                    (line.move_id.ref or "") + " " + (line.name or ""),
                    line.partner_id,
                    line.company_id,
                )
                for line in others
            },
        )
        for line, (document, _customer) in found.items():
            reconcile_document(document, line)

    def _quoting_payments(self):
        """Unmatched customer credits on a receivable account, and incoming bank lines not
        reconciled, whose communication may quote one of these plans (one query each)."""
        patterns = []
        for plan in self:
            patterns.append(plan.name)
            digits = "".join(c for c in plan.payment_reference or "" if c.isdigit())
            if len(digits) == 12:
                # Banks write +++123/4567/89012+++, ***...***, 123456789012 or with blanks.
                patterns.append("%".join((digits[:3], digits[3:7], digits[7:])))
        text = Domain.OR(
            Domain("move_id.ref", "=ilike", f"%{pattern}%")
            | Domain("name", "=ilike", f"%{pattern}%")
            for pattern in patterns
        )
        lines = (
            self.env["account.move.line"]
            .sudo()
            .search(
                Domain("company_id", "in", self.company_id.ids)
                & Domain("account_id.account_type", "=", "asset_receivable")
                & Domain("parent_state", "=", "posted")
                & Domain("reconciled", "=", False)
                & Domain("balance", "<", 0)
                & text
            )
        )
        statements = (
            self.env["account.bank.statement.line"]
            .sudo()
            .search(
                Domain("company_id", "in", self.company_id.ids)
                & Domain("is_reconciled", "=", False)
                & Domain("amount", ">", 0)
                & Domain("state", "=", "posted")
                & Domain.OR(Domain("payment_ref", "=ilike", f"%{p}%") for p in patterns)
            )
        )
        return lines, statements

    def _break(self, breach_date):
        """End the plan: dunning resumes from the level reached before it, counting from the
        breach date, and the collector is told."""
        self.ensure_one()
        self.write({"state": "broken", "date_broken": breach_date})
        resumed = self.move_ids._dunning_resume(breach_date)
        late = self.line_ids.filtered(lambda line: line.state != "paid")[:1]
        user = self.user_id or self.partner_id.dunning_user_id or self.env.user
        env = assignee_env(self.env, user)
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=user.id,
            summary=env._("Payment plan broken: call %(customer)s", customer=self.partner_id.name),
            note=env._(
                "The instalment of %(amount)s due on %(date)s is still unpaid. Dunning of "
                "%(invoices)s resumes from %(breach)s.",
                amount=self.currency_id.with_env(env).format(late.amount - late.amount_paid),
                date=format_date(env, late.date_due),
                invoices=", ".join(resumed.mapped("name")) or "-",
                breach=format_date(env, breach_date),
            ),
        )
        self._log_on_invoices(
            {self.id: self.env._("Payment plan %(plan)s broken: dunning resumes.", plan=self.name)}
        )


class DunningPlanLine(models.Model):
    _name = "dunning.plan.line"
    _description = "Payment Plan Instalment"
    _order = "plan_id, date_due, sequence, id"

    plan_id = fields.Many2one("dunning.plan", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="plan_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="plan_id.currency_id")
    sequence = fields.Integer(default=10)
    date_due = fields.Date(string="Due Date", required=True)
    amount = fields.Monetary(required=True)
    amount_paid = fields.Monetary(compute="_compute_amount_paid", store=True)
    state = fields.Selection(LINE_STATES, compute="_compute_amount_paid", store=True)

    @api.depends(
        "amount",
        "date_due",
        "plan_id.amount_paid",
        "plan_id.line_ids.amount",
        "plan_id.line_ids.date_due",
    )
    def _compute_amount_paid(self):
        """What the plan received goes to the instalments in date order."""
        allocation = {}
        for plan in self.plan_id:
            remaining = plan.amount_paid
            for line in plan.line_ids.sorted(lambda ln: (ln.date_due, ln.sequence, ln.id)):
                allocation[line] = min(line.amount, remaining)
                remaining -= allocation[line]
        for line in self:
            paid = line.currency_id.round(allocation.get(line, 0.0))
            line.amount_paid = paid
            if line.amount and line.currency_id.compare_amounts(paid, line.amount) >= 0:
                line.state = "paid"
            elif line.currency_id.compare_amounts(paid, 0.0) > 0:
                line.state = "partial"
            else:
                line.state = "open"

    @api.constrains("amount")
    def _check_amount(self):
        for line in self:
            if line.currency_id.compare_amounts(line.amount, 0.0) <= 0:
                raise ValidationError(
                    self.env._(
                        "Each instalment must be more than zero; the one due on %(date)s is "
                        "%(amount)s.",
                        date=format_date(self.env, line.date_due),
                        amount=line.currency_id.format(line.amount),
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.plan_id._check_draft()
        return lines

    def write(self, vals):
        self.plan_id._check_draft()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_confirmed(self):
        self.plan_id._check_draft()
