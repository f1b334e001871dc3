from odoo import api, fields, models
from odoo.tools import SQL

from ..lib.open_invoice import INVOICE_COLUMNS


class DunningInvoiceReportMixin(models.AbstractModel):
    """What the reports with rows about customer invoices (aged receivables, payments
    collected) share: the invoice, its company and currency, its customer, and who follows it,
    so that both group by salesperson and collector the same way."""

    _name = "dunning.invoice.report.mixin"
    _description = "Report Rows about Customer Invoices"
    _depends = {
        "account.move": [*INVOICE_COLUMNS, "invoice_user_id"],
        "res.partner": ["user_id", "dunning_user_id"],
        "res.company": ["currency_id"],
    }

    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        readonly=True,
        help="The invoice's salesperson, else the customer's.",
    )
    collector_id = fields.Many2one("res.users", readonly=True)

    @api.model
    def _invoice_columns_sql(self, move, partner, company):
        """The columns of the fields above, from the ``account_move`` row ``move``, its
        customer's ``res_partner`` row ``partner`` and its ``res_company`` row ``company``."""
        return SQL(
            "%(move)s.id AS move_id, %(move)s.company_id, %(company)s.currency_id,"
            " %(move)s.commercial_partner_id AS partner_id,"
            " COALESCE(%(move)s.invoice_user_id, %(partner)s.user_id) AS user_id,"
            " %(partner)s.dunning_user_id AS collector_id",
            move=SQL.identifier(move),
            partner=SQL.identifier(partner),
            company=SQL.identifier(company),
        )
