from odoo import api, fields, models


class DunningInvoiceNamesMixin(models.AbstractModel):
    """Records about invoices that salespeople open too (disputes, plans, calls, judicial
    files): salespeople may not read invoices, so their forms show the invoice numbers.

    Each model declares its own ``move_ids`` (relation table, domain, help); this one only
    lets the compute depend on it.
    """

    _name = "dunning.invoice.names.mixin"
    _description = "Invoice Numbers Shown to Salespeople"

    move_ids = fields.Many2many("account.move", string="Invoices")
    invoice_names = fields.Char(
        string="Invoice Numbers",
        compute="_compute_invoice_names",
        compute_sudo=True,
        help="Shown to those who may not open invoices, such as salespeople.",
    )

    @api.depends("move_ids")
    def _compute_invoice_names(self):
        for record in self:
            record.invoice_names = ", ".join(record.move_ids.mapped("name"))
