from odoo import fields, models


class DunningCallReason(models.Model):
    """Why a customer has not paid, as they told it on the phone: the managers' statistics
    count them, so the list is shared by collectors and the call centre."""

    _name = "dunning.call.reason"
    _description = "Reason for Non-payment"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
