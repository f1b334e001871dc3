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

    # Fees and interest: what the letters claim, within what the legal regime allows.
    claim_interest = fields.Boolean(
        default=True,
        tracking=True,
        help="Letters claim late-payment interest as the legal regime allows.",
    )
    claim_fees = fields.Boolean(
        default=True,
        tracking=True,
        help="Letters claim the recovery compensation, damages or collection costs the legal "
        "regime allows.",
    )
    fee_clause = fields.Boolean(
        string="Terms Provide for Interest and Damages",
        tracking=True,
        help="Belgian consumers owe contractual interest and damages only when the contract or "
        "the general terms expressly provide for them; without such a clause only the legal "
        "interest is claimed.",
    )
    b2c_damages = fields.Selection(
        [("lump_sum", "Lump-sum damages"), ("reminder", "Fee per later reminder")],
        string="Consumer Damages",
        default="lump_sum",
        required=True,
        tracking=True,
        help="Belgian consumers: claim either the lump-sum damages of the legal scale or a fee "
        "for each reminder after the first, never both.",
    )
    contract_interest_rate = fields.Float(
        string="Contractual Interest Rate (%)",
        digits=(16, 2),
        tracking=True,
        help="The rate of your general terms for consumers. Capped at the rate of the law of "
        "2 August 2002; leave 0 to claim that rate.",
    )
    invoice_fees = fields.Boolean(
        tracking=True,
        help="When a letter claiming fees or interest is sent, book them on a separate fee "
        "invoice; the customer's invoices are never changed.",
    )
    fee_product_id = fields.Many2one(
        "product.product",
        check_company=True,
        help="Product of the fee invoice lines.",
    )
    fee_account_id = fields.Many2one(
        "account.account",
        string="Fee Income Account",
        check_company=True,
        domain="[('account_type', 'in', ('income', 'income_other'))]",
    )

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

    @api.constrains("invoice_fees", "fee_product_id", "fee_account_id", "contract_interest_rate")
    def _check_fee_invoicing(self):
        for policy in self:
            if policy.invoice_fees and not (policy.fee_product_id and policy.fee_account_id):
                raise ValidationError(
                    self.env._(
                        "Policy %(policy)s invoices fees: choose the fee product and its income "
                        "account.",
                        policy=policy.display_name,
                    )
                )
            if not 0 <= policy.contract_interest_rate < 100:
                raise ValidationError(
                    self.env._("The contractual interest rate is a percentage from 0 to 100.")
                )

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        if default and "name" in default:
            return vals_list
        return [
            dict(vals, name=self.env._("%(name)s (copy)", name=policy.name))
            for policy, vals in zip(self, vals_list, strict=True)
        ]

    def _level_steps(self):
        """The levels as ``(id, sequence, delay_days)`` in order, for the schedule rules."""
        self.ensure_one()
        return [level._step() for level in self.level_ids.sorted("sequence")]

    def _judicial_route(self, amount):
        """Return 'bailiff' or 'lawyer' for a debt of ``amount`` in the company currency."""
        self.ensure_one()
        return "lawyer" if amount > self.judicial_threshold else "bailiff"

    def _dunning_judicial_recipient(self, route):
        """Who receives a judicial file on ``route``: the policy's bailiff or lawyer, else
        the company's (Collections settings)."""
        self.ensure_one()
        own = self.lawyer_id if route == "lawyer" else self.bailiff_id
        return own or self.company_id._dunning_judicial_recipient(route)
