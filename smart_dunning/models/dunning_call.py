from collections import defaultdict

import pytz
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command, Domain
from odoo.tools import SQL, format_date

from ..lib.actions import form_action
from ..lib.assignee import assignee_env
from ..lib.open_invoice import open_invoice_domain
from .dunning_dispute import PAUSING_STATES

CALL_OUTCOMES = [
    ("reached", "Reached"),
    ("no_answer", "No answer"),
    ("wrong_number", "Wrong number"),
    ("promise", "Promise to pay"),
    ("dispute", "Dispute"),
    ("payment_term", "Payment term agreed"),
]
# After these outcomes the customer still has to be reached: the call letter stays to do.
UNREACHED = ("no_answer",)
# Agreements that commit the company: collections users only.
COLLECTOR_OUTCOMES = ("promise", "payment_term")


class DunningCall(models.Model):
    """One phone call about a customer's payments, by a collector or an external call centre."""

    _name = "dunning.call"
    _description = "Collections Call"
    _inherit = ["dunning.invoice.names.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        domain="['|', ('is_company', '=', True), ('parent_id', '=', False)]",
    )
    contact_id = fields.Many2one("res.partner", string="Spoke With")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    user_id = fields.Many2one(
        "res.users", string="Caller", required=True, default=lambda self: self.env.user
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    outcome = fields.Selection(CALL_OUTCOMES, required=True)
    source = fields.Selection(
        [("collector", "Collector"), ("call_centre", "Call centre")],
        required=True,
        default="collector",
    )
    note = fields.Text()
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices Discussed",
        check_company=True,
        # the record of a call keeps the invoices it was about
        ondelete="restrict",
        domain="[('move_type', '=', 'out_invoice'), ('commercial_partner_id', '=', partner_id)]",
    )
    letter_id = fields.Many2one("dunning.letter", string="Call Letter", check_company=True)
    plan_id = fields.Many2one("dunning.plan", string="Promise / Plan", check_company=True)
    dispute_id = fields.Many2one("dunning.dispute", check_company=True)
    payment_term_id = fields.Many2one("account.payment.term", string="Payment Term Agreed")
    phone = fields.Char(
        string="Number Called",
        help="The number dialled. A number whose last call was a wrong number is flagged on "
        "the worklist until it changes on the contact or a call to it gets through.",
    )
    reason_id = fields.Many2one(
        "dunning.call.reason",
        string="Reason for Non-payment",
        index="btree_not_null",
        help="Why the customer has not paid, as they said it.",
    )
    first_contact = fields.Boolean(
        readonly=True,
        help="The first call logged about this customer in this company.",
    )
    direction = fields.Selection(
        [("outgoing", "Outgoing"), ("incoming", "Incoming")],
        required=True,
        default="outgoing",
    )
    duration = fields.Float(string="Duration (min)", help="How long the call took, in minutes.")
    # For the managers' statistics: when in the caller's week the call was made (in their time
    # zone), and whether it reached the customer (averaged: the contact rate).
    hour = fields.Integer(
        string="Hour of Day", compute="_compute_statistics", store=True, aggregator=False
    )
    weekday = fields.Selection(
        [
            ("0", "Monday"),
            ("1", "Tuesday"),
            ("2", "Wednesday"),
            ("3", "Thursday"),
            ("4", "Friday"),
            ("5", "Saturday"),
            ("6", "Sunday"),
        ],
        string="Day of Week",
        compute="_compute_statistics",
        store=True,
    )
    contact_rate = fields.Float(
        string="Contact Rate (%)",
        compute="_compute_statistics",
        store=True,
        aggregator="avg",
        help="100 for a call that reached the customer, 0 otherwise: averaged, the share of "
        "calls that got through.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        # Calls are recorded by _dunning_log_calls, which checks who may log what and creates
        # them as superuser; only collections managers (corrections, imports of history)
        # create them directly.
        if not (self.env.su or self.env.user.has_group("smart_dunning.group_dunning_manager")):
            raise AccessError(
                self.env._(
                    "Calls are recorded with Log Call or the call-centre import, not created "
                    "directly."
                )
            )
        self._mark_first_contacts(vals_list)
        return super().create(vals_list)

    @api.model
    def _mark_first_contacts(self, vals_list):
        """``first_contact`` on the first call of each customer in its company: no call about
        them was logged before (one query for the whole batch)."""
        company_id = self.env.company.id
        keys = {
            (vals.get("partner_id"), vals.get("company_id") or company_id) for vals in vals_list
        }
        partner_ids = [partner_id for partner_id, _company in keys if partner_id]
        known = set()
        if partner_ids:
            self.flush_model(["partner_id", "company_id"])
            known = set(
                self.env.execute_query(
                    SQL(
                        "SELECT DISTINCT partner_id, company_id FROM dunning_call "
                        "WHERE partner_id IN %s",
                        tuple(partner_ids),
                    )
                )
            )
        for vals in vals_list:
            key = (vals.get("partner_id"), vals.get("company_id") or company_id)
            if "first_contact" not in vals:
                vals["first_contact"] = key not in known
            known.add(key)

    @api.depends("date", "outcome", "user_id.tz")
    def _compute_statistics(self):
        for call in self:
            moment = call.date and pytz.utc.localize(call.date).astimezone(
                pytz.timezone(call.user_id.tz or "UTC")
            )
            call.hour = moment.hour if moment else 0
            call.weekday = str(moment.weekday()) if moment else False
            call.contact_rate = 0.0 if call.outcome in ("no_answer", "wrong_number") else 100.0

    @api.depends("partner_id", "date", "outcome")
    def _compute_display_name(self):
        outcomes = dict(self._fields["outcome"]._description_selection(self.env))
        for call in self:
            # the day in the reader's format and time zone (29/11/2026), not ISO
            day = call.date and fields.Datetime.context_timestamp(call, call.date).date()
            call.display_name = self.env._(
                "%(customer)s, %(date)s: %(outcome)s",
                customer=call.partner_id.name or "",
                date=format_date(self.env, day) if day else "",
                outcome=outcomes.get(call.outcome, ""),
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_on_file(self):
        # Who was called, when, and what was agreed may be asked for in court.
        if self:
            raise UserError(
                self.env._(
                    "The call %(call)s is kept as evidence of the contact with the customer "
                    "and cannot be deleted. Log a new call that corrects it instead.",
                    call=self[0].display_name,
                )
            )

    # ------------------------------------------------------------------ logging calls

    @api.model
    def _wrong_numbers(self, phones):
        """The numbers among ``phones`` whose latest call was a wrong number."""
        phones = tuple({phone for phone in phones if phone})
        if not phones:
            return set()
        self.flush_model(["phone", "outcome", "date"])
        rows = self.env.execute_query(
            SQL(
                """SELECT DISTINCT ON (phone) phone, outcome FROM dunning_call
                    WHERE phone IN %s ORDER BY phone, date DESC, id DESC""",
                phones,
            )
        )
        return {phone for phone, outcome in rows if outcome == "wrong_number"}

    @api.model
    def _dunning_log_calls(self, entries):
        """Record calls and what they settle; the one way the Log Call wizard and the
        call-centre import write calls.

        Each entry is a dict: ``partner`` (the customer, a commercial partner), ``contact``,
        ``moves`` (invoices discussed), ``outcome``, ``note``, ``date``, ``source``, ``phone``,
        ``company`` (default: the current one), ``user`` (the caller, default: the current user;
        another one only for collections managers), and for the outcomes that need them
        ``promise_date``, ``reason`` (a dispute reason) and ``payment_term``; optional
        ``call_reason`` (why the customer has not paid), ``direction`` and ``duration``
        (minutes). A promise becomes
        a confirmed promise to pay, a dispute opens, an agreed payment term goes on the
        customer; the call letters of the invoices are done (unless nobody answered), and a
        note goes on the customer's and the invoices' chatter.
        Everything is checked first: a refused entry changes nothing.
        """
        for entry in entries:
            self._check_entry(entry)
            if (entry.get("duration") or 0) < 0:
                raise UserError(self.env._("A call cannot last less than zero minutes."))
        vals_list, old_terms = [], {}
        for entry in entries:
            partner, moves = entry["partner"], entry["moves"]
            company = entry.get("company") or self.env.company
            vals = {
                "partner_id": partner.id,
                "contact_id": (entry.get("contact") or partner).id,
                "company_id": company.id,
                "user_id": (entry.get("user") or self.env.user).id,
                "outcome": entry["outcome"],
                "source": entry.get("source") or "collector",
                "note": entry.get("note") or False,
                "phone": entry.get("phone") or False,
                "move_ids": [Command.set(moves.ids)],
                "reason_id": entry.get("call_reason") and entry["call_reason"].id,
                "direction": entry.get("direction") or "outgoing",
                "duration": entry.get("duration") or 0.0,
            }
            if not vals["reason_id"] and entry["outcome"] == "dispute":
                # a dispute is a reason not to pay: the statistics count it without asking
                vals["reason_id"] = self.env.ref(
                    "smart_dunning.dunning_call_reason_dispute", raise_if_not_found=False
                ).id
            if entry.get("date"):
                vals["date"] = entry["date"]
            if entry["outcome"] == "promise":
                vals["plan_id"] = self._make_promise(entry, company).id
            elif entry["outcome"] == "dispute":
                vals["dispute_id"] = (
                    self.env["dunning.dispute"]
                    .create(
                        {
                            "partner_id": partner.id,
                            "company_id": company.id,
                            "move_ids": [Command.set(moves.ids)],
                            "reason_id": entry["reason"].id,
                            "description": entry.get("note") or False,
                        }
                    )
                    .id
                )
            elif entry["outcome"] == "payment_term":
                partner_sudo = partner.sudo().with_company(company)
                old_terms[len(vals_list)] = partner_sudo.property_payment_term_id
                partner_sudo.property_payment_term_id = entry["payment_term"]
                vals["payment_term_id"] = entry["payment_term"].id
            vals_list.append(vals)
        # Checked above, entry by entry (salespeople: their own customers, and they may not
        # read invoices): the calls are created as superuser, the one way to create them.
        calls = self.sudo().create(vals_list).sudo(False)
        calls._close_call_letters()
        calls._dunning_log_on_documents(
            {calls[index].id: term for index, term in old_terms.items()}
        )
        return calls

    @api.model
    def _check_entry(self, entry):
        partner, outcome = entry["partner"], entry["outcome"]
        moves = entry["moves"].sudo()
        if outcome not in dict(CALL_OUTCOMES):
            raise UserError(self.env._("Choose the outcome of the call."))
        company = entry.get("company") or self.env.company
        if not self.env.su and company not in self.env.user.company_ids:
            raise AccessError(
                self.env._(
                    "You do not work for %(company)s: log the call in one of your companies.",
                    company=company.sudo().display_name,
                )
            )
        caller = entry.get("user")
        if (
            caller
            and caller != self.env.user
            and not self.env.su
            and not self.env.user.has_group("smart_dunning.group_dunning_manager")
        ):
            raise AccessError(
                self.env._("Only collections managers may record a call made by someone else.")
            )
        if not self.env.user.has_group("smart_dunning.group_dunning_user"):
            if partner.user_id != self.env.user:
                raise AccessError(
                    self.env._(
                        "You may only log calls about your own customers; %(customer)s is "
                        "not one of them.",
                        customer=partner.display_name,
                    )
                )
            if outcome in COLLECTOR_OUTCOMES:
                raise AccessError(
                    self.env._(
                        "Only collections users may record a promise to pay or agree on a "
                        "payment term."
                    )
                )
        wrong = moves.filtered(
            lambda m: m.move_type != "out_invoice"
            or m.state != "posted"
            or m.commercial_partner_id != partner
            or m.company_id != company
        )
        if wrong:
            raise UserError(
                self.env._(
                    "%(invoices)s: a call is only about posted invoices of %(customer)s.",
                    invoices=", ".join(wrong.mapped("display_name")),
                    customer=partner.display_name,
                )
            )
        if outcome in ("promise", "dispute") and not moves:
            raise UserError(self.env._("Select the invoices the customer talked about."))
        if outcome == "promise":
            promise_date = entry.get("promise_date")
            if not promise_date:
                raise UserError(self.env._("Enter the date the customer promises to pay on."))
            if promise_date < fields.Date.context_today(self):
                raise UserError(
                    self.env._(
                        "The promised date %(date)s is in the past.",
                        date=format_date(self.env, promise_date),
                    )
                )
        elif outcome == "dispute" and not entry.get("reason"):
            raise UserError(self.env._("Choose the reason of the dispute."))
        elif outcome == "payment_term":
            term = entry.get("payment_term")
            if not term:
                raise UserError(self.env._("Choose the payment term agreed with the customer."))
            if partner.sudo().with_company(company).property_payment_term_id == term:
                raise UserError(
                    self.env._(
                        "%(customer)s already has the payment term %(term)s.",
                        customer=partner.display_name,
                        term=term.display_name,
                    )
                )

    @api.model
    def _make_promise(self, entry, company):
        """A confirmed promise to pay the invoices' open amount on the promised date, made by
        the same wizard as the "Promise to Pay" button, so it reads the same everywhere."""
        action = (
            self.env["dunning.plan.promise"]
            .create(
                {
                    "partner_id": entry["partner"].id,
                    "company_id": company.id,
                    "move_ids": [Command.set(entry["moves"].ids)],
                    "date_due": entry["promise_date"],
                    "note": entry.get("note") or False,
                }
            )
            .action_confirm()
        )
        return self.env["dunning.plan"].browse(action["res_id"])

    def _close_call_letters(self):
        """Link each call to the call letter of its invoices, and mark that letter's call
        done: a letter still to send is sent (the call was made), its call activity is done."""
        moves = self.sudo().move_ids
        if not moves:
            return
        letters = (
            self.env["dunning.letter"]
            .sudo()
            .search(
                [
                    ("channel", "=", "call"),
                    ("state", "in", ("draft", "sent")),
                    ("line_ids.move_id", "in", moves.ids),
                ],
                order="id desc",
            )
        )
        done = letters.browse()
        calls_by_letter = defaultdict(lambda: self.browse())
        for call in self.sudo():
            mine = letters.filtered(lambda ltr, c=call: ltr.line_ids.move_id & c.move_ids)
            if mine:
                calls_by_letter[mine[0]] |= call
                if call.outcome not in UNREACHED:
                    done |= mine
        for letter, calls in calls_by_letter.items():
            # bookkeeping of calls just checked and created by _dunning_log_calls
            calls.sudo().write({"letter_id": letter.id})
        if not done:
            return
        # Sending a letter may post a fee invoice: only with the rights of a user who may send
        # letters. A salesperson's call leaves the call letter to send for a collector.
        to_send = done.filtered(lambda ltr: ltr.state == "draft")
        if to_send and (self.env.su or self.env.user.has_group("smart_dunning.group_dunning_user")):
            to_send.with_env(self.env)._dunning_send()
        done -= to_send.filtered(lambda ltr: ltr.state == "draft")
        if not done:
            return
        call_type = self.env.ref("mail.mail_activity_data_call")
        done.activity_ids.filtered(lambda act: act.activity_type_id == call_type).action_feedback(
            feedback=self.env._("Call logged.")
        )

    def _dunning_log_on_documents(self, old_terms):
        """A short note of each call on the chatter of its customer and of its invoices."""
        partner_bodies, move_bodies = {}, {}
        for call in self:
            body = call._dunning_summary(old_terms.get(call.id))
            partner_bodies[call.partner_id.id] = (
                partner_bodies[call.partner_id.id] + Markup("<br/>") + body
                if call.partner_id.id in partner_bodies
                else body
            )
            for move in call.sudo().move_ids:
                move_bodies[move.id] = body
        self.env["res.partner"].sudo().browse(partner_bodies)._message_log_batch(partner_bodies)
        self.env["account.move"].sudo().browse(move_bodies)._message_log_batch(move_bodies)

    def _dunning_summary(self, old_term=None):
        """One call in a few words, for the chatter."""
        self.ensure_one()
        outcomes = dict(self._fields["outcome"]._description_selection(self.env))
        if self.source == "call_centre":
            head = self.env._(
                "Call centre call with %(contact)s: %(outcome)s.",
                contact=self.contact_id.name or self.partner_id.name,
                outcome=outcomes[self.outcome],
            )
        elif self.direction == "incoming":
            head = self.env._(
                "Call from %(contact)s taken by %(caller)s: %(outcome)s.",
                caller=self.user_id.name,
                contact=self.contact_id.name or self.partner_id.name,
                outcome=outcomes[self.outcome],
            )
        else:
            head = self.env._(
                "Call by %(caller)s with %(contact)s: %(outcome)s.",
                caller=self.user_id.name,
                contact=self.contact_id.name or self.partner_id.name,
                outcome=outcomes[self.outcome],
            )
        parts = [head]
        if self.reason_id:
            parts.append(
                self.env._("Reason for non-payment: %(reason)s.", reason=self.reason_id.name)
            )
        plan = self.sudo().plan_id
        if plan:
            parts.append(
                self.env._(
                    "Promise to pay %(amount)s on %(date)s (%(plan)s).",
                    amount=plan.currency_id.format(plan.amount_total),
                    date=format_date(self.env, min(plan.line_ids.mapped("date_due"))),
                    plan=plan.name,
                )
            )
        if self.dispute_id:
            dispute = self.sudo().dispute_id
            parts.append(
                self.env._(
                    "Dispute %(dispute)s opened: %(reason)s.",
                    dispute=dispute.name,
                    reason=dispute.reason_id.name,
                )
            )
        if self.payment_term_id:
            parts.append(
                self.env._(
                    "Payment term changed from %(old)s to %(new)s.",
                    old=old_term.display_name if old_term else self.env._("none"),
                    new=self.payment_term_id.display_name,
                )
            )
        if self.outcome == "wrong_number" and self.phone:
            parts.append(self.env._("Wrong number: %(phone)s.", phone=self.phone))
        if self.note:
            parts.append(self.note)
        return Markup("<br/>").join(parts)

    # ------------------------------------------------------------------ agreed payment term

    @api.model
    def _term_candidates(self, partner, company):
        """The open invoices of the customer in ``company`` whose due dates an agreed term
        moves by default: not handed over, not in an open dispute."""
        return (
            self.env["account.move"]
            .sudo()
            .search(
                open_invoice_domain()
                & Domain("commercial_partner_id", "=", partner.id)
                & Domain("company_id", "=", company.id)
                & Domain("dunning_judicial", "!=", True)
                & ~Domain("dunning_dispute_ids", "any", Domain("state", "in", PAUSING_STATES)),
                order="invoice_date_due, id",
            )
        )

    def _dunning_move_due_dates(self, moves):
        """Recompute the due dates of ``moves`` from their invoice date with the payment term
        agreed in this call, and set that term on them (the receivable lines' maturities, which
        dunning reads, follow). Each invoice gets a note with its old and new due date.

        Odoo refuses a new term on a posted invoice through the form; its own synchronisation
        of the payment-term lines does the work here. A partly paid invoice is only moved to
        a term of one instalment (its paid line is not split): the others are skipped with a
        note. Returns ``{invoice: reason}`` of the invoices skipped."""
        self.ensure_one()
        if not (self.env.su or self.env.user.has_group("smart_dunning.group_dunning_user")):
            raise AccessError(
                self.env._("Only collections users may move the due dates of invoices.")
            )
        call = self.sudo()
        term = call.payment_term_id
        if call.outcome != "payment_term" or not term:
            raise UserError(
                self.env._("Only a call that agreed on a payment term can move due dates.")
            )
        moves = moves.sudo()
        wrong = moves - moves.filtered_domain(
            open_invoice_domain()
            & Domain("commercial_partner_id", "=", call.partner_id.id)
            & Domain("company_id", "=", call.company_id.id)
        )
        if wrong:
            raise UserError(
                self.env._(
                    "%(invoices)s: only open invoices of %(customer)s can move to the agreed "
                    "payment term.",
                    invoices=", ".join(wrong.mapped("display_name")),
                    customer=call.partner_id.display_name,
                )
            )
        skipped = {}
        for move in moves.filtered("dunning_judicial"):
            skipped[move] = self.env._(
                "Handed over to a bailiff or a lawyer: the due date stays as in the file."
            )
        if len(term.line_ids) > 1:
            for move in moves.filtered(lambda m: m.payment_state == "partial"):
                skipped[move] = self.env._(
                    "Partly paid, and the payment term %(term)s has several instalments: the "
                    "due date stays as it was.",
                    term=term.display_name,
                )
        for move in moves.filtered(lambda m: m not in skipped):
            terms = move.line_ids.filtered(lambda line: line.display_type == "payment_term")
            if len(terms) != len(term.line_ids) and (
                move.inalterable_hash
                or move.date <= move.company_id._get_user_fiscal_lock_date(move.journal_id)
            ):
                # another number of instalments rewrites the amounts of the receivable lines
                skipped[move] = self.env._(
                    "Secured or in a locked period, and the payment term %(term)s has another "
                    "number of instalments: its receivable lines cannot be split again.",
                    term=term.display_name,
                )
        to_move = moves.filtered(lambda m: m not in skipped and m.invoice_payment_term_id != term)
        old_dates = {move: move.invoice_date_due for move in to_move}
        # One write for all: Odoo recomputes each invoice's payment-term lines from its date.
        to_move.with_context(skip_readonly_check=True).write({"invoice_payment_term_id": term.id})
        customer = call.partner_id.display_name
        agreed_on = format_date(self.env, call.date.date())
        bodies = {}
        for move in to_move:
            bodies[move.id] = self.env._(
                "Due date moved from %(old)s to %(new)s: payment term %(term)s agreed with "
                "%(customer)s on %(date)s (call %(call)s).",
                old=format_date(self.env, old_dates[move]),
                new=format_date(self.env, move.invoice_date_due),
                term=term.display_name,
                customer=customer,
                date=agreed_on,
                call=f"#{call.id}",
            )
        for move, reason in skipped.items():
            bodies[move.id] = self.env._(
                "Due date not moved to the payment term %(term)s agreed with %(customer)s on "
                "%(date)s (call %(call)s): %(reason)s",
                term=term.display_name,
                customer=customer,
                date=agreed_on,
                call=f"#{call.id}",
                reason=reason,
            )
        moves.browse(bodies)._message_log_batch(bodies)
        return {move.with_env(self.env): reason for move, reason in skipped.items()}

    def _ask_to_move_due_dates(self):
        """A call-centre agreement cannot choose the invoices: the customer's collector (or
        whoever imported the calls) gets a to-do on the customer, linking to the call, whose
        Move Due Dates button does it."""
        todo = self.env.ref("mail.mail_activity_data_todo")
        for call in self.sudo().filtered(
            lambda c: c.outcome == "payment_term" and c.payment_term_id
        ):
            if not call._term_candidates(call.partner_id, call.company_id):
                continue
            user = call.partner_id.dunning_user_id or self.env.user
            env = assignee_env(self.env, user)
            activity = call.partner_id.activity_schedule(
                activity_type_id=todo.id,
                summary=env._("Move due dates to the agreed term?"),
                note=Markup("<p>%s</p>")
                % env._(
                    "%(customer)s agreed to the payment term %(term)s with the call centre. "
                    "Open the call %(call)s and choose, with Move Due Dates, the open invoices "
                    "that follow the new term.",
                    customer=call.partner_id.display_name,
                    term=call.payment_term_id.with_env(env).sudo().display_name,
                    call=call._get_html_link(title=f"#{call.id}"),
                ),
                user_id=user.id,
            )
            call.term_activity_id = activity

    def action_dunning_move_due_dates(self):
        """The step of the Log Call wizard that moves due dates, for a call already logged."""
        self.ensure_one()
        if not self.env.user.has_group("smart_dunning.group_dunning_user"):
            raise AccessError(
                self.env._("Only collections users may move the due dates of invoices.")
            )
        return form_action(
            "dunning.term.move",
            name=self.env._("Move Due Dates"),
            dialog=True,
            context={"default_call_id": self.id},
        )

    def _skipped_notification(self, skipped):
        """Close the wizard; say which invoices kept their due date, and why."""
        close = {"type": "ir.actions.act_window_close"}
        if not skipped:
            return close
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Some due dates were not moved"),
                "message": "\n".join(
                    f"{move.sudo().display_name}: {reason}" for move, reason in skipped.items()
                ),
                "type": "warning",
                "sticky": True,
                "next": close,
            },
        }

    term_activity_id = fields.Many2one(
        "mail.activity",
        string="Due Dates To-Do",
        readonly=True,
        copy=False,
        ondelete="set null",
        help="The collector's to-do to move the customer's due dates to the term agreed with "
        "the call centre; done when they are moved.",
    )
