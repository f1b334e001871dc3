import dataclasses
import logging
import secrets
from collections import defaultdict
from datetime import timedelta
from typing import Any

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import (
    SQL,
    email_normalize,
    exception_to_unicode,
)
from odoo.tools.pdf import merge_pdf

from ..lib import rate_expiry
from ..lib.actions import list_action
from ..lib.assignee import assignee_env
from ..lib.bulk import bulk_create, new_ids
from ..lib.open_credit import invoice_nets
from ..lib.payment_matching import pick_by_reference, reconcile_with_invoices, reference_candidates
from ..lib.sequence import company_sequence, next_references
from ..lib.structured_communication import format_ogm
from .dunning_claim import ClaimLetter, ClaimLine, ClaimPartner
from .dunning_level import CHANNELS
from .ir_actions_report import wkhtmltopdf_patched

_logger = logging.getLogger(__name__)

# Structured communications of letters are 1_000_000_000 + id; payment plans use 2_000_000_000 +
# id, so a reference never points to both.
LETTER_OGM_BASE = 1_000_000_000
# Days a letter gives to pay when no legal period sets the date.
PAY_WITHIN_DAYS = 14
# Letters the daily send handles per transaction.
SEND_BATCH_SIZE = 100
# The ir.sequence that numbers letters (DUN/2026/000123); a company may have its own.
LETTER_SEQUENCE_CODE = "dunning.letter"


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


@dataclasses.dataclass
class LetterDraft:
    """A letter a run is about to make: a customer's invoices due at one level, in one
    currency (``dunning.letter._create_for_run()``)."""

    partner: Any  # res.partner, the commercial partner
    contact: Any  # res.partner the letter goes to
    level: Any  # dunning.level
    currency: Any  # res.currency
    invoices: list[dict]  # rows of the run: id, due, amount_total, amount_residual, credit
    new_customer: bool = False  # the salesperson is asked first
    credit_move_ids: list[int] = dataclasses.field(default_factory=list)


LETTER_STATES = [
    ("draft", "To send"),
    ("to_approve", "To approve"),
    ("sent", "Sent"),
    ("cancel", "Cancelled"),
]


class DunningLetter(models.Model):
    _name = "dunning.letter"
    _description = "Dunning Letter"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference",
        required=True,
        readonly=True,
        copy=False,
        default="/",
        help="Numbered by the sequence 'Dunning Letter' (DUN/year/number) when the letter is "
        "made; a company may have a sequence of its own with the same code.",
    )
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
        "dunning.run",
        # not "Run", which the run's button shares (Starten / Lancer)
        string="Dunning Run",
        index="btree_not_null",
        readonly=True,
        ondelete="set null",
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
            ("legal_mention", "Mandatory mention missing"),
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

    @api.model_create_multi
    def create(self, vals_list):
        # One block of numbers per company and date, as the run draws them.
        unnamed = defaultdict(list)
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                day = fields.Date.to_date(vals.get("date")) or fields.Date.context_today(self)
                unnamed[vals.get("company_id") or self.env.company.id, day].append(vals)
        for (company_id, day), group in unnamed.items():
            names = self._next_references(
                self.env["res.company"].browse(company_id), day, len(group)
            )
            for vals, name in zip(group, names, strict=True):
                vals["name"] = name
        return super().create(vals_list)

    @api.model
    def _next_references(self, company, on_date, count):
        """``count`` consecutive letter references of ``company`` for letters dated
        ``on_date``, drawn from its sequence in one query."""
        sequence = company_sequence(self.env, LETTER_SEQUENCE_CODE, company)
        if not sequence:
            raise UserError(
                self.env._(
                    "No sequence numbers the dunning letters of %(company)s: add a sequence with "
                    "the code %(code)s (Settings > Technical > Sequences).",
                    company=company.display_name,
                    code=LETTER_SEQUENCE_CODE,
                )
            )
        return next_references(sequence, count, on_date)

    @api.model
    def _sequence_after_id_references(self):
        """Letters made before the sequence were numbered by their id (DUN/2026/000038): a
        sequence behind the last id moves past it, so that no reference is given twice (a
        non-Belgian customer pays with it). Ids and numbers then advance together: later
        updates find nothing to move."""
        self.env.cr.execute(SQL("SELECT max(id) FROM %s", SQL.identifier(self._table)))
        last = self.env.cr.fetchone()[0]
        if not last:
            return
        for sequence in (
            self.env["ir.sequence"].sudo().search([("code", "=", LETTER_SEQUENCE_CODE)])
        ):
            if sequence.number_next_actual <= last:
                sequence.number_next_actual = last + 1

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

    @api.model
    def _action_list(self, domain):
        """The letters of ``domain`` in the Letters list; letters are made by runs, not there."""
        return list_action(
            self.env, "smart_dunning.dunning_letter_action", domain, {"create": False}
        )

    def _is_evidence(self):
        """Whether the letter's content is what the customer received: its invoices and fee
        lines may then no longer change or disappear."""
        self.ensure_one()
        return self.state == "sent" or (self.state == "cancel" and self.was_sent)

    def _check_not_evidence(self, message):
        """Refuse to change these letters' content when one of them is evidence: the error is
        ``message(letter)`` for the first such letter."""
        sent = self.filtered(lambda ltr: ltr._is_evidence())
        if sent:
            raise UserError(message(sent[0]))

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
        if len(letters) > 1:
            # Each e-mail renders its PDF: several letters go to the background job.
            return letters._queue()
        letters._dunning_send(raise_missing_rate=True)
        return True

    def action_update_fees(self):
        """Compute the fees and interest again, e.g. after an admin added a missing rate."""
        self._check_collector()
        self.filtered(lambda ltr: ltr.state in ("draft", "to_approve"))._update_fees(
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
        action = self._report().report_action(self, config=False)
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
        # Rendering takes about a second a letter: the job sends and prints them in the
        # background, and the run shows its progress.
        return letters._queue()

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
            return papers._download(self.env._("Letters sent again.pdf"))
        return True

    def _report(self):
        self.ensure_one()
        return self.level_id.report_id or self.env.ref("smart_dunning.action_report_dunning_letter")

    def _pdf(self):
        """One PDF of all these sent letters, each as it went out (its stored PDF)."""
        pdfs = self._ensure_pdfs()
        documents = [pdfs[ltr.id].raw for ltr in self]
        return documents[0] if len(documents) == 1 else merge_pdf(documents)

    def _download(self, name):
        attachment = self.env["ir.attachment"].create(
            {"name": name, "raw": self._pdf(), "mimetype": "application/pdf"}
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "download",
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

    def _update_fees(self, as_of=None, raise_missing_rate=False):
        """Compute the claim of each letter on ``as_of`` (default: its date).

        A letter whose period has no known rate or scale claims nothing and goes back to the
        collector; with ``raise_missing_rate`` the user gets the reason instead. The reason
        stays on the letter (``fee_error``, shown on its form) and is posted on its chatter.

        :return: the letters held back for a missing rate
        """
        letters = self.filtered(lambda ltr: ltr.state in ("draft", "to_approve"))
        Claim = self.env["dunning.claim"]
        claims = Claim._claims(Claim._claim_inputs(letters), as_of) if letters else {}
        letters._write_claims(claims)
        held = self.browse(sorted(key for key, claim in claims.items() if claim.flags["fee_error"]))
        if held and raise_missing_rate:
            raise UserError("\n".join(f"{letter.name}: {letter.fee_error}" for letter in held))
        held.filtered(lambda ltr: ltr.state == "draft").write(
            {"state": "to_approve", "approval_reason": "missing_rate"}
        )
        if held:
            held._message_log_batch({letter.id: letter.fee_error for letter in held})
        return held

    def _write_claims(self, claims):
        """Replace the fee lines and the claim's values of these letters by ``claims``
        (``{letter id: LetterClaim}``)."""
        by_flags = defaultdict(list)  # one write per distinct set of values
        for letter_id, claim in claims.items():
            by_flags[tuple(sorted(claim.flags.items()))].append(letter_id)
        for flags, letter_ids in by_flags.items():
            self.browse(letter_ids).write(dict(flags))
        self.fee_line_ids.unlink()
        # A run claims fees on tens of thousands of invoices: one COPY, not create().
        fees = [vals for claim in claims.values() for vals in claim.fees]
        bulk_create(self.env["dunning.letter.fee"], fees)

    def _dunning_send(self, sent_date=None, raise_missing_rate=False):
        letters = self.filtered(lambda ltr: ltr.state == "draft")._refresh_lines()
        sent_date = sent_date or fields.Date.context_today(self)
        # The claim is the one of the day the letter leaves; a letter sent again after a
        # mail failure keeps the claim its fee invoice already booked.
        letters -= letters.filtered(lambda ltr: not ltr.fee_move_id)._update_fees(
            sent_date, raise_missing_rate
        )
        letters -= letters._hold_legal(raise_missing_rate)
        # The letter is dated the day it leaves, also in the e-mail rendered below; the error
        # of an earlier attempt goes.
        letters.write({"sent_date": sent_date, "mail_failure_reason": False})
        for channel, batch in letters.grouped("channel").items():
            # Named, not built from the channel: grep finds the callers of each sender.
            senders = {
                "email": batch._send_email,
                "letter": batch._send_letter,
                "call": batch._send_call,
                "judicial": batch._send_judicial,
            }
            senders[channel]()
        # A channel hands back the letters it could not send (e.g. no e-mail address, or a
        # mail server that failed while sending, which leaves its error on the letter).
        letters = letters.filtered(lambda ltr: ltr.state == "draft" and not ltr.mail_failure_reason)
        # The next level counts from this day (the invoices' "last reminder").
        letters.write({"state": "sent"})
        letters._invoice_fees()
        letters._log_on_documents()

    def _invoice_fees(self):
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
        no_address._mail_failed(self.env._("The customer has no e-mail address."))
        # An address that already bounced would bounce again: the collector checks it first.
        bounced = (self - no_address).filtered(
            lambda ltr: (ltr.contact_id or ltr.partner_id).dunning_email_suspect
        )
        for email, letters in bounced.grouped(
            lambda ltr: (ltr.contact_id or ltr.partner_id).email
        ).items():
            letters._mail_failed(
                self.env._(
                    "An earlier e-mail to %(email)s bounced: nothing was sent to it.", email=email
                )
            )
        (self - no_address - bounced)._post_email()

    def _post_email(self):
        default = self.env.ref(
            "smart_dunning.mail_template_dunning_letter", raise_if_not_found=False
        )
        attachments = self._mail_attachments()
        for letter in self:
            template = letter.level_id.mail_template_id or default
            if not template:
                raise UserError(
                    self.env._(
                        "Level %(level)s has no e-mail template.", level=letter.level_id.name
                    )
                )
            letter.message_post_with_source(
                template,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                attachment_ids=[fields.Command.set(attachments[letter.id])],
            )

    def _mail_attachments(self):
        """``{letter id: attachment ids}`` that go with each letter's e-mail: the letter's PDF
        and, when the company wants it, the PDF of each invoice it lists ("I never received
        that invoice"). A letter sent again keeps the PDF it first went out with; invoices
        keep the PDF Odoo stored when they were sent (``invoice_pdf_report_id``), made here
        as Odoo makes it when they have none."""
        pdfs = self.filtered(lambda ltr: ltr.state == "sent")._stored_pdfs()
        fresh = self.filtered(lambda ltr: ltr.id not in pdfs)
        pdfs.update(fresh._store_pdfs(fresh._render_pdfs()))
        with_invoices = self.filtered("company_id.dunning_attach_invoices")
        invoices = with_invoices.move_ids.sudo()
        missing = invoices.filtered(lambda move: not move.invoice_pdf_report_id)
        Send = self.env["account.move.send"].sudo()
        # Without patched Qt, wkhtmltopdf renders one document per call.
        groups = missing.grouped("company_id").values() if wkhtmltopdf_patched() else missing
        for company_moves in groups:
            moves_data = {
                move: {"pdf_report": Send._get_default_pdf_report_id(move)}
                for move in company_moves
            }
            Send._prepare_invoice_pdf_report(moves_data)
            Send._link_invoice_documents(moves_data)
        result = {}
        for letter in self:
            ids = [pdfs[letter.id].id]
            if letter in with_invoices:
                ids += letter.move_ids.sudo().invoice_pdf_report_id.ids
            result[letter.id] = ids
        return result

    def _stored_pdfs(self):
        """``{letter id: attachment}``: the latest PDF stored for each of these letters."""
        stored = {}
        attachments = (
            self.env["ir.attachment"]
            .sudo()
            .search([("res_model", "=", self._name), ("res_id", "in", self.ids)], order="id desc")
        )
        names = {ltr.id: {ltr._pdf_name(), ltr._pdf_name("html")} for ltr in self}
        for attachment in attachments:
            if attachment.name in names[attachment.res_id]:
                stored.setdefault(attachment.res_id, attachment)
        return stored

    def _pdf_name(self, extension="pdf"):
        """The name of the letter's stored PDF, the one its report finds again."""
        self.ensure_one()
        return f"{self.name.replace('/', '_')}.{extension}"

    def _store_pdfs(self, documents):
        """Store ``{letter id: (content, format)}`` as each letter's attachment; returns
        ``{letter id: attachment}``."""
        letters = self.browse(list(documents))
        attachments = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                [
                    {
                        "name": letter._pdf_name(documents[letter.id][1]),
                        "raw": documents[letter.id][0],
                        "res_model": self._name,
                        "res_id": letter.id,
                        "mimetype": "application/pdf"
                        if documents[letter.id][1] == "pdf"
                        else "text/html",
                    }
                    for letter in letters
                ]
            )
        )
        return {attachment.res_id: attachment for attachment in attachments}

    def _render_each(self):
        """``{letter id: (content, format)}``: each letter rendered on its own PDF (HTML in
        tests that do not force the rendering, as Odoo's reports)."""
        Report = self.env["ir.actions.report"].sudo()
        documents = {}
        for letter in self:
            content, kind = Report.with_context(report_pdf_no_attachment=True)._render_qweb_pdf(
                letter._report(), letter.ids
            )
            documents[letter.id] = (content, kind)
        return documents

    def _render_pdfs(self):
        """``{letter id: (content, format)}``, rendered with as few wkhtmltopdf calls as
        possible: one call for many letters with a patched Qt (Odoo splits the PDF), else
        one document of many letters per CPU, the processes side by side, split again on the
        letters' references (see :mod:`.ir_actions_report`)."""
        Report = self.env["ir.actions.report"].sudo()
        if len(self) < 2 or Report._dunning_html_fallback():
            return self._render_each()
        documents = {}
        for report, letters in self.grouped(lambda ltr: ltr._report()).items():
            if wkhtmltopdf_patched():
                documents.update(Report._dunning_render_patched(report, letters))
            else:
                documents.update(Report._dunning_render_unpatched(report, letters))
        missing = self.filtered(lambda ltr: ltr.id not in documents)
        if missing:
            _logger.info("dunning letters %s rendered one by one", missing.ids)
            documents.update(missing._render_each())
        return documents

    def _ensure_pdfs(self):
        """``{letter id: attachment}``: the stored PDF of each of these sent letters, rendered
        now for those that have none."""
        pdfs = self._stored_pdfs()
        missing = self.filtered(lambda ltr: ltr.id not in pdfs)
        if missing:
            pdfs.update(missing._store_pdfs(missing._render_pdfs()))
        return pdfs

    def _send_batch(self):
        """Send these letters together; when that fails, letter by letter, so that one
        letter's problem keeps only that letter back."""
        try:
            with self.env.cr.savepoint():
                self._dunning_send()
        except MemoryError:
            raise
        # Whatever the batch raises, each letter is tried on its own below.
        except Exception:  # pylint: disable=broad-exception-caught
            _logger.info("dunning letters %s: batch failed, sent one by one", self.ids)
            self._send_each()

    def _queue(self):
        """Give the letters to the background job of their run (the latest of their
        company), which sends them and prints the paper ones; returns the notification."""
        letters = self.filtered(lambda ltr: not ltr.print_pending)
        for company, company_letters in letters.grouped("company_id").items():
            run = company_letters.run_id.sorted("id")[-1:] or self.env["dunning.run"].search(
                [("company_id", "=", company.id)], limit=1, order="id desc"
            )
            if not run:
                raise UserError(self.env._("Start a dunning run before printing letters."))
            run._queue_letters(company_letters)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": self.env._(
                    "%(count)s letters are being sent in the background; paper letters come "
                    "in one PDF in your inbox. The dunning run shows the progress.",
                    count=len(letters),
                ),
                "type": "info",
                "sticky": False,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _send_letter(self):
        """Paper letters go out with the postal run; sending marks them as posted."""

    def _send_call(self):
        call_type = self.env.ref("mail.mail_activity_data_call")
        for letter in self:
            user = letter.user_id or self.env.user
            env = assignee_env(self.env, user)
            letter.activity_schedule(
                activity_type_id=call_type.id,
                summary=env._(
                    "Call %(customer)s about %(amount)s overdue",
                    customer=letter.partner_id.name,
                    amount=letter.with_env(env)._format_amount(letter.amount_due),
                ),
                user_id=user.id,
            )

    def _send_judicial(self):
        todo = self.env.ref("mail.mail_activity_data_todo")
        disputed = self.move_ids._dunning_has_dispute()
        for letter in self:
            route = letter.policy_id._judicial_route(
                sum(letter.move_ids.mapped("amount_residual_signed")) - letter.amount_credit
            )
            user = letter.user_id or self.env.user
            env = assignee_env(self.env, user)
            note = False
            letter_disputed = letter.move_ids & disputed
            if route == "bailiff" and letter_disputed:
                # The bailiff's procedure is for uncontested debts only (art. 1394/20 Ger.W.).
                route = "lawyer"

                def disputed_note(lang_env, invoices=letter_disputed):
                    return lang_env._(
                        "%(invoices)s disputed: the bailiff's procedure for uncontested debts "
                        "is closed to this file, so it goes to the lawyer.",
                        invoices=", ".join(invoices.mapped("name")),
                    )

                # the chatter in the job's language, the activity in the collector's
                letter.message_post(body=disputed_note(self.env))
                note = disputed_note(env)
            letter.judicial_route = route
            letter.move_ids._dunning_write(
                {"dunning_judicial": True, "dunning_judicial_route": route}
            )
            handler = letter.policy_id._dunning_judicial_recipient(route)
            letter.activity_schedule(
                activity_type_id=todo.id,
                summary=env._(
                    "Hand the file over to %(handler)s",
                    handler=handler.name
                    or dict(self._fields["judicial_route"]._description_selection(env))[route],
                ),
                note=note,
                user_id=user.id,
            )
        # The judicial file the bailiff or the lawyer receives, one per customer.
        self.env["dunning.judicial.file"]._from_letters(self)
        # The customer learns, in a factual letter, who follows the file from now on.
        self.filtered(
            lambda ltr: ltr.level_id.mail_template_id
            and (ltr.contact_id or ltr.partner_id).email
            and not (ltr.contact_id or ltr.partner_id).dunning_email_suspect
        )._post_email()

    def _mail_failed(self, reason, permanent=True):
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
            user = letter.user_id or self.env.user
            env = assignee_env(self.env, user)
            letter.activity_schedule(
                activity_type_id=todo.id,
                summary=env._(
                    "E-mail to %(customer)s not delivered", customer=addressee.display_name
                ),
                note=env._(
                    "%(reason)s Check the address %(email)s, then send the letter again or "
                    "print it.",
                    reason=reason,
                    email=addressee.email or "",
                ),
                user_id=user.id,
            )

    def _message_receive_bounce(self, email, partner):
        result = super()._message_receive_bounce(email, partner)
        # A bounce of someone else's address (a follower's) says nothing about the customer.
        bounced = email_normalize(email or "")
        self.filtered(
            lambda ltr: bounced
            and email_normalize((ltr.contact_id or ltr.partner_id).email or "") == bounced
        )._mail_failed(self.env._("The e-mail to %(email)s bounced.", email=email))
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

    def _dunning_letter_values(self, level=None):
        """What the letter templates show, formatted in the language of ``self.env`` (see
        ``report.smart_dunning.report_dunning_letter``); worded as ``level`` when given."""
        self.ensure_one()
        return self.env["report.smart_dunning.report_dunning_letter"]._letter_values(
            self, level=level
        )

    # ------------------------------------------------------------------ payments

    @api.model
    def _find_by_references(self, payments):
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
        return pick_by_reference(letters, payments, candidates)

    def _reconcile(self, credit_lines):
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

    def _open_credits(self):
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
            # letters queued on a run's background job are its to send
            & Domain("print_pending", "=", False)
        )
        if in_cron:
            Cron._commit_progress(remaining=len(letters))
        for company, company_letters in letters.grouped("company_id").items():
            for start in range(0, len(company_letters), batch_size):
                batch = company._dunning_job_env(company_letters[start : start + batch_size])
                batch._send_each()
                self.env.ref("mail.ir_cron_mail_scheduler_action")._trigger()
                if in_cron and not Cron._commit_progress(len(batch)):
                    # Out of time: the cron comes back at once for the letters left.
                    return

    def _send_each(self):
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

    @api.model
    def _create_for_run(self, run, drafts, tables=None):
        """Insert the letters of ``run`` described by ``drafts`` (LetterDraft), with their
        lines, claims and deducted credits, all or none (savepoint). Returns the letters and
        those that ask the salesperson first.

        Each letter's values are set here, once, from its id and its reference (one block of
        the sequence) drawn beforehand: its payment reference, amounts and claim go in with the
        row, so nothing is recomputed or updated after the insert. ``tables``
        (``dunning.claim._tables()``) are read once for all the batches of the run, and word
        each missing rate once.
        """
        Line = self.env["dunning.letter.line"]
        company = run.company_id
        letter_ids = iter(new_ids(self, len(drafts)))
        names = iter(self._next_references(company, run.date, len(drafts)))
        line_ids = iter(new_ids(Line, sum(len(draft.invoices) for draft in drafts)))
        letter_rows, line_rows, credit_rows, inputs = [], [], [], []
        for draft in drafts:
            level, partner, currency = draft.level, draft.partner, draft.currency
            if draft.new_customer:
                reason = "new_customer"
            else:
                reason = "level" if level.needs_approval else None
            letter_id = next(letter_ids)
            name = next(names)
            invoices = draft.invoices
            letter_row = {
                "id": letter_id,
                "name": name,
                "payment_reference": letter_payment_reference(company, letter_id, name),
                # as create() gives it (dunning_letter_portal.py): the link on the letter
                "access_token": secrets.token_urlsafe(9),
                "partner_id": partner.id,
                "contact_id": draft.contact.id,
                "company_id": company.id,
                "currency_id": currency.id,
                "policy_id": level.policy_id.id,
                "level_id": level.id,
                "channel": level.channel,
                "lang": draft.contact.lang or partner.lang,
                "run_id": run.id,
                "date": run.date,
                "user_id": partner.dunning_user_id.id,
                "state": "to_approve" if reason else "draft",
                "approval_reason": reason,
                "invoice_count": len(invoices),
                **letter_amounts(
                    [r["amount_residual"] for r in invoices],
                    [r["credit"] for r in invoices],
                    currency,
                ),
            }
            lines = [
                {
                    "id": next(line_ids),
                    "letter_id": letter_id,
                    "move_id": r["id"],
                    "level_id": level.id,
                    "company_id": company.id,
                    "date_due": r["due"],
                    "amount_total": r["amount_total"],
                    "amount_residual": r["amount_residual"],
                    "amount_credit": r["credit"],
                }
                for r in invoices
            ]
            inputs.append(
                ClaimLetter(
                    letter_id,
                    run.date,
                    level.channel,
                    currency,
                    company,
                    level.policy_id,
                    letter_row["amount_credit"],
                    [
                        ClaimLine(
                            ln["id"],
                            ln["move_id"],
                            ln["date_due"],
                            ln["amount_residual"],
                            r["invoice_date"],
                            r["fee_invoice"],
                        )
                        for ln, r in zip(lines, invoices, strict=True)
                    ],
                    partner.id,
                    ClaimPartner(partner.dunning_long_term_agreed, partner.dunning_regular_supply),
                )
            )
            letter_rows.append(letter_row)
            line_rows.append(lines)
            if letter_row["amount_credit"]:
                credit_rows += [(letter_id, move_id) for move_id in draft.credit_move_ids]
        claims = self.env["dunning.claim"]._claims(inputs, tables=tables)
        # a first reminder to a consumer that may not leave goes to approval (_legal_error)
        lacks_number = company._dunning_lacks_enterprise_number()
        fee_rows = []
        for letter_row, lines, draft in zip(letter_rows, line_rows, drafts, strict=True):
            claim = claims[letter_row["id"]]
            fee_rows += claim.fees
            letter_row.update(
                claim.flags,
                amount_interest=claim.interest,
                amount_fees=claim.other,
                amount_total=draft.currency.round(
                    letter_row["amount_due"] + claim.interest + claim.other
                ),
            )
            if claim.flags["fee_error"] and letter_row["state"] == "draft":
                letter_row.update(state="to_approve", approval_reason="missing_rate")
            elif (
                letter_row["state"] == "draft"
                and claim.flags["is_first_reminder"]
                and lacks_number
                and draft.level.policy_id.legal_regime == "be_b2c"
            ):
                letter_row.update(state="to_approve", approval_reason="legal_mention")
            for line in lines:
                line["state"] = letter_row["state"]
        # All or nothing: on a clash or deadlock the savepoint is rolled back, and the ORM's
        # cache and pending computations with it.
        with self.env.cr.savepoint():
            letters = bulk_create(self, letter_rows)
            # The letters' amounts and counts are already right: their lines, fees and
            # credit notes must not trigger their recomputation.
            computed = [field for field in self._fields.values() if field.store and field.compute]
            with self.env.protecting(computed, letters):
                bulk_create(Line, [line for lines in line_rows for line in lines])
                bulk_create(self.env["dunning.letter.fee"], fee_rows)
                if credit_rows:
                    field = self._fields["credit_move_ids"]
                    self.env.cr.execute(
                        SQL(
                            "INSERT INTO %s (%s, %s) VALUES %s",
                            SQL.identifier(field.relation),
                            SQL.identifier(field.column1),
                            SQL.identifier(field.column2),
                            SQL(", ").join(credit_rows),
                        )
                    )
                    letters.invalidate_recordset(["credit_move_ids"])
                self.env.flush_all()
        asking = self.browse(r["id"] for r in letter_rows if r["approval_reason"] == "new_customer")
        return letters, asking

    # ------------------------------------------------------------------ mandatory mentions

    legal_error = fields.Char(
        string="Missing Mandatory Mention",
        compute="_compute_legal_error",
        help="What the law requires this letter to state and it cannot: the letter cannot be "
        "sent until it is filled in.",
    )

    @api.depends(
        "policy_id.legal_regime",
        "is_first_reminder",
        "company_id.country_id",
        "company_id.company_registry",
        "company_id.vat",
    )
    @api.depends_context("lang")
    def _compute_legal_error(self):
        for letter in self:
            letter.legal_error = letter._legal_error()

    def _legal_error(self):
        """Why this letter may not leave as it is, or False."""
        self.ensure_one()
        company = self.company_id
        if (
            self.policy_id.legal_regime == "be_b2c"
            and self.is_first_reminder
            and company._dunning_lacks_enterprise_number()
        ):
            # Art. XIX.2 CEL: a first reminder without it does not count as one; only a
            # company established in Belgium has such a number (docs/LEGAL.md §5.1).
            return self.env._(
                "A first reminder to a Belgian consumer must state your enterprise number "
                "(Code of Economic Law, art. XIX.2). %(company)s has none: enter it as the "
                "Company Registry (0123.456.749) or enter its Belgian VAT number, then send "
                "the letter.",
                company=company.name,
            )
        return False

    def _hold_legal(self, raise_error):
        """Hold the letters a mandatory mention is missing from: the user who sends gets
        the reason, the daily send puts them back to approve. Returns those held."""
        held = self.filtered("legal_error")
        if held and raise_error:
            raise UserError("\n".join(f"{letter.name}: {letter.legal_error}" for letter in held))
        if held:
            held.write({"state": "to_approve", "approval_reason": "legal_mention"})
            held._message_log_batch({letter.id: letter.legal_error for letter in held})
        return held

    # ------------------------------------------------------------------ rates running out

    rate_warning = fields.Text(
        string="Rates Running Out",
        compute="_compute_rate_warning",
        help="The rate or fee tables this letter's law reads that end within 45 days: an "
        "administrator enters the next value before then, or letters wait for approval.",
    )

    @api.depends(
        "state", "policy_id.legal_regime", "policy_id.claim_interest", "policy_id.claim_fees"
    )
    @api.depends_context("lang")
    def _compute_rate_warning(self):
        waiting = self.filtered(lambda ltr: ltr.state == "to_approve")
        (self - waiting).rate_warning = False
        if not waiting:
            return
        today = fields.Date.context_today(self)
        tables = {
            (model, kind): rate_expiry.warning(self.env, model, kind, last, end)
            for model, kind, last, end in rate_expiry.expiring(self.env, today)
        }
        for letter in waiting:
            policy = letter.policy_id
            # a table the policy does not claim from is no reason to hold the letter
            claimed = {
                "dunning.legal.rate": policy.claim_interest,
                "dunning.fee.scale": policy.claim_fees,
            }
            texts = [
                tables[table]
                for table in rate_expiry.REGIME_TABLES.get(policy.legal_regime, [])
                if table in tables and claimed[table[0]]
            ]
            letter.rate_warning = "\n".join(dict.fromkeys(texts)) or False

    # ------------------------------------------------------------------ background job

    print_run_id = fields.Many2one(
        "dunning.run",
        string="Sent With",
        index="btree_not_null",
        readonly=True,
        copy=False,
        ondelete="set null",
        help="The run whose background job sends and prints this letter.",
    )
    print_pending = fields.Boolean(
        string="Waiting for the Background Job",
        readonly=True,
        copy=False,
        help="Waiting for the background job to send or print it.",
    )

    # ------------------------------------------------------------------ replies

    def _message_post_after_hook(self, message, msg_values):
        result = super()._message_post_after_hook(message, msg_values)
        # An e-mail that comes in on a letter is the customer's reply to it: it goes to the
        # collector before the followers are notified, so that they get it too.
        if message.message_type == "email" and not message.author_id.user_ids.filtered(
            lambda user: not user.share
        ):
            self._route_reply(message)
        return result

    def _route_reply(self, message):
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
                summary=assignee_env(self.env, collector)._(
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
        self.letter_id._check_not_evidence(
            lambda letter: self.env._(
                "Letter %(letter)s went out to the customer: the invoices it listed are "
                "kept as evidence and cannot be removed from it.",
                letter=letter.name,
            )
        )
