from odoo import fields, models

DATA_FIXES = [
    ("email", "E-mail address"),
    ("address", "Postal address or postcode"),
    ("po", "Purchase-order number"),
]


class DunningDisputeReason(models.Model):
    _name = "dunning.dispute.reason"
    _description = "Dispute Reason"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    data_fix = fields.Selection(
        DATA_FIXES,
        string="Data Error Fixes",
        help="For reasons that are data errors: the field the collector corrects in one step "
        "before the invoice is sent again and the dispute closes.",
    )
    description = fields.Text(translate=True)
    deadline_days = fields.Integer(
        string="Days to Settle",
        default=30,
        help="A dispute for this reason gets this many days after its opening as deadline; "
        "past it, its owner and the collections managers get an activity. 0: no deadline.",
    )
