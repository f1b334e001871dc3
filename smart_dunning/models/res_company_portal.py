from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    dunning_paid_hold_days = fields.Integer(
        string='Hold After "I Already Paid" (Days)',
        default=10,
        help="When a customer says online that it paid, its letters wait this many days for "
        "the payment to be matched.",
    )
