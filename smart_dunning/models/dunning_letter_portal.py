"""The customer's side of a letter: its pay-by-scan code, its link and what the customer
answers from the page the link opens (issue #15)."""

import math
import secrets
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command, Domain
from odoo.tools import consteq, format_amount, format_date

from ..lib.assignee import assignee_env
from ..lib.open_invoice import open_invoice_domain
from .dunning_plan import split_amount

# Submissions one link may make per day: enough for a customer, not for a script.
PORTAL_DAILY_SUBMISSIONS = 20
# Largest proof a customer may attach (bytes).
PORTAL_MAX_UPLOAD = 10 * 1024 * 1024


class DunningLetter(models.Model):
    _name = "dunning.letter"
    _inherit = ["dunning.letter", "portal.mixin"]

    qr_code_error = fields.Char(
        string="No QR Code Because",
        compute="_compute_qr_code_error",
        help="Why the letter carries no pay-by-scan code; the customer does not see this.",
    )
    portal_submission_date = fields.Date(readonly=True, copy=False, groups="base.group_system")
    portal_submission_count = fields.Integer(readonly=True, copy=False, groups="base.group_system")

    def _compute_access_url(self):
        for letter in self:
            letter.access_url = f"/d/{letter.id}"

    @api.depends("company_id", "currency_id", "amount_total", "payment_reference")
    def _compute_qr_code_error(self):
        for letter in self:
            letter.qr_code_error = letter.sudo()._qr_vals()[1]

    # ------------------------------------------------------------------ CRUD

    @api.model_create_multi
    def create(self, vals_list):
        # Short tokens (72 random bits) keep the printed link short; the controller
        # rate-limits what a token may submit.
        for vals in vals_list:
            vals.setdefault("access_token", secrets.token_urlsafe(9))
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("state") == "cancel":
            # a cancelled letter's link stops working at once
            vals = dict(vals, access_token=False)
        res = super().write(vals)
        if vals.get("state") == "sent":
            self._revoke_superseded()
        return res

    def _portal_ensure_token(self):
        for letter in self.filtered(lambda ltr: not ltr.access_token):
            letter.sudo().access_token = secrets.token_urlsafe(9)
        return self.access_token

    def _revoke_superseded(self):
        """The newest sent letter of a customer carries the only link that works (one query
        for a whole batch of letters)."""
        if not self:
            return
        newest = {}
        for letter in self:
            key = (letter.partner_id.id, letter.company_id.id)
            newest[key] = max(newest.get(key, 0), letter.id)
        older = self.sudo().search(
            Domain("partner_id", "in", list({key[0] for key in newest}))
            & Domain("company_id", "in", list({key[1] for key in newest}))
            & Domain("state", "=", "sent")
            & Domain("access_token", "!=", False)
            & Domain("id", "<", max(newest.values()))
        )
        older.filtered(
            lambda ltr: ltr.id < newest.get((ltr.partner_id.id, ltr.company_id.id), 0)
        ).write({"access_token": False})

    # ------------------------------------------------------------------ QR code

    def _qr_bank(self):
        company = self.company_id
        return company.dunning_bank_id or company.partner_id.bank_ids[:1]

    def _qr_vals(self):
        """``(vals for Odoo's SEPA QR generation, reason there is none)``."""
        self.ensure_one()
        bank = self._qr_bank()
        if self.currency_id.name != "EUR":
            return None, self.env._(
                "The letter is in %(currency)s: a SEPA QR code is for euros only.",
                currency=self.currency_id.name,
            )
        if not bank or bank.acc_type != "iban":
            return None, self.env._(
                "The company has no IBAN for letters (Collections settings: Account on Letters)."
            )
        if self.currency_id.compare_amounts(self.amount_total, 0.0) <= 0:
            return None, self.env._("The letter claims nothing.")
        vals = bank._build_qr_code_vals(
            self.amount_total,
            self.name,
            self.payment_reference,
            self.currency_id,
            self.partner_id,
            qr_method="sct_qr",
            silent_errors=True,
        )
        if not vals:
            return None, bank._get_error_messages_for_qr(
                "sct_qr", self.partner_id, self.currency_id
            ) or self.env._("The bank account cannot receive a SEPA QR payment.")
        return vals, False

    def _dunning_qr_payload(self):
        """The EPC text the code holds (empty when there is no code)."""
        vals = self.sudo()._qr_vals()[0]
        if not vals:
            return ""
        return "\n".join(self.sudo()._qr_bank()._get_qr_vals(**vals))

    def _qr_src(self, inline=True):
        """The code as an image: inline for PDFs and pages, an absolute URL for e-mails (mail
        clients drop inline images)."""
        self.ensure_one()
        letter = self.sudo()
        vals = letter._qr_vals()[0]
        if not vals:
            return ""
        bank = letter._qr_bank()
        if inline:
            return bank._get_qr_code_base64(**vals)
        return letter.get_base_url() + bank._get_qr_code_url(**vals)

    def _dunning_portal_link(self):
        """The short link printed on the letter and put in the e-mail."""
        self.ensure_one()
        letter = self.sudo()
        if not letter.access_token:
            return ""
        return f"{letter.get_base_url()}/d/{letter.id}/{letter.access_token}"

    # ------------------------------------------------------------------ portal access

    @api.model
    def _portal_letter(self, letter_id, token):
        """The sent letter a link opens, or nothing: a wrong, cancelled or superseded token
        opens nothing."""
        letter = self.sudo().browse(letter_id).exists()
        if (
            not letter
            or letter.state != "sent"
            or not letter.access_token
            or not token
            or not consteq(letter.access_token, token)
        ):
            return self.browse()
        return letter

    @api.model
    def _portal_user_scope(self):
        """``(customer, company, letter)`` of a portal user's page: its commercial partner,
        the customer's latest sent letter and that letter's company (else the user's)."""
        partner = self.env.user.partner_id.commercial_partner_id
        letter = self.sudo().search(
            [("partner_id", "=", partner.id), ("state", "=", "sent")], limit=1
        )
        return partner, letter.company_id or self.env.user.company_id, letter

    @api.model
    def _dunning_portal_home_count(self):
        """The open invoices the card of the portal home announces (no card when 0)."""
        if self.env.user._is_public():
            return 0
        partner, company, _letter = self._portal_user_scope()
        return (
            self.env["account.move"]
            .sudo()
            .search_count(self._portal_moves_domain(partner, company))
        )

    def _portal_check_rate(self):
        """Count a submission; refuse it past the day's limit."""
        self.ensure_one()
        letter = self.sudo()
        today = fields.Date.context_today(letter)
        count = letter.portal_submission_count if letter.portal_submission_date == today else 0
        if count >= PORTAL_DAILY_SUBMISSIONS:
            raise UserError(
                self.env._("Too many answers through this link today: please try again tomorrow.")
            )
        letter.write({"portal_submission_date": today, "portal_submission_count": count + 1})

    @api.model
    def _portal_moves_domain(self, partner, company):
        """The invoices the customer's page lists: open posted invoices of that customer
        in that company."""
        return (
            Domain("commercial_partner_id", "=", partner.id)
            & Domain("company_id", "=", company.id)
            & open_invoice_domain()
        )

    @api.model
    def _portal_moves(self, partner, company):
        return (
            self.env["account.move"]
            .sudo()
            .search_fetch(
                self._portal_moves_domain(partner, company),
                [
                    "name",
                    "invoice_date",
                    "invoice_date_due",
                    "amount_total",
                    "amount_residual",
                    "currency_id",
                    "dunning_pause_until",
                ],
                order="invoice_date_due, id",
            )
        )

    @api.model
    def _portal_values(self, partner, company, letter=None):
        """What the customer page shows, in the language of ``self.env``; the number of
        queries does not grow with the invoices."""
        env = self.env
        letter = letter or self.browse()
        moves = self._portal_moves(partner, company)
        disputes = (
            env["dunning.dispute"]
            .sudo()
            .search_fetch(
                Domain("partner_id", "=", partner.id)
                & Domain("company_id", "=", company.id)
                & Domain("state", "in", ("open", "mediation")),
                ["name", "date", "state", "amount_disputed", "currency_id", "reason_id"],
            )
        )
        plans = (
            env["dunning.plan"]
            .sudo()
            .search_fetch(
                Domain("partner_id", "=", partner.id)
                & Domain("company_id", "=", company.id)
                & Domain("state", "in", ("draft", "active")),
                ["name", "kind", "state", "amount_total", "currency_id"],
            )
        )
        letters = self.sudo().search_fetch(
            Domain("partner_id", "=", partner.id)
            & Domain("company_id", "=", company.id)
            & Domain("state", "=", "sent"),
            ["name", "sent_date", "date", "amount_total", "currency_id", "level_id"],
            limit=50,
        )
        disputed = moves.filtered(lambda m: m.id in set(disputes.move_ids.ids))
        planned = moves.filtered(lambda m: m.id in set(plans.move_ids.ids))
        dispute_states = dict(disputes._fields["state"]._description_selection(env))
        plan_states = dict(plans._fields["state"]._description_selection(env))
        plan_kinds = dict(plans._fields["kind"]._description_selection(env))
        fee_basis = dict(env["dunning.letter.fee"]._fields["basis"]._description_selection(env))
        fee_kinds = dict(env["dunning.letter.fee"]._fields["kind"]._description_selection(env))
        currency = letter.currency_id or company.currency_id
        total = sum(moves.filtered(lambda m: m.currency_id == currency).mapped("amount_residual"))
        claimed = letter.amount_interest + letter.amount_fees if letter else 0.0
        reasons = env["dunning.dispute.reason"].sudo().search([("portal_visible", "=", True)])
        return {
            "partner": partner,
            "company": company,
            "letter": letter,
            "invoices": [
                {
                    "id": move.id,
                    "name": move.name,
                    "date": format_date(env, move.invoice_date),
                    "due": format_date(env, move.invoice_date_due),
                    "amount": format_amount(env, move.amount_total, move.currency_id),
                    "residual": format_amount(env, move.amount_residual, move.currency_id),
                    "overdue": bool(
                        move.invoice_date_due
                        and move.invoice_date_due < fields.Date.context_today(self)
                    ),
                    "disputed": move in disputed,
                    "planned": move in planned,
                }
                for move in moves
            ],
            "fees": [
                {
                    "label": fee_kinds.get(fee.kind, ""),
                    "invoice": fee.move_id.name or "",
                    "basis": fee_basis.get(fee.basis, ""),
                    "amount": format_amount(env, fee.amount, currency),
                }
                for fee in letter.sudo().fee_line_ids
            ],
            "letters": [
                {
                    "id": ltr.id,
                    "name": ltr.name,
                    "level": ltr.level_id.name,
                    "date": format_date(env, ltr.sent_date or ltr.date),
                    "amount": format_amount(env, ltr.amount_total, ltr.currency_id),
                }
                for ltr in letters
            ],
            "disputes": [
                {
                    "name": dsp.name,
                    "date": format_date(env, dsp.date),
                    "state": dispute_states.get(dsp.state, ""),
                    "reason": dsp.reason_id.dunning_portal_name(),
                    "amount": format_amount(env, dsp.amount_disputed, dsp.currency_id),
                }
                for dsp in disputes
            ],
            "plans": [
                {
                    "name": plan.name,
                    "kind": plan_kinds.get(plan.kind, ""),
                    "state": plan_states.get(plan.state, ""),
                    "amount": format_amount(env, plan.amount_total, plan.currency_id),
                }
                for plan in plans
            ],
            "reasons": [(reason.id, reason.dunning_portal_name()) for reason in reasons],
            "total": format_amount(env, total + claimed, currency),
            "claimed": format_amount(env, claimed, currency) if claimed else "",
            "qr_src": letter._qr_src() if letter else "",
            "reference": letter.payment_reference or "",
            "iban": letter and letter._letter_iban(),
            "can_pay_online": bool(
                env["payment.provider"]
                .sudo()
                .search_count(
                    [("state", "in", ("enabled", "test")), ("company_id", "=", company.id)],
                    limit=1,
                )
            ),
        }

    def _letter_iban(self):
        bank = self.sudo()._qr_bank()
        return bank.acc_number or ""

    # ------------------------------------------------------------------ answers

    @api.model
    def _portal_pick_moves(self, partner, company, move_ids):
        """The customer's open invoices among ``move_ids``; an id of another customer is
        refused, never silently used."""
        moves = self._portal_moves(partner, company)
        try:
            wanted = {int(mid) for mid in move_ids or []}
        except (TypeError, ValueError):
            wanted = {0}
        if not wanted:
            raise UserError(self.env._("Choose at least one invoice."))
        picked = moves.filtered(lambda m: m.id in wanted)
        if len(picked) != len(wanted):
            raise UserError(self.env._("One of the invoices chosen is not open any more."))
        return picked

    @api.model
    def _portal_parse_date(self, value, allow_past=False):
        try:
            day = fields.Date.to_date(value)
        except ValueError:
            day = None
        if not day:
            raise UserError(self.env._("Enter a valid date."))
        today = fields.Date.context_today(self)
        if not allow_past and day < today:
            raise UserError(self.env._("The date cannot be in the past."))
        if allow_past and day > today:
            raise UserError(self.env._("The date cannot be in the future."))
        return day

    @api.model
    def _portal_parse_amount(self, value, currency):
        text = "".join(str(value or "").split())
        if "," in text and "." in text:
            # "1.234,56" or "1,234.56": the last separator is the decimal one
            thousands = "." if text.rfind(",") > text.rfind(".") else ","
            text = text.replace(thousands, "")
        try:
            amount = float(text.replace(",", "."))
        except ValueError:
            amount = None
        # "nan" and "inf" are floats for Python, not amounts for a customer
        if amount is None or not math.isfinite(amount):
            raise UserError(self.env._("Enter a valid amount."))
        if currency.compare_amounts(amount, 0.0) <= 0:
            raise UserError(self.env._("The amount must be more than zero."))
        return currency.round(amount)

    def _portal_staff(self, partner):
        collector = partner.dunning_user_id or self.user_id
        return (collector | partner.user_id).filtered(lambda u: not u.share)

    def _portal_notify(self, record, partner, summary, confirmation):
        """Tell the collector and the salesperson (activity + chatter) and confirm to the
        customer by e-mail, in the customer's language.

        ``summary(env)`` words the news in ``env``'s language: each activity in its
        assignee's, the chatter notes in the company's (the page runs in the customer's)."""
        todo = self.env.ref("mail.mail_activity_data_todo")
        for user in self._portal_staff(partner):
            record.sudo().activity_schedule(
                activity_type_id=todo.id,
                summary=summary(assignee_env(self.env, user)),
                user_id=user.id,
            )
        company = record.sudo().company_id
        note = summary(self.env(context=dict(self.env.context, lang=company._dunning_lang())))
        record.sudo().message_post(body=note, message_type="comment", subtype_xmlid="mail.mt_note")
        partner.sudo().message_post(body=note, subtype_xmlid="mail.mt_note")
        if partner.email:
            record.sudo().message_post(
                body=confirmation,
                partner_ids=partner.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )

    @api.model
    def _portal_dispute(self, partner, company, post, attachment=None, letter=None):
        """A dispute as a collector would record it; returns it."""
        letter = letter or self.browse()
        moves = self._portal_pick_moves(partner, company, post.get("move_ids"))
        disputed = moves._dunning_disputed()
        if disputed:
            raise UserError(
                self.env._(
                    "%(invoices)s is already disputed: we are looking into it.",
                    invoices=", ".join(disputed.mapped("name")),
                )
            )
        try:
            reason = self.env["dunning.dispute.reason"].sudo().browse(int(post.get("reason_id")))
        except (TypeError, ValueError):
            reason = self.env["dunning.dispute.reason"]
        if not reason.exists() or not reason.active or not reason.portal_visible:
            raise UserError(self.env._("Choose why you dispute the invoice."))
        comment = (post.get("comment") or "").strip()
        if not comment:
            raise UserError(self.env._("Tell us in a few words what is wrong."))
        if attachment and len(attachment[1]) > PORTAL_MAX_UPLOAD:
            raise UserError(self.env._("The attachment is too large (10 MB at most)."))
        owner = self._portal_staff(partner)[:1]
        dispute = (
            self.env["dunning.dispute"]
            .sudo()
            .create(
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "move_ids": [Command.set(moves.ids)],
                    "reason_id": reason.id,
                    "description": comment,
                    "user_id": owner.id or False,
                }
            )
        )
        if attachment:
            self.env["ir.attachment"].sudo().create(
                {
                    "name": attachment[0] or "proof",
                    "raw": attachment[1],
                    "res_model": "dunning.dispute",
                    "res_id": dispute.id,
                }
            )
        self._portal_notify(
            dispute,
            partner,
            lambda env: env._(
                "The customer disputes %(invoices)s online: %(reason)s.",
                invoices=", ".join(moves.mapped("name")),
                reason=reason.with_env(env).sudo().name,
            ),
            self.env._(
                "We received your dispute about %(invoices)s. We will not send reminders about "
                "it while we look into it, and come back to you.",
                invoices=", ".join(moves.mapped("name")),
            ),
        )
        return dispute

    @api.model
    def _portal_answerable(self, moves):
        """Invoices a promise or plan may cover: neither disputed nor already in a plan."""
        taken = moves._dunning_disputed() | moves.filtered("dunning_plan_id")
        if taken:
            raise UserError(
                self.env._(
                    "%(invoices)s is already disputed or in a payment plan.",
                    invoices=", ".join(taken.mapped("name")),
                )
            )
        return moves

    def _policy(self, partner, company):
        return (
            partner.with_company(company).sudo().dunning_policy_id
            or company.sudo().dunning_policy_b2b_id
        )

    @api.model
    def _portal_promise(self, partner, company, post):
        moves = self._portal_answerable(
            self._portal_pick_moves(partner, company, post.get("move_ids"))
        )
        day = self._portal_parse_date(post.get("date"))
        policy = self._policy(partner, company)
        limit = fields.Date.context_today(self) + timedelta(days=policy.portal_promise_max_days)
        if day > limit:
            raise UserError(
                self.env._(
                    "We can accept a promise up to %(date)s at the latest; for a later date, "
                    "ask for a payment plan.",
                    date=format_date(self.env, limit),
                )
            )
        currency = moves[:1].currency_id
        plan = (
            self.env["dunning.plan"]
            .sudo()
            .create(
                {
                    "kind": "promise",
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "move_ids": [Command.set(moves.ids)],
                    "note": self.env._("Promised online by the customer."),
                    "line_ids": [
                        Command.create(
                            {"date_due": day, "amount": sum(moves.mapped("amount_residual"))}
                        )
                    ],
                }
            )
        )
        plan.action_confirm()
        self._portal_notify(
            plan,
            partner,
            lambda env: env._(
                "The customer promises online to pay %(amount)s on %(date)s.",
                amount=format_amount(env, plan.amount_total, currency),
                date=format_date(env, day),
            ),
            self.env._(
                "Thank you: we noted your promise to pay %(amount)s on %(date)s. We will not "
                "send reminders about these invoices until then.",
                amount=format_amount(self.env, plan.amount_total, currency),
                date=format_date(self.env, day),
            ),
        )
        return plan

    @api.model
    def _portal_schedule(self, partner, company, post):
        """``(moves, [(date, amount)], within the policy's limits, why not)`` of the plan the
        customer asks for; refuses input that makes no plan."""
        moves = self._portal_answerable(
            self._portal_pick_moves(partner, company, post.get("move_ids"))
        )
        try:
            count = int(post.get("count"))
        except (TypeError, ValueError):
            count = 0
        if count < 2 or count > 60:
            raise UserError(self.env._("Choose between 2 and 60 instalments."))
        first = self._portal_parse_date(post.get("date"))
        currency = moves[:1].currency_id
        total = sum(moves.mapped("amount_residual"))
        amounts = split_amount(total, currency.decimal_places, count=count)
        schedule = [(first + relativedelta(months=i), amount) for i, amount in enumerate(amounts)]
        policy = self._policy(partner, company)
        today = fields.Date.context_today(self)
        why = []
        if count > policy.portal_plan_max_count:
            why.append(
                self.env._("more than %(count)s instalments", count=policy.portal_plan_max_count)
            )
        if schedule[-1][0] > today + relativedelta(months=policy.portal_plan_max_months):
            why.append(
                self.env._("longer than %(months)s months", months=policy.portal_plan_max_months)
            )
        if currency.compare_amounts(min(amounts), policy.portal_plan_min_amount) < 0:
            why.append(
                self.env._(
                    "instalments under %(amount)s",
                    amount=format_amount(self.env, policy.portal_plan_min_amount, currency),
                )
            )
        if partner.sudo().with_company(company).dunning_payment_behaviour == "at_risk":
            why.append(self.env._("your account needs a personal review"))
        return moves, schedule, not why, ", ".join(why)

    @api.model
    def _portal_plan(self, partner, company, post):
        moves, schedule, accepted, _why = self._portal_schedule(partner, company, post)
        currency = moves[:1].currency_id
        plan = (
            self.env["dunning.plan"]
            .sudo()
            .create(
                {
                    "kind": "plan",
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "move_ids": [Command.set(moves.ids)],
                    "note": self.env._("Asked online by the customer."),
                    "line_ids": [
                        Command.create({"sequence": i + 1, "date_due": day, "amount": amount})
                        for i, (day, amount) in enumerate(schedule)
                    ],
                }
            )
        )
        amount = format_amount(self.env, plan.amount_total, currency)
        if accepted:
            plan.action_confirm()

            def summary(env):
                return env._(
                    "The customer agreed online to a plan of %(count)s instalments for "
                    "%(amount)s (within the policy: accepted).",
                    count=len(schedule),
                    amount=format_amount(env, plan.amount_total, currency),
                )

            confirmation = self.env._(
                "Your payment plan of %(count)s instalments for %(amount)s is accepted. We "
                "will not send reminders while you keep to it.",
                count=len(schedule),
                amount=amount,
            )
        else:
            # Beyond the limits the invoices still pause: the customer asked, the collector
            # decides, and no reminder crosses the answer.
            moves.sudo().write(
                {"dunning_pause_until": fields.Date.context_today(self) + timedelta(days=14)}
            )

            def summary(env):
                return env._(
                    "The customer asks online for a plan of %(count)s instalments for "
                    "%(amount)s: beyond the policy, to approve.",
                    count=len(schedule),
                    amount=format_amount(env, plan.amount_total, currency),
                )

            confirmation = self.env._(
                "We received your request for a payment plan of %(count)s instalments for "
                "%(amount)s. A colleague will review it and come back to you.",
                count=len(schedule),
                amount=amount,
            )
        self._portal_notify(plan, partner, summary, confirmation)
        return plan

    @api.model
    def _portal_paid(self, partner, company, post, attachment=None):
        """The customer says it paid: hold its letters and ask the collector to match it."""
        moves = self._portal_moves(partner, company)
        if not moves:
            raise UserError(self.env._("You have no open invoice with us."))
        day = self._portal_parse_date(post.get("date"), allow_past=True)
        currency = moves[:1].currency_id
        amount = self._portal_parse_amount(post.get("amount"), currency)
        due = sum(moves.mapped("amount_residual"))
        if currency.compare_amounts(amount, due) > 0:
            raise UserError(
                self.env._(
                    "The amount is more than the %(due)s you owe: check the amount.",
                    due=format_amount(self.env, due, currency),
                )
            )
        if attachment and len(attachment[1]) > PORTAL_MAX_UPLOAD:
            raise UserError(self.env._("The attachment is too large (10 MB at most)."))
        hold = fields.Date.context_today(self) + timedelta(days=company.dunning_paid_hold_days)
        moves.sudo().write({"dunning_pause_until": hold})
        target = partner.sudo()
        # the page runs in the customer's language, the note is for the staff
        staff = self.env(context=dict(self.env.context, lang=company._dunning_lang()))
        message = target.message_post(
            body=staff._(
                "The customer says it paid %(amount)s on %(date)s: letters are held until "
                "%(hold)s, match the payment.",
                amount=format_amount(staff, amount, currency),
                date=format_date(staff, day),
                hold=format_date(staff, hold),
            ),
            subtype_xmlid="mail.mt_note",
        )
        if attachment:
            proof = (
                self.env["ir.attachment"]
                .sudo()
                .create(
                    {
                        "name": attachment[0] or "proof",
                        "raw": attachment[1],
                        "res_model": "res.partner",
                        "res_id": partner.id,
                    }
                )
            )
            message.attachment_ids = [Command.link(proof.id)]
        todo = self.env.ref("mail.mail_activity_data_todo")
        for user in self._portal_staff(partner)[:1]:
            env = assignee_env(self.env, user)
            target.activity_schedule(
                activity_type_id=todo.id,
                summary=env._(
                    "Match the payment of %(amount)s the customer says it made on %(date)s",
                    amount=format_amount(env, amount, currency),
                    date=format_date(env, day),
                ),
                user_id=user.id,
                date_deadline=hold,
            )
        if partner.email:
            target.message_post(
                body=Markup("<p>%s</p>")
                % self.env._(
                    "Thank you: we will match your payment of %(amount)s. We send no reminder "
                    "until %(hold)s.",
                    amount=format_amount(self.env, amount, currency),
                    hold=format_date(self.env, hold),
                ),
                partner_ids=partner.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        return moves
