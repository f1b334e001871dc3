from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    dunning_policy_b2b_id = fields.Many2one(
        "dunning.policy",
        string="Default Dunning Policy (Businesses)",
        domain="[('company_id', '=', id), ('customer_kind', '=', 'b2b')]",
        help="Applies to business customers that have no policy of their own.",
    )
    dunning_policy_b2c_id = fields.Many2one(
        "dunning.policy",
        string="Default Dunning Policy (Consumers)",
        domain="[('company_id', '=', id), ('customer_kind', '=', 'b2c')]",
        help="Applies to consumers that have no policy of their own.",
    )
    dunning_payment_day_window = fields.Integer(
        string="Payment-Day Window (days)",
        default=3,
        help="No reminder goes out in this many days before a customer's usual payment day.",
    )
    dunning_new_customer_days = fields.Integer(
        string="New Customer Period (days)",
        default=90,
        help="A customer whose first invoice is younger than this is a new customer: the "
        "salesperson is asked first before the first reminder goes out.",
    )

    dunning_plan_breach_days = fields.Integer(
        string="Payment Plan Tolerance (days)",
        default=5,
        help="A payment plan breaks when an instalment is still unpaid this many days after "
        "its date; dunning then resumes.",
    )

    dunning_data_check = fields.Selection(
        [
            ("off", "Off"),
            ("warn", "Warn"),
            ("block", "Block"),
        ],
        string="Data Check at Posting",
        default="warn",
        required=True,
        help="Checks the e-mail address and postcode of the invoice address and the "
        "purchase-order number of customers who require one, when a customer invoice is "
        "posted. Warn: the invoice is posted and its problems are shown on it until the data "
        "is corrected. Block: the invoice is not posted until the data is corrected.",
    )

    # What every letter says about how to reach us and how to pay.
    dunning_service_hours = fields.Char(
        string="Service Desk Hours",
        translate=True,
        help='Shown on the letters, e.g. "Monday to Friday, 9:00 to 17:00".',
    )
    dunning_service_phone = fields.Char(
        string="Service Desk Phone", help="Shown on the letters; the company phone if empty."
    )
    dunning_service_email = fields.Char(
        string="Service Desk E-mail", help="Shown on the letters; the company e-mail if empty."
    )
    dunning_bank_id = fields.Many2one(
        "res.partner.bank",
        string="Account on Letters",
        domain="[('partner_id', '=', partner_id)]",
        help="The account customers pay the letters to; the company's first account if empty.",
    )
    dunning_non_eu_text = fields.Text(
        string="Text for Customers Outside the EU",
        translate=True,
        help="Shown on letters to customers outside the European Union, e.g. the other ways "
        "they can pay.",
    )

    dunning_call_after_days = fields.Integer(
        string="Call After (days overdue)",
        default=15,
        help="Invoices overdue more than this many days go on the collectors' call worklist, "
        "even when no dunning level asks for a call.",
    )

    # Limits on the call centre's files, so that one odd or malicious file cannot exhaust the
    # server: what a call centre sends back for a day or a week is far below.
    dunning_import_max_mb = fields.Integer(
        string="Call-Centre File Size Limit (MB)",
        default=10,
        help="Call-centre files larger than this are refused.",
    )
    dunning_import_max_rows = fields.Integer(
        string="Call-Centre File Row Limit",
        default=50000,
        help="Call-centre files with more rows than this (under the header) are refused.",
    )

    @api.constrains("dunning_import_max_mb", "dunning_import_max_rows")
    def _check_dunning_import_limits(self):
        for company in self:
            if company.dunning_import_max_mb < 1 or company.dunning_import_max_rows < 1:
                raise ValidationError(
                    self.env._("The size and row limits of call-centre files must be at least 1.")
                )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._dunning_ensure_default_policies()
        return companies

    def _dunning_ensure_default_policies(self):
        """Give each company its own copy of the shipped B2B and B2C policies."""
        templates = {
            "b2b": self.env.ref("smart_dunning.dunning_policy_b2b", raise_if_not_found=False),
            "b2c": self.env.ref("smart_dunning.dunning_policy_b2c", raise_if_not_found=False),
        }
        for company in self:
            for kind, template in templates.items():
                field = f"dunning_policy_{kind}_id"
                if company[field] or not template:
                    continue
                if template.sudo().company_id == company:
                    policy = template
                else:
                    policy = template.sudo().copy({"company_id": company.id, "name": template.name})
                company.sudo()[field] = policy
