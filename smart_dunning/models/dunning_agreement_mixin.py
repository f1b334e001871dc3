from odoo import api, fields, models


class DunningAgreementMixin(models.AbstractModel):
    """What an agreement with a customer about some of its invoices holds, whatever pauses
    their dunning: a dispute or a payment plan.

    Each model declares its own ``move_ids`` (its relation table, domain and help); the mixin's
    one only lets the shared computes depend on it.
    """

    _name = "dunning.agreement.mixin"
    _description = "Agreement with a Customer about Invoices"
    _inherit = ["dunning.numbered.mixin", "dunning.invoice.names.mixin"]
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        domain="['|', ('is_company', '=', True), ('parent_id', '=', False)]",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(
        "res.currency", compute="_compute_currency_id", store=True, precompute=True
    )
    move_ids = fields.Many2many("account.move", string="Invoices", check_company=True)

    @api.depends("move_ids", "company_id")
    def _compute_currency_id(self):
        for record in self:
            record.currency_id = record.move_ids[:1].currency_id or record.company_id.currency_id

    def _foreign_invoices(self):
        """The invoices of this agreement it may not cover: anything but a posted customer
        invoice of its customer. Read as superuser: salespeople may not read invoices, yet the
        check must see them."""
        self.ensure_one()
        return self.sudo().move_ids.filtered(
            lambda m: m.move_type != "out_invoice"
            or m.state != "posted"
            or m.commercial_partner_id != self.partner_id
        )

    def _log_on_invoices(self, bodies):
        """Note ``bodies`` ({record id: text}) on the chatter of each record's invoices."""
        by_move = {}
        for record in self.sudo():
            for move in record.move_ids:
                by_move[move.id] = bodies[record.id]
        self.env["account.move"].sudo().browse(by_move)._message_log_batch(by_move)
