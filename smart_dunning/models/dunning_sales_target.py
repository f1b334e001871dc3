from odoo import api, fields, models
from odoo.tools import format_date


class DunningSalesTarget(models.Model):
    """The paid revenue a salesperson should bring in in a month, in the company currency.

    Compared in *Target vs Actual* (``dunning.target.report``) with the paid revenue of the
    month: the untaxed share of the payments matched that month with the invoices whose
    salesperson they are (the invoice's salesperson, else the customer's).
    """

    _name = "dunning.sales.target"
    _description = "Paid Revenue Target"
    _order = "month desc, user_id"
    _rec_name = "user_id"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        required=True,
        index=True,
        domain="[('share', '=', False)]",
    )
    month = fields.Date(
        required=True,
        index=True,
        default=lambda self: self._default_month(),
        help="Any day of the month: the first of the month is kept.",
    )
    amount = fields.Monetary(string="Target", required=True, currency_field="currency_id")

    _company_user_month_uniq = models.Constraint(
        "UNIQUE (company_id, user_id, month)",
        "A salesperson has one target per month and company.",
    )
    _amount_positive = models.Constraint(
        "CHECK (amount >= 0)", "A paid revenue target cannot be negative."
    )

    def _default_month(self):
        return fields.Date.context_today(self).replace(day=1)

    @api.depends("user_id", "month")
    @api.depends_context("lang")
    def _compute_display_name(self):
        for target in self:
            target.display_name = self.env._(
                "%(salesperson)s, %(month)s",
                salesperson=target.user_id.name or "",
                # "november 2026" / "novembre 2026", not "2026-11"
                month=format_date(self.env, target.month, date_format="MMMM y")
                if target.month
                else "",
            )

    @api.model_create_multi
    def create(self, vals_list):
        return super().create([self._first_of_month(vals) for vals in vals_list])

    def write(self, vals):
        return super().write(self._first_of_month(vals))

    @api.model
    def _first_of_month(self, vals):
        if vals.get("month"):
            vals = dict(vals, month=fields.Date.to_date(vals["month"]).replace(day=1))
        return vals
