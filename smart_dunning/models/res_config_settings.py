from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    dunning_policy_b2b_id = fields.Many2one(
        related="company_id.dunning_policy_b2b_id", readonly=False
    )
    dunning_policy_b2c_id = fields.Many2one(
        related="company_id.dunning_policy_b2c_id", readonly=False
    )
    dunning_payment_day_window = fields.Integer(
        related="company_id.dunning_payment_day_window", readonly=False
    )
    dunning_new_customer_days = fields.Integer(
        related="company_id.dunning_new_customer_days", readonly=False
    )
    dunning_plan_breach_days = fields.Integer(
        related="company_id.dunning_plan_breach_days", readonly=False
    )
    dunning_data_check = fields.Selection(related="company_id.dunning_data_check", readonly=False)
