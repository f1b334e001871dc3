from odoo import api, fields, models

from ..lib import rate_expiry


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
    dunning_service_hours = fields.Char(related="company_id.dunning_service_hours", readonly=False)
    dunning_service_phone = fields.Char(related="company_id.dunning_service_phone", readonly=False)
    dunning_service_email = fields.Char(related="company_id.dunning_service_email", readonly=False)
    dunning_bank_id = fields.Many2one(
        related="company_id.dunning_bank_id",
        readonly=False,
        domain="[('partner_id.ref_company_ids', 'in', company_id)]",
    )
    dunning_non_eu_text = fields.Text(related="company_id.dunning_non_eu_text", readonly=False)
    dunning_call_after_days = fields.Integer(
        related="company_id.dunning_call_after_days", readonly=False
    )
    dunning_writeoff_amount = fields.Monetary(
        related="company_id.dunning_writeoff_amount", readonly=False
    )
    dunning_writeoff_percent = fields.Float(
        related="company_id.dunning_writeoff_percent", readonly=False
    )
    dunning_writeoff_account_id = fields.Many2one(
        related="company_id.dunning_writeoff_account_id",
        readonly=False,
        check_company=True,
        domain="[('account_type', 'in', ('expense', 'income_other', 'expense_direct_cost'))]",
    )
    dunning_bank_hold_days = fields.Integer(
        related="company_id.dunning_bank_hold_days", readonly=False
    )
    dunning_import_max_mb = fields.Integer(
        related="company_id.dunning_import_max_mb", readonly=False
    )
    dunning_import_max_rows = fields.Integer(
        related="company_id.dunning_import_max_rows", readonly=False
    )
    dunning_enterprise_number_warning = fields.Char(
        string="Enterprise Number Missing",
        compute="_compute_dunning_enterprise_number_warning",
        help="A Belgian company that reminds consumers must state its enterprise number.",
    )
    dunning_rate_coverage = fields.Text(
        string="Rate Tables Cover Until",
        compute="_compute_dunning_rate_coverage",
        help="The last day each legal rate and fee scale covers: from the next day, letters "
        "that need it wait for approval.",
    )

    @api.depends("company_id.country_id", "company_id.company_registry", "company_id.vat")
    @api.depends_context("lang")
    def _compute_dunning_enterprise_number_warning(self):
        for settings in self:
            company = settings.company_id
            consumers = self.env["dunning.policy"].search_count(
                [("company_id", "=", company.id), ("legal_regime", "=", "be_b2c")], limit=1
            )
            settings.dunning_enterprise_number_warning = (
                consumers
                and company._dunning_lacks_enterprise_number()
                and self.env._(
                    "%(company)s reminds Belgian consumers but has no enterprise number: enter "
                    "it as the Company Registry (or a Belgian VAT number), or the first reminders "
                    "cannot be sent (Code of Economic Law, art. XIX.2).",
                    company=company.name,
                )
            ) or False

    @api.depends_context("lang")
    def _compute_dunning_rate_coverage(self):
        self.dunning_rate_coverage = rate_expiry.coverage_text(self.env)

    dunning_attach_invoices = fields.Boolean(
        related="company_id.dunning_attach_invoices", readonly=False
    )
    dunning_paid_hold_days = fields.Integer(
        related="company_id.dunning_paid_hold_days", readonly=False
    )
    dunning_collector_ids = fields.Many2many(
        related="company_id.dunning_collector_ids", readonly=False
    )
    dunning_bailiff_partner_id = fields.Many2one(
        related="company_id.dunning_bailiff_partner_id", readonly=False
    )
    dunning_lawyer_partner_id = fields.Many2one(
        related="company_id.dunning_lawyer_partner_id", readonly=False
    )
