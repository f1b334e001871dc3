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
    portal_label = fields.Char(
        string="Label for Customers",
        translate=True,
        help="What the customer picks on the reminder's page; the name if empty.",
    )
    portal_visible = fields.Boolean(
        string="Customers May Choose It",
        default=True,
        help="Offered on the reminder's page to customers who dispute an invoice online.",
    )

    def dunning_portal_name(self):
        self.ensure_one()
        return self.portal_label or self.name

    deadline_days = fields.Integer(
        string="Days to Settle",
        default=30,
        help="A dispute for this reason gets this many days after its opening as deadline; "
        "past it, its owner and the collections managers get an activity. 0: no deadline.",
    )
