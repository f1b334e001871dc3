from odoo import api, fields, models
from odoo.exceptions import ValidationError


class DunningPolicy(models.Model):
    """What a customer may agree to online, without a collector (issue #15)."""

    _inherit = "dunning.policy"

    portal_promise_max_days = fields.Integer(
        string="Online Promise: Maximum Days",
        default=30,
        help="A customer may promise online to pay at most this many days from today.",
    )
    portal_plan_max_count = fields.Integer(
        string="Online Plan: Maximum Instalments",
        default=6,
        help="Plans asked online with more instalments go to the collector for approval.",
    )
    portal_plan_max_months = fields.Integer(
        string="Online Plan: Maximum Months",
        default=6,
        help="Plans asked online whose last instalment falls later go to the collector.",
    )
    portal_plan_min_amount = fields.Monetary(
        string="Online Plan: Minimum Instalment",
        default=50.0,
        help="Plans asked online with smaller instalments go to the collector. Customers at "
        "risk always need the collector's approval.",
    )

    @api.constrains(
        "portal_promise_max_days",
        "portal_plan_max_count",
        "portal_plan_max_months",
        "portal_plan_min_amount",
    )
    def _check_portal_limits(self):
        for policy in self:
            if (
                min(
                    policy.portal_promise_max_days,
                    policy.portal_plan_max_count,
                    policy.portal_plan_max_months,
                )
                < 0
                or policy.portal_plan_min_amount < 0
            ):
                raise ValidationError(self.env._("The online limits cannot be negative."))
