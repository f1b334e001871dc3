from odoo import api, fields, models


class DunningNumberedMixin(models.AbstractModel):
    """A record that takes its reference from its company's ``ir.sequence`` when it is created
    (disputes, payment plans, judicial files)."""

    _name = "dunning.numbered.mixin"
    _description = "Record Numbered by a Sequence"

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                company = self.env["res.company"].browse(vals.get("company_id"))
                # sudo: whoever opens the record (a salesperson, a collector, a customer on the
                # portal) need not read sequences
                vals["name"] = (
                    self.env["ir.sequence"]
                    .sudo()
                    .with_company(company or self.env.company)
                    .next_by_code(self._reference_code(vals))
                )
        return super().create(vals_list)

    def _reference_code(self, vals):
        """The code of the ``ir.sequence`` that numbers a new record created with ``vals``."""
        return self._name
