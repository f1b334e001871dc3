import csv
import io
from collections import defaultdict
from datetime import date

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain

from ..lib.actions import list_action
from ..lib.enterprise_number import be_enterprise_number
from ..lib.open_invoice import open_invoice_domain
from .dunning_claim import ClaimLetter, ClaimLine, ClaimPartner

JUDICIAL_ROUTES = [("bailiff", "Bailiff"), ("lawyer", "Lawyer")]
FILE_STATES = [("draft", "To Send"), ("sent", "Sent"), ("closed", "Closed")]
OUTCOMES = [
    ("paid", "Paid"),
    ("partly_paid", "Partly paid"),
    ("irrecoverable", "Irrecoverable"),
]
# The CSV layout documented in docs/JUDICIAL_CSV.md: the bailiff's or lawyer's software reads
# these technical column names, whatever the user's language.
CSV_COLUMNS = [
    "file_reference",
    "route",
    "customer_name",
    "customer_vat",
    "customer_street",
    "customer_zip",
    "customer_city",
    "customer_country",
    "invoice_number",
    "invoice_date",
    "due_date",
    "amount",
    "residual",
    "interest",
    "fees",
    "currency",
    "last_letter_date",
    "last_letter_level",
    "last_letter_channel",
]


class DunningJudicialFile(models.Model):
    """What a customer's debt becomes at the judicial hand-over: the file sent to the bailiff
    or the lawyer, and its follow-up until it is closed. Its invoices stay handed over
    (``account.move.dunning_judicial``), so no run duns them again, open or closed."""

    _name = "dunning.judicial.file"
    _description = "Judicial File"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "dunning.numbered.mixin",
        "dunning.invoice.names.mixin",
    ]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="File Reference", readonly=True, copy=False, default="/")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        domain="[('parent_id', '=', False)]",
    )
    currency_id = fields.Many2one(
        "res.currency", required=True, default=lambda self: self.env.company.currency_id
    )
    date = fields.Date(string="Opened On", required=True, default=fields.Date.context_today)
    user_id = fields.Many2one(
        "res.users", string="Collector", tracking=True, default=lambda self: self.env.user
    )
    route = fields.Selection(JUDICIAL_ROUTES, required=True, default="bailiff", tracking=True)
    recipient_id = fields.Many2one(
        "res.partner",
        string="Sent To",
        tracking=True,
        help="The bailiff or the lawyer who takes over the file (Collections settings).",
    )
    move_ids = fields.Many2many(
        "account.move",
        "dunning_judicial_file_move_rel",
        "file_id",
        "move_id",
        string="Invoices",
        check_company=True,
    )
    move_count = fields.Integer(compute="_compute_move_count")
    letter_id = fields.Many2one(
        "dunning.letter",
        string="Hand-over Letter",
        readonly=True,
        check_company=True,
        help="The letter of the judicial level that handed the file over.",
    )
    letter_ids = fields.Many2many(
        "dunning.letter",
        "dunning_judicial_file_letter_rel",
        "file_id",
        "letter_id",
        string="Hand-over Letters",
        readonly=True,
    )
    amount_principal = fields.Monetary(string="Principal", readonly=True, tracking=True)
    amount_interest = fields.Monetary(string="Interest", readonly=True, tracking=True)
    amount_fees = fields.Monetary(string="Fees and Compensation", readonly=True, tracking=True)
    amount_total = fields.Monetary(
        string="Total Claimed", compute="_compute_amount_total", store=True, tracking=True
    )
    state = fields.Selection(
        FILE_STATES, required=True, default="draft", readonly=True, tracking=True, index=True
    )
    sent_on = fields.Date(readonly=True, copy=False, tracking=True)
    outcome = fields.Selection(OUTCOMES, tracking=True, copy=False)
    recovered_amount = fields.Monetary(tracking=True, copy=False)
    costs = fields.Monetary(
        string="Costs Charged",
        tracking=True,
        copy=False,
        help="What the bailiff or the lawyer charged for the file.",
    )
    closed_on = fields.Date(readonly=True, copy=False, tracking=True)
    notes = fields.Text()
    dossier_attachment_id = fields.Many2one(
        "ir.attachment", string="Dossier", readonly=True, copy=False
    )

    @api.depends("move_ids")
    def _compute_move_count(self):
        for file in self:
            file.move_count = len(file.move_ids)

    @api.depends("amount_principal", "amount_interest", "amount_fees")
    def _compute_amount_total(self):
        for file in self:
            file.amount_total = file.amount_principal + file.amount_interest + file.amount_fees

    # ------------------------------------------------------------------ creation

    @api.model
    def _from_letters(self, letters):
        """The files of the customers that ``letters`` (judicial level, just sent) hand over:
        one per customer, company and currency; an open file of that customer gets the new
        invoices instead of a second file."""
        letters = letters.filtered(lambda ltr: ltr.channel == "judicial" and ltr.move_ids)
        if not letters:
            return self.browse()
        groups = defaultdict(lambda: self.env["dunning.letter"])
        for letter in letters:
            groups[letter.company_id, letter.partner_id, letter.currency_id] |= letter
        open_files = self.search(
            [
                ("state", "!=", "closed"),
                ("partner_id", "in", letters.partner_id.ids),
                ("company_id", "in", letters.company_id.ids),
            ]
        )
        by_key = {(f.company_id, f.partner_id, f.currency_id): f for f in open_files}
        files = self.browse()
        to_create = []
        for (company, partner, currency), group in groups.items():
            file = by_key.get((company, partner, currency))
            if file:
                file._dunning_add(group.move_ids, group)
                files |= file
                continue
            route = "lawyer" if "lawyer" in group.mapped("judicial_route") else "bailiff"
            to_create.append(
                {
                    "company_id": company.id,
                    "partner_id": partner.id,
                    "currency_id": currency.id,
                    "route": route,
                    "recipient_id": group[0].policy_id._dunning_judicial_recipient(route).id,
                    "user_id": (group[0].user_id or partner.dunning_user_id or self.env.user).id,
                    "move_ids": [fields.Command.set(group.move_ids.ids)],
                    "letter_id": group[0].id,
                    "letter_ids": [fields.Command.set(group.ids)],
                }
            )
        created = self.create(to_create)
        created._update_claim()
        return files | created

    @api.model
    def _from_partner(self, partner, company=None):
        """A file opened by hand for ``partner``: its overdue open invoices in ``company``
        not handed over yet are handed over with it."""
        company = company or self.env.company
        partner = partner.commercial_partner_id
        moves = self.env["account.move"].search(
            open_invoice_domain()
            & Domain("commercial_partner_id", "=", partner.id)
            & Domain("company_id", "=", company.id)
            & Domain("invoice_date_due", "<", fields.Date.context_today(self))
            & Domain("dunning_judicial", "=", False),
            order="invoice_date_due, id",
        )
        if not moves:
            raise UserError(
                self.env._(
                    "%(customer)s has no overdue invoice that is not handed over yet.",
                    customer=partner.display_name,
                )
            )
        currency = moves[0].currency_id
        moves = moves.filtered(lambda move: move.currency_id == currency)
        file = self.search(
            [
                ("state", "!=", "closed"),
                ("partner_id", "=", partner.id),
                ("company_id", "=", company.id),
                ("currency_id", "=", currency.id),
            ],
            limit=1,
        )
        policy = partner.with_company(company)._dunning_effective_policy()
        if file:
            file._dunning_add(moves)
            route = file.route
        else:
            amount = sum(moves.mapped("amount_residual_signed"))
            route = policy._judicial_route(amount) if policy else "lawyer"
            if route == "bailiff" and moves._dunning_has_dispute():
                # The bailiff's procedure is for uncontested debts only (art. 1394/20 Ger.W.).
                route = "lawyer"
            file = self.create(
                {
                    "company_id": company.id,
                    "partner_id": partner.id,
                    "currency_id": currency.id,
                    "route": route,
                    "recipient_id": policy._dunning_judicial_recipient(route).id
                    if policy
                    else company._dunning_judicial_recipient(route).id,
                    "user_id": (partner.dunning_user_id or self.env.user).id,
                    "move_ids": [fields.Command.set(moves.ids)],
                }
            )
            file._update_claim()
        moves._dunning_write({"dunning_judicial": True, "dunning_judicial_route": route})
        return file

    def _dunning_add(self, moves, letters=None):
        """A second hand-over of the customer while the file is open: its invoices (and the
        letters that handed them over) join the file."""
        self.ensure_one()
        new_moves = moves - self.move_ids
        vals = {"move_ids": [fields.Command.link(move.id) for move in new_moves]}
        if letters:
            vals["letter_ids"] = [fields.Command.link(letter.id) for letter in letters]
            if "lawyer" in letters.mapped("judicial_route") and self.route != "lawyer":
                vals["route"] = "lawyer"
                vals["recipient_id"] = letters[0].policy_id._dunning_judicial_recipient("lawyer").id
        self.write(vals)
        self._update_claim()
        if new_moves:
            self.message_post(
                body=self.env._(
                    "Invoices added to the file: %(invoices)s.",
                    invoices=", ".join(new_moves.mapped("name")),
                )
            )

    # ------------------------------------------------------------------ claim

    def _claim_rows(self):
        """The claim of the file, line by line with its legal basis, as ``dunning.letter.fee``
        values: the frozen claim of the hand-over letters for their invoices, and the claim
        engine's on the file's date for the invoices handed over by hand."""
        self.ensure_one()
        rows = []
        for fee in self.letter_ids.fee_line_ids:
            rows.append(
                {
                    "kind": fee.kind,
                    "basis": fee.basis,
                    "move_id": fee.move_id.id,
                    "date_from": fee.date_from,
                    "date_to": fee.date_to,
                    "days": fee.days,
                    "rate": fee.rate,
                    "base_amount": fee.base_amount,
                    "amount": fee.amount,
                }
            )
        others = self._moves_without_letter()
        if others:
            policy = self.partner_id.with_company(self.company_id)._dunning_effective_policy()
            if policy:
                # A file is not a letter: an id no letter has keeps the engine's lookups of
                # "other letters" whole.
                inputs = [
                    ClaimLetter(
                        -self.id,
                        self.date,
                        "judicial",
                        self.currency_id,
                        self.company_id,
                        policy,
                        0.0,
                        [
                            ClaimLine(
                                move.id,
                                move.id,
                                move.invoice_date_due,
                                move.amount_residual,
                                move.invoice_date,
                                bool(move.dunning_fee_letter_id),
                            )
                            for move in others
                        ],
                        self.partner_id.id,
                        ClaimPartner(
                            self.partner_id.dunning_long_term_agreed,
                            self.partner_id.dunning_regular_supply,
                        ),
                    )
                ]
                claim = self.env["dunning.claim"]._claims(inputs)[-self.id]
                skip = ("letter_id", "sequence")
                rows += [
                    {key: value for key, value in fee.items() if key not in skip}
                    for fee in claim.fees
                ]
        return rows

    def _moves_without_letter(self):
        self.ensure_one()
        return self.move_ids - self.letter_ids.move_ids

    def _update_claim(self):
        """Principal, interest and fees of the files, from their hand-over letters and the
        claim engine (never computed a second way)."""
        for file in self:
            rows = file._claim_rows()
            others = file._moves_without_letter()
            currency = file.currency_id
            file.write(
                {
                    "amount_principal": currency.round(
                        sum(file.letter_ids.mapped("amount_due"))
                        + sum(others.mapped("amount_residual"))
                    ),
                    "amount_interest": currency.round(
                        sum(row["amount"] for row in rows if row["kind"] == "interest")
                    ),
                    "amount_fees": currency.round(
                        sum(row["amount"] for row in rows if row["kind"] != "interest")
                    ),
                }
            )

    # ------------------------------------------------------------------ follow-up

    def action_send(self):
        """The file leaves for the bailiff or the lawyer: the dossier PDF is kept on it."""
        for file in self:
            if file.state != "draft":
                raise UserError(self.env._("File %(file)s was already sent.", file=file.name))
            if not file.recipient_id:
                raise UserError(
                    self.env._(
                        "File %(file)s has no bailiff or lawyer to send it to: choose one on "
                        "the file, or in the Collections settings.",
                        file=file.name,
                    )
                )
        today = fields.Date.context_today(self)
        self.write({"state": "sent", "sent_on": today})
        for file in self:
            file._attach_dossier()
        return True

    def _attach_dossier(self):
        self.ensure_one()
        report = self.env.ref("smart_dunning.action_report_dunning_judicial_file")
        pdf, _type = self.env["ir.actions.report"]._render_qweb_pdf(report, self.ids)
        attachment = self.env["ir.attachment"].create(
            {
                "name": "{}.pdf".format(self.name.replace("/", "_")),
                "raw": pdf,
                "mimetype": "application/pdf",
                "res_model": self._name,
                "res_id": self.id,
            }
        )
        self.dossier_attachment_id = attachment
        self.message_post(
            body=self.env._(
                "File sent to %(recipient)s.", recipient=self.recipient_id.display_name
            ),
            attachment_ids=attachment.ids,
        )

    def action_close(self):
        """Closed with its outcome; the invoices stay handed over: dunning does not resume,
        whatever the outcome."""
        for file in self:
            if file.state == "closed":
                raise UserError(self.env._("File %(file)s is already closed.", file=file.name))
            if not file.outcome:
                raise UserError(
                    self.env._(
                        "Choose the outcome of file %(file)s (paid, partly paid or "
                        "irrecoverable) before closing it.",
                        file=file.name,
                    )
                )
            if file.recovered_amount < 0 or file.costs < 0:
                raise UserError(
                    self.env._(
                        "The recovered amount and the costs of file %(file)s cannot be negative.",
                        file=file.name,
                    )
                )
        self.write({"state": "closed", "closed_on": fields.Date.context_today(self)})
        return True

    def action_open_invoices(self):
        self.ensure_one()
        return list_action(
            self.env,
            "account.action_move_out_invoice_type",
            [("id", "in", self.move_ids.ids)],
            {"create": False},
        )

    # ------------------------------------------------------------------ CSV

    def action_export_csv(self):
        """The CSV of these files (docs/JUDICIAL_CSV.md), downloaded."""
        if not self:
            raise UserError(self.env._("Select the judicial files to export."))
        name = (
            "{}.csv".format(self.name.replace("/", "_"))
            if len(self) == 1
            else f"judicial_files_{fields.Date.context_today(self).isoformat()}.csv"
        )
        attachment = self.env["ir.attachment"].create(
            {"name": name, "raw": self._csv(), "mimetype": "text/csv"}
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }

    def _csv(self):
        """The bytes of the CSV: ``;``, UTF-8, decimal point, ISO dates, one row per
        invoice."""
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        for row in self._dunning_csv_rows():
            writer.writerow([row[column] for column in CSV_COLUMNS])
        return out.getvalue().encode("utf-8")

    def _dunning_csv_rows(self):
        """One dict per invoice of the files. A fee claimed for a letter as a whole (a
        consumer's lump sum, the WIK costs) is on the row of the file's oldest invoice."""
        last_letters = self._last_letters()
        rows = []
        for file in self:
            partner = file.partner_id
            moves = file.move_ids.sorted(lambda m: (m.invoice_date_due or m.date, m.id))
            interest, fees = defaultdict(float), defaultdict(float)
            for claim in file._claim_rows():
                move_id = claim["move_id"] or moves[:1].id
                target = interest if claim["kind"] == "interest" else fees
                target[move_id] += claim["amount"]
            digits = file.currency_id.decimal_places

            def number(amount, digits=digits):
                return f"{amount:.{digits}f}"

            for move in moves:
                letter = last_letters.get(move.id)
                rows.append(
                    {
                        "file_reference": file.name,
                        "route": file.route,
                        "customer_name": partner.name or "",
                        "customer_vat": be_enterprise_number(partner.company_registry, partner.vat)
                        or partner.vat
                        or "",
                        "customer_street": ", ".join(
                            filter(None, [partner.street, partner.street2])
                        ),
                        "customer_zip": partner.zip or "",
                        "customer_city": partner.city or "",
                        "customer_country": partner.country_id.code or "",
                        "invoice_number": move.name,
                        "invoice_date": move.invoice_date.isoformat() if move.invoice_date else "",
                        "due_date": move.invoice_date_due.isoformat()
                        if move.invoice_date_due
                        else "",
                        "amount": number(move.amount_total),
                        "residual": number(move.amount_residual),
                        "interest": number(interest[move.id]),
                        "fees": number(fees[move.id]),
                        "currency": file.currency_id.name,
                        "last_letter_date": letter.sent_date.isoformat()
                        if letter and letter.sent_date
                        else "",
                        "last_letter_level": letter.level_id.name if letter else "",
                        "last_letter_channel": letter.channel if letter else "",
                    }
                )
        return rows

    def _last_letters(self):
        """``{invoice id: the last letter sent to the customer about it}``, in one query,
        the judicial hand-over included."""
        lines = self.env["dunning.letter.line"].search_fetch(
            [("move_id", "in", self.move_ids.ids), ("state", "=", "sent")],
            ["move_id", "letter_id"],
        )
        lines.letter_id.fetch(["sent_date", "level_id", "channel"])
        last = {}
        for line in lines.sorted(lambda ln: (ln.letter_id.sent_date or date.min, ln.letter_id.id)):
            last[line.move_id.id] = line.letter_id
        return last

    # ------------------------------------------------------------------ dossier

    def _report_lang(self):
        """The dossier is for the bailiff or the lawyer: in their language."""
        self.ensure_one()
        return self.recipient_id.lang or self.company_id.partner_id.lang or self.env.lang or "en_US"

    def _dossier_values(self):
        """What the dossier PDF shows, formatted in the language of ``self.env``."""
        return self.env["report.smart_dunning.report_dunning_judicial_file"]._file_values(self)
