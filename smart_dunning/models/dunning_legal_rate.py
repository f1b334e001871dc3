from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_date

from ..lib import rate_expiry

RATE_KINDS = [
    ("be_late_payment", "Belgium: late payment interest (law of 2 August 2002)"),
    ("be_legal", "Belgium: legal interest (law of 5 May 1865)"),
    ("nl_statutory", "Netherlands: statutory interest (art. 6:119 BW)"),
    ("nl_commercial", "Netherlands: statutory commercial interest (art. 6:119a BW)"),
]


class DunningLegalRate(models.Model):
    """One interest rate for one period, as published by the authorities.

    Rates change every half-year: the admin adds the new period when it is published. A
    period without a rate is never filled with a guess; interest over it is refused.
    """

    _name = "dunning.legal.rate"
    _description = "Legal Interest Rate"
    _inherit = ["mail.thread", "mail.activity.mixin", "dunning.dated.period.mixin"]
    _order = "kind, date_from desc"
    _rec_name = "kind"

    kind = fields.Selection(RATE_KINDS)
    date_to = fields.Date(help="Leave empty while no later rate is known.")
    rate = fields.Float(
        string="Rate (%)", required=True, digits=(16, 2), tracking=True, help="Yearly rate."
    )
    source_url = fields.Char(
        string="Source", tracking=True, help="Where the rate is published, to check it."
    )
    note = fields.Char(help="e.g. provisional, to check against the official journal.")

    @api.constrains("kind", "date_from", "date_to", "rate")
    def _check_overlap(self):
        for rate in self:
            if rate._ends_before_start():
                raise ValidationError(self.env._("A rate cannot end before it starts."))
            if not 0 <= rate.rate < 100:
                raise ValidationError(self.env._("A rate is a percentage from 0 to 100."))
            if rate._overlaps():
                raise ValidationError(
                    self.env._(
                        "Two rates of the same kind overlap around %(date)s: end the older "
                        "one the day before the new one starts.",
                        date=format_date(self.env, rate.date_from),
                    )
                )

    @api.model
    def _periods(self, kinds):
        """``{kind: [(date_from, date_to, rate)]}`` for the given kinds, in one query."""
        periods = {kind: [] for kind in kinds}
        for rate in self.search_fetch(
            [("kind", "in", list(kinds))], ["kind", "date_from", "date_to", "rate"]
        ):
            periods[rate.kind].append((rate.date_from, rate.date_to or None, rate.rate))
        return periods

    @api.model
    def _cron_dunning_rate_expiry(self):
        """Daily: warn the collections managers before a rate or fee table runs out."""
        rate_expiry.warn_managers(self.env)
