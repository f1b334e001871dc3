from odoo import api, fields, models
from odoo.exceptions import ValidationError


class DunningPolicy(models.Model):
    _name = "dunning.policy"
    _description = "Dunning Policy"
    _inherit = ["mail.thread"]
    _order = "company_id, customer_kind, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    level_ids = fields.One2many("dunning.level", "policy_id", string="Levels", copy=True)
    customer_kind = fields.Selection(
        [("b2b", "Businesses"), ("b2c", "Consumers")],
        required=True,
        default="b2b",
        tracking=True,
    )
    legal_regime = fields.Selection(
        [
            ("be_b2b", "Belgium, businesses (law of 2 August 2002)"),
            ("be_b2c", "Belgium, consumers (Code of Economic Law, Book XIX)"),
            ("nl_b2b", "Netherlands, businesses"),
            ("nl_b2c", "Netherlands, consumers (WIK)"),
            ("none", "None"),
        ],
        required=True,
        default="none",
        tracking=True,
        help="Decides which fees and interest the letters may claim.",
    )
    grace_days = fields.Integer(
        default=3,
        tracking=True,
        help="Days after the due date during which no reminder goes out, to let payments "
        "made on the due date reach the bank.",
    )
    judicial_threshold = fields.Monetary(
        currency_field="currency_id",
        default=5000.0,
        tracking=True,
        help="At the judicial step, debts up to this amount go to the bailiff, larger debts "
        "to the lawyer.",
    )
    bailiff_id = fields.Many2one(
        "res.partner",
        help="Gerechtsdeurwaarder / huissier de justice who takes over smaller debts.",
    )
    lawyer_id = fields.Many2one(
        "res.partner",
        help="Advocaat / avocat who takes over debts above the judicial threshold.",
    )
    auto_send = fields.Boolean(
        string="Send Automatically",
        default=True,
        tracking=True,
        help="After the daily run, send the e-mails, schedule the calls and hand over the "
        "files that need no approval. Paper letters wait for the postal run.",
    )
    credit_hold_block = fields.Boolean(
        string="Block Sales on Credit Hold",
        tracking=True,
        help="Quotations for a customer on credit hold (an open invoice at a level marked "
        "Credit Hold) cannot be confirmed; a collections manager can still confirm them. "
        "Without it, the quotation only shows a warning.",
    )
    level_count = fields.Integer(compute="_compute_level_count")

    @api.depends("level_ids")
    def _compute_level_count(self):
        for policy in self:
            policy.level_count = len(policy.level_ids)

    @api.constrains("grace_days", "judicial_threshold")
    def _check_amounts(self):
        for policy in self:
            if policy.grace_days < 0:
                raise ValidationError(self.env._("The grace period cannot be negative."))
            if policy.judicial_threshold < 0:
                raise ValidationError(self.env._("The judicial threshold cannot be negative."))

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        if default and "name" in default:
            return vals_list
        return [
            dict(vals, name=self.env._("%(name)s (copy)", name=policy.name))
            for policy, vals in zip(self, vals_list, strict=True)
        ]

    def _dunning_level_steps(self):
        """The levels as ``(id, sequence, delay_days)`` in order, for the schedule rules."""
        self.ensure_one()
        return [level._dunning_step() for level in self.level_ids.sorted("sequence")]

    def _judicial_route(self, amount):
        """Return 'bailiff' or 'lawyer' for a debt of ``amount`` in the company currency."""
        self.ensure_one()
        return "lawyer" if amount > self.judicial_threshold else "bailiff"
