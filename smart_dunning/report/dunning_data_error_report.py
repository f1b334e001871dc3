from odoo import fields, models
from odoo.tools import SQL


class DunningDataErrorReport(models.Model):
    """Customer invoices posted, and those posted with errors in the customer data, per
    month of their invoice date: what the data check found at posting
    (``account.move.dunning_posted_data_errors``), even when the data was corrected since."""

    _name = "dunning.data.error.report"
    _description = "Invoices Posted with Data Errors"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "move_id"
    _depends = {
        "account.move": [
            "move_type",
            "state",
            "invoice_date",
            "company_id",
            "commercial_partner_id",
            "invoice_user_id",
            "dunning_posted_data_errors",
            "dunning_data_errors",
            "dunning_fee_letter_id",
        ],
    }

    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    date = fields.Date(string="Invoice Date", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    error_codes = fields.Char(string="Errors at Posting", readonly=True)
    has_errors = fields.Boolean(string="Posted with Errors", readonly=True)
    still_wrong = fields.Boolean(
        string="Not Corrected Yet", readonly=True, help="The invoice still has data errors."
    )
    invoice_count = fields.Integer(string="Invoices Posted", readonly=True)
    error_count = fields.Integer(string="With Errors", readonly=True)
    email_error_count = fields.Integer(
        string="E-mail Errors", readonly=True, help="Missing, invalid or bounced e-mail address."
    )
    zip_error_count = fields.Integer(string="Postcode Errors", readonly=True)
    po_error_count = fields.Integer(string="PO Number Missing", readonly=True)
    error_rate = fields.Float(
        string="Error Rate (%)",
        readonly=True,
        aggregator="avg",
        help="100 for an invoice posted with errors, else 0: averaged, the share of invoices "
        "posted with errors.",
    )

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT m.id, m.id AS move_id, m.invoice_date AS date, m.company_id,
                   m.commercial_partner_id AS partner_id, m.invoice_user_id AS user_id,
                   m.dunning_posted_data_errors AS error_codes,
                   m.dunning_posted_data_errors IS NOT NULL AS has_errors,
                   m.dunning_data_errors IS NOT NULL AS still_wrong,
                   1 AS invoice_count,
                   (m.dunning_posted_data_errors IS NOT NULL)::int AS error_count,
                   COALESCE((m.dunning_posted_data_errors ~ 'email_')::int, 0)
                       AS email_error_count,
                   COALESCE((m.dunning_posted_data_errors ~ 'zip_')::int, 0)
                       AS zip_error_count,
                   COALESCE((m.dunning_posted_data_errors ~ 'po_missing')::int, 0)
                       AS po_error_count,
                   CASE WHEN m.dunning_posted_data_errors IS NOT NULL THEN 100.0 ELSE 0.0 END
                       AS error_rate
              FROM account_move m
             WHERE m.move_type = 'out_invoice'
               AND m.state = 'posted'
               AND m.dunning_fee_letter_id IS NULL
            """
        )
