import logging
from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import (
    email_normalize,
    exception_to_unicode,
    format_amount,
    format_date,
    formatLang,
)
from odoo.tools.pdf import merge_pdf

from .bulk import bulk_write
from .dunning_level import CHANNELS
from .open_credit import invoice_nets
from .payment_matching import reconcile_with_invoices, reference_candidates
from .structured_communication import format_ogm, is_valid_ogm

_logger = logging.getLogger(__name__)

# Structured communications of letters are 1_000_000_000 + id; payment plans use 2_000_000_000 +
# id, so a reference never points to both.
LETTER_OGM_BASE = 1_000_000_000
# Days a letter gives to pay when no legal period sets the date.
PAY_WITHIN_DAYS = 14
# Letters the daily send handles per transaction.
SEND_BATCH_SIZE = 100


def letter_reference(on_date, letter_id):
    """DUN/2026/000123: the year of the letter and its number."""
    return f"DUN/{on_date.year}/{letter_id or 0:06d}"


def letter_payment_reference(company, letter_id, name):
    """The structured communication of the letter for a Belgian company, its name otherwise."""
    if company.country_id.code == "BE":
        return format_ogm(LETTER_OGM_BASE + letter_id)
    return name


def letter_amounts(residuals, credits, currency):
    """What a letter claims: its invoices' residuals, minus what the customer's open credits
    (unmatched payments, credit notes...) deduct from each of them (never below 0)."""
    overdue = currency.round(sum(residuals))
    credit = currency.round(min(sum(credits), overdue))
    return {"amount_overdue": overdue, "amount_credit": credit, "amount_due": overdue - credit}


LETTER_STATES = [
    ("draft", "To send"),
    ("to_approve", "To approve"),
    ("sent", "Sent"),
    ("cancel", "Cancelled"),
]


def _pretty_account(number):
    """An IBAN in groups of four, as banks print it; other numbers as they are."""
    compact = (number or "").replace(" ", "")
    if len(compact) > 4 and compact[:2].isalpha():
        return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
    return number or ""


class DunningLetter(models.Model):
    _name = "dunning.letter"
    _description = "Dunning Letter"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Reference", compute="_compute_name", store=True, readonly=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        readonly=True,
        help="The commercial partner the letter is about.",
    )
    contact_id = fields.Many2one(
        "res.partner",
        string="Addressee",
        readonly=True,
        help="The invoice address the letter goes to.",
    )
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    policy_id = fields.Many2one("dunning.policy", required=True, readonly=True, check_company=True)
    level_id = fields.Many2one(
        "dunning.level", required=True, index=True, readonly=True, check_company=True
    )
    channel = fields.Selection(CHANNELS, required=True, readonly=True)
    # A selection, so that forms show the language's name, not its code.
    lang = fields.Selection(
        selection="_selection_lang",
        string="Language",
        readonly=True,
        help="The language the customer reads the letter in.",
    )
    report_lang = fields.Char(
        string="Letter Language",
        compute="_compute_report_lang",
        help="Dutch and French customers read Dutch and French; everyone else English.",
    )
    letter_html = fields.Html(
        string="Letter",
        compute="_compute_letter_html",
        sanitize=False,
        help="The letter as the customer reads it, in its language.",
    )
    run_id = fields.Many2one(
        "dunning.run", index="btree_not_null", readonly=True, ondelete="set null"
    )
    date = fields.Date(required=True, readonly=True, default=fields.Date.context_today)
    sent_date = fields.Date(readonly=True, copy=False, tracking=True)
    user_id = fields.Many2one("res.users", string="Collector", tracking=True)
    salesperson_id = fields.Many2one(related="partner_id.user_id", string="Salesperson")
    state = fields.Selection(
        LETTER_STATES, required=True, default="draft", index=True, tracking=True, readonly=True
    )
    approval_reason = fields.Selection(
        [
            ("level", "Level needs approval"),
            ("new_customer", "New customer: salesperson asked"),
            ("missing_rate", "Interest rate or fee scale missing"),
            ("mail_failed", "E-mail not delivered"),
        ],
        readonly=True,
        tracking=True,
    )
    was_sent = fields.Boolean(
        string="Sent Once",
        readonly=True,
        copy=False,
        help="The letter went out at least once, even if it came back (a bounce) or was "
        "cancelled since: it is kept as evidence and cannot be deleted.",
    )
    mail_failure_reason = fields.Char(
        string="Sending Failure",
        readonly=True,
        copy=False,
        help="Why the letter could not be sent or its e-mail did not arrive; cleared when it "
        "goes out.",
    )
    judicial_route = fields.Selection(
        [("bailiff", "Bailiff"), ("lawyer", "Lawyer")],
        string="Handed Over To",
        readonly=True,
        tracking=True,
    )
    line_ids = fields.One2many("dunning.letter.line", "letter_id", string="Invoices", readonly=True)
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices Concerned",
        compute="_compute_move_ids",
        search="_search_move_ids",
    )
    credit_move_ids = fields.Many2many(
        "account.move",
        "dunning_letter_credit_move_rel",
        "letter_id",
        "move_id",
        string="Open Credits",
        readonly=True,
        # a credit deducted in a sent letter stays on file with it
        ondelete="restrict",
        help="Entries of the customer with a credit not yet matched (payments, credit notes, "
        "bank lines booked to the receivable...), deducted from the total due.",
    )
    amount_overdue = fields.Monetary(compute="_compute_amounts", store=True)
    amount_credit = fields.Monetary(
        string="Credits Deducted",
        compute="_compute_amounts",
        store=True,
        help="What the customer's unmatched payments and open credit notes deduct, the oldest "
        "invoice first.",
    )
    amount_due = fields.Monetary(
        string="Total Due",
        compute="_compute_amounts",
        store=True,
        help="Overdue amount of the letter's invoices minus the customer's open credits.",
    )
    cancel_reason = fields.Char(
        readonly=True, copy=False, help="Why the letter was cancelled before it was sent."
    )
    invoice_count = fields.Integer(compute="_compute_invoice_count", store=True)
    payment_reference = fields.Char(
        compute="_compute_payment_reference",
        store=True,
        index="btree_not_null",
        copy=False,
        help="The reference the customer gives with the payment of this letter: the structured "
        "communication for a Belgian company, the letter's reference otherwise. Payments "
        "carrying it are reconciled with the letter's invoices, the oldest first.",
    )
    fee_line_ids = fields.One2many(
        "dunning.letter.fee", "letter_id", string="Fees and Interest", readonly=True
    )
    amount_interest = fields.Monetary(string="Interest", compute="_compute_fees", store=True)
    amount_fees = fields.Monetary(string="Fees", compute="_compute_fees", store=True)
    amount_total = fields.Monetary(
        string="Total Claimed",
        compute="_compute_fees",
        store=True,
        help="Total due plus the fees and interest the letter claims.",
    )
    fee_move_id = fields.Many2one(
        "account.move",
        string="Fee Invoice",
        readonly=True,
        copy=False,
        index="btree_not_null",
        # the fee invoice is part of what the letter claimed: it cannot silently disappear
        ondelete="restrict",
        tracking=True,
        help="The separate invoice that books the fees and interest of this letter.",
    )
    fee_error = fields.Char(
        string="Fees Not Computed",
        readonly=True,
        copy=False,
        help="Why the letter cannot claim its fees and interest yet.",
    )
    is_first_reminder = fields.Boolean(
        string="First Reminder",
        readonly=True,
        help="No earlier reminder reached the customer about these invoices: for consumers "
        "the letter is free and carries the mentions the law requires.",
    )
    costs_from = fields.Date(
        readonly=True,
        help="First day the customer may be charged costs, when this first reminder waits "
        "for a legal period.",
    )
    amount_fees_announced = fields.Monetary(
        string="Costs Announced",
        readonly=True,
        help="What this first reminder announces the customer will owe if it does not pay in time.",
    )

    _check_amounts = models.Constraint(
        "CHECK (amount_overdue >= 0)", "A letter cannot claim a negative amount."
    )

    @api.depends("date")
    def _compute_name(self):
        for letter in self:
            letter.name = letter_reference(letter.date, letter.id) if letter.date else "/"

    @api.depends("line_ids.move_id")
    def _compute_move_ids(self):
        for letter in self:
            letter.move_ids = letter.line_ids.move_id

    def _search_move_ids(self, operator, value):
        return [("line_ids.move_id", operator, value)]

    @api.depends("line_ids")
    def _compute_invoice_count(self):
        for letter in self:
            letter.invoice_count = len(letter.line_ids)

    @api.model
    def _selection_lang(self):
        return self.env["res.lang"].get_installed()

    @api.depends("lang")
    def _compute_report_lang(self):
        for letter in self:
            lang = letter.lang or ""
            letter.report_lang = lang if lang[:2] in ("nl", "fr") else "en_US"

    @api.depends("line_ids", "fee_line_ids", "state", "level_id.stage", "report_lang")
    def _compute_letter_html(self):
        for letter in self:
            # Whoever may read the letter may read what it tells the customer, even without
            # access to invoices or bank accounts (a salesperson): render it as the system.
            in_lang = letter.sudo().with_context(lang=letter.report_lang)
            letter.letter_html = in_lang.env["ir.qweb"]._render(
                "smart_dunning.report_dunning_letter_body", {"letter": in_lang}
            )

    @api.depends("company_id", "name")
    def _compute_payment_reference(self):
        for letter in self:
            letter.payment_reference = isinstance(letter.id, int) and letter_payment_reference(
                letter.company_id, letter.id, letter.name
            )

    @api.depends("fee_line_ids.amount", "fee_line_ids.kind", "amount_due")
    def _compute_fees(self):
        # A run claims for thousands of letters at once: the database sums their lines.
        stored = self.filtered(lambda ltr: isinstance(ltr.id, int))
        sums = defaultdict(float)
        if stored:
            for letter, kind, amount in (
                self.env["dunning.letter.fee"]
                .sudo()
                ._read_group(
                    [("letter_id", "in", stored.ids)], ["letter_id", "kind"], ["amount:sum"]
                )
            ):
                sums[letter.id, kind == "interest"] += amount
        stored_ids = set(stored.ids)
        for letter in self:
            if letter.id in stored_ids:
                interest, fees = sums[letter.id, True], sums[letter.id, False]
            else:
                interest = sum(f.amount for f in letter.fee_line_ids if f.kind == "interest")
                fees = sum(f.amount for f in letter.fee_line_ids if f.kind != "interest")
            letter.amount_interest = interest
            letter.amount_fees = fees
            letter.amount_total = letter.amount_due + interest + fees

    @api.depends("line_ids.amount_residual", "line_ids.amount_credit")
    def _compute_amounts(self):
        for letter in self:
            letter.update(
                letter_amounts(
                    letter.line_ids.mapped("amount_residual"),
                    letter.line_ids.mapped("amount_credit"),
                    letter.currency_id,
                )
            )

    # ------------------------------------------------------------------ CRUD

    def write(self, vals):
        if vals.get("state") == "sent":
            # in the same UPDATE: a letter that went out stays evidence whatever happens next
            vals = dict(vals, was_sent=True)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sent(self):
        sent = self.filtered(lambda ltr: ltr.state == "sent" or ltr.was_sent)
        if sent:
            raise UserError(
                self.env._(
                    "Letter %(letter)s went out to the customer: it is kept as evidence and "
                    "cannot be deleted. Letters still to send can be cancelled instead.",
                    letter=sent[0].name,
                )
            )

    def _dunning_is_evidence(self):
        """Whether the letter's content is what the customer received: its invoices and fee
        lines may then no longer change or disappear."""
        self.ensure_one()
        return self.state == "sent" or (self.state == "cancel" and self.was_sent)

    # ------------------------------------------------------------------ actions

    def _check_collector(self):
        if not self.env.user.has_group("smart_dunning.group_dunning_user"):
            raise UserError(
                self.env._("Only collections users may approve, send or cancel letters.")
            )
        self.check_access("write")

    def action_approve(self):
        self._check_collector()
        letters = self.filtered(lambda ltr: ltr.state == "to_approve")
        letters.write({"state": "draft"})
        return True

    def action_send(self):
        """Send letters ready to go; letters waiting for approval are approved first."""
        self._check_collector()
        letters = self.filtered(lambda ltr: ltr.state in ("draft", "to_approve"))
        letters.filtered(lambda ltr: ltr.state == "to_approve").action_approve()
        letters._dunning_send(raise_missing_rate=True)
        return True

    def action_update_fees(self):
        """Compute the fees and interest again, e.g. after an admin added a missing rate."""
        self._check_collector()
        self.filtered(lambda ltr: ltr.state in ("draft", "to_approve"))._dunning_update_fees(
            raise_missing_rate=True
        )
        return True

    def action_cancel(self):
        self._check_collector()
        letters = self.filtered(lambda ltr: ltr.state in ("draft", "to_approve"))
        letters.write({"state": "cancel"})
        return True

    def action_preview(self):
        """The letter as the customer will read it, without sending anything."""
        self.ensure_one()
        action = self._dunning_report().report_action(self, config=False)
        action["report_type"] = "qweb-html"
        return action

    def action_send_emails(self):
        """Send the e-mail letters of the selection; the others stay where they are."""
        return self.filtered(lambda ltr: ltr.channel == "email").action_send()

    def action_print_postal_run(self):
        """Print the paper letters of the selection as one PDF for the post, and mark them
        sent. Each letter keeps its own PDF as proof of what went out."""
        self._check_collector()
        letters = self.filtered(
            lambda ltr: ltr.channel == "letter" and ltr.state in ("draft", "to_approve")
        )
        if not letters:
            raise UserError(self.env._("Select paper letters that are still to be sent."))
        letters.filtered(lambda ltr: ltr.state == "to_approve").action_approve()
        letters._dunning_send(raise_missing_rate=True)
        letters = letters.filtered(lambda ltr: ltr.state == "sent")
        if not letters:
            return self._dunning_notify(
                self.env._("Nothing to print: every invoice of these letters has been paid.")
            )
        return letters._dunning_download(
            self.env._(
                "Postal run of %(date)s (%(count)s letters).pdf",
                date=format_date(self.env, fields.Date.context_today(self)),
                count=len(letters),
            )
        )

    def action_resend(self):
        """Send sent letters again: the e-mail once more, the paper letter as it went out."""
        self._check_collector()
        letters = self.filtered(lambda ltr: ltr.state == "sent")
        emails = letters.filtered(lambda ltr: ltr.channel == "email")
        emails._send_email()
        papers = letters.filtered(lambda ltr: ltr.channel == "letter")
        letters._message_log_batch(
            {
                letter.id: self.env._("Sent again by %(user)s.", user=self.env.user.name)
                for letter in letters
            }
        )
        if papers:
            return papers._dunning_download(self.env._("Letters sent again.pdf"))
        return True

    def _dunning_report(self):
        self.ensure_one()
        return self.level_id.report_id or self.env.ref("smart_dunning.action_report_dunning_letter")

    def _dunning_pdf(self):
        """One PDF of all these letters, whatever report each level uses.

        Each letter is rendered on its own: a wkhtmltopdf without patched Qt cannot split a
        multi-document run, and each sent letter stores its own PDF on the way.
        """
        Report = self.env["ir.actions.report"]
        documents = [Report._render_qweb_pdf(ltr._dunning_report(), ltr.ids)[0] for ltr in self]
        return documents[0] if len(documents) == 1 else merge_pdf(documents)

    def _dunning_download(self, name):
        attachment = self.env["ir.attachment"].create(
            {"name": name, "raw": self._dunning_pdf(), "mimetype": "application/pdf"}
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "download",
        }

    def _dunning_notify(self, message):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"message": message, "type": "warning", "sticky": False},
        }

    # ------------------------------------------------------------------ sending

    def _refresh_lines(self):
        """Read residuals and the customers' open credits again just before sending: drop
        invoices paid since the run, and cancel letters left with nothing to claim or whose
        invoices an unmatched payment or credit now covers."""
        lines = self.line_ids
        paid = lines.filtered(lambda line: not line.move_id._dunning_is_open_invoice())
        paid.unlink()
        lines -= paid
        nets = {}
        for company, letters in self.grouped("company_id").items():
            nets.update(invoice_nets(self.env, company, set(letters.partner_id.ids)))
        for line in lines:
            residual = line.move_id.amount_residual
            credit = nets.get(line.move_id.id, (0.0, residual))[0]
            if line.amount_residual != residual or line.amount_credit != credit:
                line.write({"amount_residual": residual, "amount_credit": credit})
        empty = self.filtered(lambda ltr: not ltr.line_ids)
        if empty:
            reason = self.env._("Cancelled before sending: every invoice has been paid.")
            empty.write({"state": "cancel", "cancel_reason": reason})
            empty._message_log_batch({letter.id: reason for letter in empty})
        covered = (self - empty).filtered(
            lambda ltr: ltr.currency_id.compare_amounts(ltr.amount_due, 0) <= 0
        )
        if covered:
            covered.write({"state": "cancel"})
            for letter in covered:
                letter.cancel_reason = self.env._(
                    "Cancelled before sending: an unapplied payment or credit of the customer "
                    "covers %(amount)s, all that this letter claims. Match it with the invoices "
                    "(Collections tab of the customer: Match Now).",
                    amount=letter._format_amount(letter.amount_credit),
                )
            covered._message_log_batch({letter.id: letter.cancel_reason for letter in covered})
        # What a credit fully covers is not claimed: those invoices leave the letter.
        (self - empty - covered).line_ids.filtered(
            lambda line: line.amount_credit and line.amount_credit >= line.amount_residual
        ).unlink()
        return self - empty - covered

    def _dunning_update_fees(self, as_of=None, raise_missing_rate=False):
        """Compute the claim of each letter on ``as_of`` (default: its date).

        A letter whose period has no known rate or scale claims nothing and goes back to the
        collector; with ``raise_missing_rate`` the user gets the reason instead. The reason
        stays on the letter (``fee_error``, shown on its form) and is posted on its chatter.

        :return: the letters held back for a missing rate
        """
        held = self.browse(sorted(self.env["dunning.letter.fee"]._dunning_compute(self, as_of)))
        if held and raise_missing_rate:
            raise UserError("\n".join(f"{letter.name}: {letter.fee_error}" for letter in held))
        held.filtered(lambda ltr: ltr.state == "draft").write(
            {"state": "to_approve", "approval_reason": "missing_rate"}
        )
        if held:
            held._message_log_batch({letter.id: letter.fee_error for letter in held})
        return held

    def _dunning_missing_rate_message(self, error):
        labels = dict(
            self.env["dunning.legal.rate"]._fields["kind"]._description_selection(self.env)
        )
        labels.update(
            self.env["dunning.fee.scale"]._fields["kind"]._description_selection(self.env)
        )
        return self.env._(
            'No rate or scale is known for "%(kind)s" on %(date)s: an administrator must add '
            "the published one under Collections > Configuration before this letter can "
            "claim fees and interest.",
            kind=labels.get(error.kind, error.kind or ""),
            date=format_date(self.env, error.day),
        )

    def _dunning_send(self, sent_date=None, raise_missing_rate=False):
        letters = self.filtered(lambda ltr: ltr.state == "draft")._refresh_lines()
        sent_date = sent_date or fields.Date.context_today(self)
        # The claim is the one of the day the letter leaves; a letter sent again after a
        # mail failure keeps the claim its fee invoice already booked.
        letters -= letters.filtered(lambda ltr: not ltr.fee_move_id)._dunning_update_fees(
            sent_date, raise_missing_rate
        )
        # The letter is dated the day it leaves, also in the e-mail rendered below; the error
        # of an earlier attempt goes.
        letters.write({"sent_date": sent_date, "mail_failure_reason": False})
        for channel, batch in letters.grouped("channel").items():
            getattr(batch, f"_send_{channel}")()
        # A channel hands back the letters it could not send (e.g. no e-mail address, or a
        # mail server that failed while sending, which leaves its error on the letter).
        letters = letters.filtered(lambda ltr: ltr.state == "draft" and not ltr.mail_failure_reason)
        # The next level counts from this day (the invoices' "last reminder").
        letters.write({"state": "sent"})
        letters._dunning_invoice_fees()
        letters._log_on_documents()

    def _dunning_invoice_fees(self):
        """Book the fees and interest of letters whose policy invoices them on a separate
        invoice per letter, with the policy's product and income account. The customer's
        invoices are never changed; what earlier fee invoices booked is deducted."""
        letters = self.filtered(
            lambda ltr: ltr.policy_id.invoice_fees
            and not ltr.fee_move_id
            and ltr.currency_id.compare_amounts(ltr.amount_fees + ltr.amount_interest, 0) > 0
        )
        if not letters:
            return
        vals_list = []
        for letter in letters:
            in_lang = letter.with_context(lang=letter.report_lang)
            values = in_lang._dunning_letter_values()
            policy = letter.policy_id
            vals_list.append(
                {
                    "move_type": "out_invoice",
                    "partner_id": (letter.contact_id or letter.partner_id).id,
                    "company_id": letter.company_id.id,
                    "currency_id": letter.currency_id.id,
                    "invoice_date": letter.sent_date,
                    "invoice_date_due": letter.sent_date + timedelta(days=PAY_WITHIN_DAYS),
                    "invoice_payment_term_id": False,
                    "invoice_origin": letter.name,
                    "payment_reference": letter.payment_reference,
                    "dunning_fee_letter_id": letter.id,
                    "invoice_line_ids": [
                        fields.Command.create(
                            {
                                "product_id": policy.fee_product_id.id,
                                "name": " ".join(
                                    filter(None, [fee["label"], fee["invoice"], fee["period"]])
                                ),
                                "quantity": 1,
                                "price_unit": line.amount,
                                "account_id": policy.fee_account_id.id,
                                # Damages and late-payment interest are outside the scope
                                # of VAT: no tax, whatever the product says.
                                "tax_ids": [fields.Command.clear()],
                            }
                        )
                        for line, fee in zip(letter.fee_line_ids, values["fees"], strict=True)
                    ],
                }
            )
        moves = self.env["account.move"].create(vals_list)
        moves.action_post()
        for letter, move in zip(letters, moves, strict=True):
            letter.fee_move_id = move

    def _send_email(self):
        no_address = self.filtered(lambda ltr: not (ltr.contact_id or ltr.partner_id).email)
        no_address._dunning_mail_failed(self.env._("The customer has no e-mail address."))
        # An address that already bounced would bounce again: the collector checks it first.
        bounced = (self - no_address).filtered(
            lambda ltr: (ltr.contact_id or ltr.partner_id).dunning_email_suspect
        )
        for email, letters in bounced.grouped(
            lambda ltr: (ltr.contact_id or ltr.partner_id).email
        ).items():
            letters._dunning_mail_failed(
                self.env._(
                    "An earlier e-mail to %(email)s bounced: nothing was sent to it.", email=email
                )
            )
        (self - no_address - bounced)._dunning_post_email()

    def _dunning_post_email(self):
        default = self.env.ref(
            "smart_dunning.mail_template_dunning_letter", raise_if_not_found=False
        )
        for letter in self:
            template = letter.level_id.mail_template_id or default
            if not template:
                raise UserError(
                    self.env._(
                        "Level %(level)s has no e-mail template.", level=letter.level_id.name
                    )
                )
            letter.message_post_with_source(
                template, message_type="comment", subtype_xmlid="mail.mt_comment"
            )

    def _send_letter(self):
        """Paper letters go out with the postal run; sending marks them as posted."""

    def _send_call(self):
        call_type = self.env.ref("mail.mail_activity_data_call")
        for letter in self:
            letter.activity_schedule(
                activity_type_id=call_type.id,
                summary=self.env._(
                    "Call %(customer)s about %(amount)s overdue",
                    customer=letter.partner_id.name,
                    amount=letter._format_amount(letter.amount_due),
                ),
                user_id=(letter.user_id or self.env.user).id,
            )

    def _send_judicial(self):
        todo = self.env.ref("mail.mail_activity_data_todo")
        disputed = self.move_ids._dunning_has_dispute()
        for letter in self:
            route = letter.policy_id._judicial_route(
                sum(letter.move_ids.mapped("amount_residual_signed")) - letter.amount_credit
            )
            note = False
            letter_disputed = letter.move_ids & disputed
            if route == "bailiff" and letter_disputed:
                # The bailiff's procedure is for uncontested debts only (art. 1394/20 Ger.W.).
                route = "lawyer"
                note = self.env._(
                    "%(invoices)s disputed: the bailiff's procedure for uncontested debts is "
                    "closed to this file, so it goes to the lawyer.",
                    invoices=", ".join(letter_disputed.mapped("name")),
                )
                letter.message_post(body=note)
            letter.judicial_route = route
            bulk_write(letter.move_ids, {"dunning_judicial": True, "dunning_judicial_route": route})
            handler = (
                letter.policy_id.bailiff_id if route == "bailiff" else letter.policy_id.lawyer_id
            )
            letter.activity_schedule(
                activity_type_id=todo.id,
                summary=self.env._(
                    "Hand the file over to %(handler)s",
                    handler=handler.name
                    or dict(self._fields["judicial_route"]._description_selection(self.env))[route],
                ),
                note=note,
                user_id=(letter.user_id or self.env.user).id,
            )
        # The customer learns, in a factual letter, who follows the file from now on.
        self.filtered(
            lambda ltr: ltr.level_id.mail_template_id
            and (ltr.contact_id or ltr.partner_id).email
            and not (ltr.contact_id or ltr.partner_id).dunning_email_suspect
        )._dunning_post_email()

    def _dunning_mail_failed(self, reason, permanent=True):
        """An e-mail letter did not reach the customer.

        ``permanent`` (a bounce, a 5xx refusal of the address, an invalid address): the letter
        goes back to the collector, who gets an activity, and the address is flagged as
        suspect until someone changes it. Otherwise (server unreachable, timeout, 4xx...) the
        address is not in question: the letter stays to be sent, with the error, and the next
        send tries again; nobody is flagged.
        """
        letters = self.filtered(
            lambda ltr: ltr.channel == "email" and ltr.state in ("draft", "sent")
        )
        if not letters:
            return
        if not permanent:
            letters.write({"state": "draft", "mail_failure_reason": reason, "sent_date": False})
            letters._message_log_batch(
                {
                    letter.id: self.env._(
                        "The e-mail could not be sent (%(reason)s). The letter stays to be "
                        "sent and goes out again with the next send.",
                        reason=reason,
                    )
                    for letter in letters
                }
            )
            return
        letters.write(
            {
                "state": "to_approve",
                "approval_reason": "mail_failed",
                "mail_failure_reason": reason,
                "sent_date": False,
            }
        )
        letters.mapped(lambda ltr: ltr.contact_id or ltr.partner_id).filtered(
            lambda partner: not partner.dunning_email_suspect
        ).write({"dunning_email_suspect": True})
        todo = self.env.ref("mail.mail_activity_data_todo")
        for letter in letters:
            addressee = letter.contact_id or letter.partner_id
            letter.activity_schedule(
                activity_type_id=todo.id,
                summary=self.env._(
                    "E-mail to %(customer)s not delivered", customer=addressee.display_name
                ),
                note=self.env._(
                    "%(reason)s Check the address %(email)s, then send the letter again or "
                    "print it.",
                    reason=reason,
                    email=addressee.email or "",
                ),
                user_id=(letter.user_id or self.env.user).id,
            )

    def _message_receive_bounce(self, email, partner):
        result = super()._message_receive_bounce(email, partner)
        # A bounce of someone else's address (a follower's) says nothing about the customer.
        bounced = email_normalize(email or "")
        self.filtered(
            lambda ltr: bounced
            and email_normalize((ltr.contact_id or ltr.partner_id).email or "") == bounced
        )._dunning_mail_failed(self.env._("The e-mail to %(email)s bounced.", email=email))
        return result

    def _log_on_documents(self):
        """Note the letter on the chatter of the customer and of each invoice."""
        partner_bodies, move_bodies = {}, {}
        for letter in self:
            body = Markup(
                "%s <a href='#' data-oe-model='dunning.letter' data-oe-id='%s'>%s</a> (%s, %s)"
            ) % (
                letter.level_id.name,
                letter.id,
                letter.name,
                dict(self._fields["channel"]._description_selection(self.env))[letter.channel],
                letter._format_amount(letter.amount_due),
            )
            partner_bodies[letter.partner_id.id] = (
                partner_bodies.get(letter.partner_id.id, Markup()) + body
            )
            for move in letter.move_ids:
                move_bodies[move.id] = body
        self.env["res.partner"].browse(partner_bodies)._message_log_batch(partner_bodies)
        self.env["account.move"].browse(move_bodies)._message_log_batch(move_bodies)

    # ------------------------------------------------------------------ letter content

    def _dunning_letter_values(self):
        """What the letter templates show, formatted in the language of ``self.env``."""
        self.ensure_one()
        env, currency, company = self.env, self.currency_id, self.company_id

        def money(amount):
            return format_amount(env, amount, currency)

        def day(value):
            return format_date(env, value) if value else ""

        letter_date = self.sent_date or self.date
        addressee = self.contact_id or self.partner_id
        regime = self.policy_id.legal_regime
        bank = company.dunning_bank_id or company.partner_id.bank_ids[:1]
        handler = (
            self.policy_id.lawyer_id
            if self.judicial_route == "lawyer"
            else self.policy_id.bailiff_id
        )
        if self.is_first_reminder and self.costs_from:
            pay_by = self.costs_from - timedelta(days=1)
        else:
            pay_by = letter_date + timedelta(days=PAY_WITHIN_DAYS)
        country = addressee.country_id or self.partner_id.country_id
        outside_eu = bool(country) and country not in env.ref("base.europe").country_ids
        basis = dict(self.fee_line_ids._fields["basis"]._description_selection(env))
        kinds = dict(self.fee_line_ids._fields["kind"]._description_selection(env))
        return {
            "stage": self.level_id.stage,
            "regime": regime,
            "consumer": regime in ("be_b2c", "nl_b2c"),
            "salutation": env._("Dear %(name)s,", name=addressee.name or ""),
            "date": day(letter_date),
            "pay_by": day(pay_by),
            "rows": [
                {
                    "number": line.move_id.name,
                    "date": day(line.move_id.invoice_date),
                    "due": day(line.date_due),
                    "description": ", ".join(
                        line.move_id.invoice_line_ids.filtered(
                            lambda ml: ml.display_type == "product"
                        ).mapped("name")
                    )[:100],
                    "amount": money(line.amount_total),
                    "paid": money(line.amount_total - line.amount_residual),
                    "residual": money(line.amount_residual),
                    "days": max((letter_date - line.date_due).days, 0) if line.date_due else 0,
                }
                for line in self.line_ids.sorted(lambda ln: (ln.date_due or letter_date, ln.id))
            ],
            "credits": [
                {
                    "number": move.name,
                    "date": day(move.invoice_date or move.date),
                    "amount": format_amount(env, amount, line_currency),
                }
                for move, amount, line_currency in self._dunning_open_credits()
            ],
            "fees": [
                {
                    "label": kinds.get(fee.kind, ""),
                    "invoice": fee.move_id.name or "",
                    "period": f"{day(fee.date_from)} - {day(fee.date_to)}" if fee.date_from else "",
                    "days": fee.days or "",
                    "rate": f"{formatLang(env, fee.rate)} %" if fee.rate else "",
                    "basis": basis.get(fee.basis, ""),
                    "amount": money(fee.amount),
                }
                for fee in self.fee_line_ids
            ],
            "overdue": money(self.amount_overdue),
            "credit": money(-self.amount_credit) if self.amount_credit else "",
            "due": money(self.amount_due),
            "interest": money(self.amount_interest) if self.amount_interest else "",
            "fees_total": money(self.amount_fees) if self.amount_fees else "",
            "total": money(self.amount_total),
            "announced": money(self.amount_fees_announced) if self.amount_fees_announced else "",
            "costs_until": day(self.costs_from - timedelta(days=1)) if self.costs_from else "",
            "claims_interest": self.policy_id.claim_interest,
            "iban": _pretty_account(bank.acc_number),
            "bic": bank.bank_bic or "",
            "beneficiary": company.name,
            "structured": is_valid_ogm(self.payment_reference),
            "reference": self.payment_reference or self.name,
            "enterprise_number": company.company_registry or company.vat or "",
            "handler": handler.name or "",
            "non_eu_text": company.dunning_non_eu_text if outside_eu else "",
            "service_hours": company.dunning_service_hours or "",
            "service_phone": company.dunning_service_phone or company.phone or "",
            "service_email": company.dunning_service_email or company.email or "",
            "signature": self.user_id.name or company.name,
        }

    # ------------------------------------------------------------------ payments

    @api.model
    def _dunning_find_by_references(self, payments):
        """The letter each payment refers to by its communication.

        :param payments: ``{key: (communication, partner, company)}``
        :return: ``{key: letter}`` for the payments whose communication carries the reference
            (structured communication or letter number) of a sent letter of the same company
            and, when the payment has one, the same customer
        """
        candidates = {key: reference_candidates(text) for key, (text, _p, _c) in payments.items()}
        references = {ref for refs in candidates.values() for ref in refs}
        if not references:
            return {}
        # Whoever posts the payment may not read letters; the payment is matched all the same.
        letters = self.sudo().search(
            Domain("state", "=", "sent")
            & (
                Domain("payment_reference", "in", list(references))
                | Domain("name", "in", list(references))
            )
        )
        by_reference = {}
        for ltr in letters:
            by_reference[ltr.payment_reference, ltr.company_id] = ltr
            by_reference[ltr.name, ltr.company_id] = ltr
        found = {}
        for key, (_text, partner, company) in payments.items():
            for ref in candidates[key]:
                letter = by_reference.get((ref, company))
                if letter and (not partner or partner.commercial_partner_id == letter.partner_id):
                    found[key] = letter
                    break
        return found

    def _dunning_reconcile(self, credit_lines):
        """Reconcile the customer's payment lines with the letter's open invoices (and its fee
        invoice), the oldest due date first."""
        self.ensure_one()
        paid = reconcile_with_invoices(self.move_ids | self.fee_move_id, credit_lines)
        if not paid:
            return False
        self.message_post(
            body=self.env._(
                "Payment %(payment)s quotes this letter: reconciled with %(invoices)s.",
                payment=", ".join(credit_lines.move_id.mapped("display_name")),
                invoices=", ".join(paid.mapped("name")),
            )
        )
        return True

    def _dunning_open_credits(self):
        """``(entry, open credit, currency)`` of the letter's credit entries, as they stand:
        what their receivable lines of the customer still have unmatched."""
        self.ensure_one()
        result = []
        for move in self.credit_move_ids:
            lines = move.line_ids.filtered(
                lambda line: line.account_id.account_type == "asset_receivable"
                and not line.reconciled
                and line.amount_residual < 0
                and line.partner_id.commercial_partner_id == self.partner_id
            )
            if lines:
                currency = lines[0].currency_id
                if len(lines.currency_id) > 1 or currency != self.currency_id:
                    amount, currency = (
                        -sum(lines.mapped("amount_residual")),
                        move.company_currency_id,
                    )
                else:
                    amount = -sum(lines.mapped("amount_residual_currency"))
                result.append((move, amount, currency))
        return result

    def _format_amount(self, amount):
        self.ensure_one()
        return self.currency_id.format(amount)

    @api.model
    def _cron_send(self, batch_size=SEND_BATCH_SIZE):
        """Send the letters that need no approval (e-mail, calls, judicial hand-overs),
        company by company and ``batch_size`` letters at a time.

        Inside a real cron job each batch is its own transaction: an error never undoes the
        letters already sent, and the fee journal's sequence is locked for one batch only.
        E-mails go through the mail queue, which reports each failure on its letter.
        """
        in_cron = bool(self.env.context.get("ir_cron_progress_id"))
        Cron = self.env["ir.cron"]
        letters = self.with_context(mail_notify_force_send=False).search(
            Domain("state", "=", "draft")
            & Domain("channel", "!=", "letter")
            & Domain("policy_id.auto_send", "=", True)
        )
        if in_cron:
            Cron._commit_progress(remaining=len(letters))
        for company, company_letters in letters.grouped("company_id").items():
            for start in range(0, len(company_letters), batch_size):
                batch = company_letters[start : start + batch_size].with_company(company)
                batch._dunning_send_each()
                self.env.ref("mail.ir_cron_mail_scheduler_action")._trigger()
                if in_cron and not Cron._commit_progress(len(batch)):
                    # Out of time: the cron comes back at once for the letters left.
                    return

    def _dunning_send_each(self):
        """Send letter by letter, each in its own savepoint: a letter whose sending fails
        keeps its error and stays to send, and the others go out."""
        failed = {}
        for letter in self:
            try:
                with self.env.cr.savepoint():
                    letter._dunning_send()
            except MemoryError:
                raise
            # Whatever one letter raises (a template that does not render, a fee invoice
            # that cannot be posted...) is that letter's problem, not the batch's.
            except Exception as error:  # pylint: disable=broad-exception-caught
                _logger.warning("dunning letter %s not sent", letter.id, exc_info=True)
                failed[letter] = exception_to_unicode(error)
        for letter, error in failed.items():
            letter.mail_failure_reason = error
            letter._message_log(
                body=self.env._(
                    "Not sent (%(error)s). The letter stays to be sent and the next send "
                    "tries again.",
                    error=error,
                )
            )

    # ------------------------------------------------------------------ replies

    def _message_post_after_hook(self, message, msg_values):
        result = super()._message_post_after_hook(message, msg_values)
        # An e-mail that comes in on a letter is the customer's reply to it: it goes to the
        # collector before the followers are notified, so that they get it too.
        if message.message_type == "email" and not message.author_id.user_ids.filtered(
            lambda user: not user.share
        ):
            self._dunning_route_reply(message)
        return result

    def _dunning_route_reply(self, message):
        """The customer's collector follows the letter and the customer, finds the reply on
        the customer's chatter too, and gets one "reply to read" activity per letter."""
        reply_type = self.env.ref(
            "smart_dunning.mail_activity_type_dunning_reply", raise_if_not_found=False
        )
        for letter in self.sudo():
            collector = letter.user_id or letter.partner_id.dunning_user_id
            partner = letter.partner_id
            if collector:
                letter.message_subscribe(partner_ids=collector.partner_id.ids)
                partner.message_subscribe(partner_ids=collector.partner_id.ids)
            partner._message_log(
                body=Markup("%s<br/>%s")
                % (
                    self.env._(
                        "Reply from %(author)s to the letter %(letter)s:",
                        author=message.author_id.name or message.email_from or "",
                        letter=letter.name,
                    ),
                    message.body,
                )
            )
            if not (collector and reply_type) or letter.activity_ids.filtered(
                lambda act, kind=reply_type: act.activity_type_id == kind
            ):
                continue
            letter.activity_schedule(
                activity_type_id=reply_type.id,
                summary=self.env._(
                    "Reply from %(customer)s to read", customer=partner.display_name
                ),
                user_id=collector.id,
            )


class DunningLetterLine(models.Model):
    _name = "dunning.letter.line"
    _description = "Invoice in a Dunning Letter"
    _order = "date_due, id"
    # Part of its letter, which has the log; thousands are inserted per run, and each
    # logged user would be one more foreign key checked per row.
    _log_access = False

    letter_id = fields.Many2one("dunning.letter", required=True, index=True, ondelete="cascade")
    # Deleting an invoice must not rewrite the letters that went out about it.
    move_id = fields.Many2one(
        "account.move", string="Invoice", required=True, index=True, ondelete="restrict"
    )
    level_id = fields.Many2one("dunning.level", required=True, index=True)
    state = fields.Selection(related="letter_id.state", store=True)
    company_id = fields.Many2one(related="letter_id.company_id", store=True)
    currency_id = fields.Many2one(related="letter_id.currency_id")
    date_due = fields.Date(string="Due Date")
    amount_total = fields.Monetary(string="Invoiced")
    amount_residual = fields.Monetary(string="Amount Due")
    amount_credit = fields.Monetary(
        string="Credit Deducted",
        help="What the customer's open credits deduct from this invoice (the oldest first).",
    )
    # The database, not Python, guarantees that two runs, even at the same time in two workers,
    # never give an invoice the same level twice.
    # An invoice's current level is its latest line that was not cancelled.
    _move_latest_idx = models.Index("(move_id, id DESC) WHERE state != 'cancel'")
    _move_level_uniq = models.UniqueIndex(
        "(move_id, level_id) WHERE state != 'cancel'",
        "This invoice already has a letter at this level.",
    )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sent_letter(self):
        # Lines of letters still to send may go (an invoice paid before sending leaves it).
        sent = self.letter_id.filtered(lambda ltr: ltr._dunning_is_evidence())
        if sent:
            raise UserError(
                self.env._(
                    "Letter %(letter)s went out to the customer: the invoices it listed are "
                    "kept as evidence and cannot be removed from it.",
                    letter=sent[0].name,
                )
            )
