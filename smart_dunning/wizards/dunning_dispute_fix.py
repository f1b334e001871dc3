from odoo import api, fields, models
from odoo.exceptions import UserError

from ..lib.data_check import email_problem, normalize_postcode
from ..models.dunning_dispute import PAUSING_STATES


class DunningDisputeFix(models.TransientModel):
    _name = "dunning.dispute.fix"
    _description = "Fix a Data Error and Re-send the Invoices"

    dispute_id = fields.Many2one("dunning.dispute", required=True, ondelete="cascade")
    data_fix = fields.Selection(related="dispute_id.data_fix")
    partner_id = fields.Many2one(
        "res.partner",
        string="Invoice Address",
        compute="_compute_partner_id",
        store=True,
        help="The contact the invoices are addressed and e-mailed to.",
    )
    country_code = fields.Char(related="partner_id.country_id.code")
    old_value = fields.Char(string="Current Value", compute="_compute_values", store=True)
    email = fields.Char(string="E-mail", compute="_compute_values", store=True, readonly=False)
    street = fields.Char(compute="_compute_values", store=True, readonly=False)
    zip = fields.Char(string="Postcode", compute="_compute_values", store=True, readonly=False)
    city = fields.Char(compute="_compute_values", store=True, readonly=False)
    ref = fields.Char(
        string="Purchase-Order Number", compute="_compute_values", store=True, readonly=False
    )

    @api.depends("dispute_id")
    def _compute_partner_id(self):
        for wizard in self:
            dispute = wizard.dispute_id.sudo()
            wizard.partner_id = dispute.move_ids.partner_id[:1] or dispute.partner_id

    @api.depends("partner_id", "data_fix")
    def _compute_values(self):
        for wizard in self:
            partner = wizard.partner_id
            ref = wizard.dispute_id.move_ids[:1].ref
            wizard.email = partner.email
            wizard.street = partner.street
            wizard.zip = partner.zip
            wizard.city = partner.city
            wizard.ref = ref
            wizard.old_value = {
                "email": partner.email,
                "address": ", ".join(filter(None, [partner.street, partner.zip, partner.city])),
                "po": ref,
            }.get(wizard.data_fix) or "-"

    def action_apply(self):
        """Correct the data, send the invoices again by e-mail and resolve the dispute."""
        self.ensure_one()
        dispute = self.dispute_id
        dispute._check_collector()
        if dispute.state not in PAUSING_STATES or not self.data_fix:
            raise UserError(
                self.env._("Only an open dispute about a data error can be fixed in one step.")
            )
        new_value = self._apply_fix()
        invoices = dispute.move_ids.filtered(lambda move: move._dunning_is_open_invoice())
        without_email = invoices.filtered(lambda move: not move.partner_id.email)
        if without_email:
            raise UserError(
                self.env._(
                    "%(contact)s has no e-mail address: %(invoices)s cannot be sent again by "
                    "e-mail.",
                    contact=without_email.partner_id[:1].display_name,
                    invoices=", ".join(without_email.mapped("name")),
                )
            )
        if invoices:
            # The corrected data must be on the PDF: the old one is detached, as when an
            # invoice is reset to draft, and a new one is made.
            invoices._detach_attachments()
            self.env["account.move.send"]._generate_and_send_invoices(
                invoices, sending_methods=["email"]
            )
        dispute.message_post(
            body=self.env._(
                "%(what)s corrected: %(old)s → %(new)s. Invoices sent again by e-mail: "
                "%(invoices)s.",
                what=dict(self._fields["data_fix"]._description_selection(self.env))[self.data_fix],
                old=self.old_value,
                new=new_value,
                invoices=", ".join(invoices.mapped("name")) or "-",
            )
        )
        dispute.resolution = "corrected"
        dispute.action_resolve()
        return {"type": "ir.actions.act_window_close"}

    def _apply_fix(self):
        """Write the corrected value; return it as shown in the log."""
        if self.data_fix == "email":
            email = (self.email or "").strip()
            if email_problem(email):
                raise UserError(
                    self.env._("%(email)s is not a valid e-mail address.", email=email or "-")
                )
            self.partner_id.email = email
            return email
        if self.data_fix == "address":
            postcode = normalize_postcode(self.country_code, self.zip)
            if not postcode:
                raise UserError(self._postcode_error())
            self.partner_id.write({"street": self.street, "zip": postcode, "city": self.city})
            return ", ".join(filter(None, [self.street, postcode, self.city]))
        ref = (self.ref or "").strip()
        if not ref:
            raise UserError(self.env._("Enter the customer's purchase-order number."))
        self.dispute_id.move_ids.write({"ref": ref})
        return ref

    def _postcode_error(self):
        value = (self.zip or "").strip() or "-"
        if self.country_code == "BE":
            return self.env._(
                "A Belgian postcode has four digits, e.g. 1000; %(zip)s is not one.", zip=value
            )
        if self.country_code == "NL":
            return self.env._(
                'A Dutch postcode has four digits and two letters, e.g. "1234 AB"; %(zip)s is '
                "not one.",
                zip=value,
            )
        return self.env._("Enter the postcode.")
