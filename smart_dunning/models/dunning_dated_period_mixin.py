from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import format_date


class DunningDatedPeriodMixin(models.AbstractModel):
    """A value of some ``kind`` valid over a period, as the authorities publish them (legal
    rates, fee scales): periods of one kind never overlap, and the open end of the last one
    means "until a later one is known"."""

    _name = "dunning.dated.period.mixin"
    _description = "Dated Period"
    _rec_name = "kind"

    # Each model gives its own list of kinds; a list here would be "overridden" by theirs.
    kind = fields.Selection(lambda self: [], required=True, tracking=True)
    date_from = fields.Date(string="Valid From", required=True, tracking=True)
    date_to = fields.Date(string="Valid Until", tracking=True)
    # The managers are told before the last period of a kind runs out (lib/rate_expiry.py).
    expiry_warned_days = fields.Integer(
        string="Managers Warned (Days Before End)",
        readonly=True,
        copy=False,
        help="45 or 15 once the collections managers were told that the table ends with this "
        "period; each threshold is announced once.",
    )

    @api.depends("kind", "date_from")
    @api.depends_context("lang")
    def _compute_display_name(self):
        labels = dict(self._fields["kind"]._description_selection(self.env))
        for record in self:
            record.display_name = self.env._(
                "%(kind)s from %(date)s",
                kind=labels.get(record.kind, ""),
                # 01/07/2026 in Dutch and French, not the ISO date
                date=record.date_from and format_date(self.env, record.date_from),
            )

    def _ends_before_start(self):
        self.ensure_one()
        return bool(self.date_to and self.date_to < self.date_from)

    def _overlaps(self):
        """Whether another period of the same kind shares a day with this one."""
        self.ensure_one()
        domain = Domain("kind", "=", self.kind) & Domain("id", "!=", self.id)
        domain &= Domain("date_to", "=", False) | Domain("date_to", ">=", self.date_from)
        if self.date_to:
            domain &= Domain("date_from", "<=", self.date_to)
        return bool(self.search_count(domain, limit=1))

    def _on(self, day):
        """The period of this set valid on ``day`` (empty when none is)."""
        return self.filtered(lambda p: p.date_from <= day and (not p.date_to or p.date_to >= day))[
            :1
        ]
