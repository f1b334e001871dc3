from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_date

from ..lib.dunning_fees import scale_amount

SCALE_KINDS = [
    ("be_b2c_lump_sum", "Belgium, consumers: maximum lump-sum damages (Book XIX CEL)"),
    ("be_b2c_reminder", "Belgium, consumers: maximum fee per later reminder (Book XIX CEL)"),
    ("be_b2b_recovery", "Belgium, businesses: fixed recovery compensation (law of 2 August 2002)"),
    ("nl_wik", "Netherlands: extrajudicial collection costs (WIK scale, art. 6:96 BW)"),
]


class DunningFeeScale(models.Model):
    """A dated scale of fees: bands on the amount due, with a floor and a cap."""

    _name = "dunning.fee.scale"
    _description = "Fee Scale"
    _inherit = ["mail.thread", "mail.activity.mixin", "dunning.dated.period.mixin"]
    _order = "kind, date_from desc"
    _rec_name = "kind"

    kind = fields.Selection(SCALE_KINDS)
    currency_id = fields.Many2one(
        "res.currency", required=True, default=lambda self: self.env.ref("base.EUR")
    )
    minimum = fields.Monetary(tracking=True, help="The scale never gives less (0: no minimum).")
    maximum = fields.Monetary(tracking=True, help="The scale never gives more (0: no cap).")
    band_ids = fields.One2many("dunning.fee.scale.band", "scale_id", string="Bands", copy=True)
    source_url = fields.Char(string="Source", tracking=True)
    note = fields.Char()

    @api.constrains("kind", "date_from", "date_to")
    def _check_overlap(self):
        for scale in self:
            if scale._ends_before_start():
                raise ValidationError(self.env._("A scale cannot end before it starts."))
            if scale._overlaps():
                raise ValidationError(
                    self.env._(
                        "Two scales of the same kind overlap around %(date)s.",
                        date=format_date(self.env, scale.date_from),
                    )
                )

    @api.constrains("band_ids")
    def _check_bands(self):
        for scale in self:
            thresholds = scale.band_ids.mapped("threshold")
            if not thresholds or min(thresholds) != 0 or len(set(thresholds)) != len(thresholds):
                raise ValidationError(
                    self.env._(
                        "The bands of a scale start at 0 and each starts at a different amount."
                    )
                )

    def _bands(self):
        self.ensure_one()
        return [(b.threshold, b.fixed_amount, b.rate) for b in self.band_ids.sorted("threshold")]

    def _amount(self, base):
        """What the scale gives for ``base``, expressed in the scale's currency."""
        self.ensure_one()
        return scale_amount(self._bands(), base, self.minimum, self.maximum)

    @api.model
    def _scales(self, kinds):
        """``{kind: scales}`` of the given kinds, with their bands, in two queries."""
        scales = self.search_fetch(
            [("kind", "in", list(kinds))],
            ["kind", "date_from", "date_to", "currency_id", "minimum", "maximum", "band_ids"],
        )
        scales.band_ids.fetch(["threshold", "fixed_amount", "rate"])
        return {kind: scales.filtered(lambda s, k=kind: s.kind == k) for kind in kinds}


class DunningFeeScaleBand(models.Model):
    _name = "dunning.fee.scale.band"
    _description = "Fee Scale Band"
    _order = "scale_id, threshold"

    scale_id = fields.Many2one("dunning.fee.scale", required=True, index=True, ondelete="cascade")
    currency_id = fields.Many2one(related="scale_id.currency_id")
    threshold = fields.Monetary(
        string="Above",
        help="The band applies to amounts above this one (the first band starts at 0).",
    )
    fixed_amount = fields.Monetary(string="Fixed", help="Amount at the start of the band.")
    rate = fields.Float(
        string="Rate (%)", digits=(16, 2), help="Percentage of the part above the threshold."
    )
