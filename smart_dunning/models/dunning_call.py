from odoo import api, fields, models

CALL_OUTCOMES = [
    ("reached", "Reached"),
    ("no_answer", "No answer"),
    ("wrong_number", "Wrong number"),
    ("promise", "Promise to pay"),
    ("dispute", "Dispute"),
    ("payment_term", "Payment term agreed"),
]


class DunningCall(models.Model):
    """One phone call about a customer's payments, by a collector or an external call centre."""

    _name = "dunning.call"
    _description = "Collections Call"
    _order = "date desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        domain="['|', ('is_company', '=', True), ('parent_id', '=', False)]",
    )
    contact_id = fields.Many2one("res.partner", string="Spoke With")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    user_id = fields.Many2one(
        "res.users", string="Caller", required=True, default=lambda self: self.env.user
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    outcome = fields.Selection(CALL_OUTCOMES, required=True)
    source = fields.Selection(
        [("collector", "Collector"), ("call_centre", "Call centre")],
        required=True,
        default="collector",
    )
    note = fields.Text()
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices Discussed",
        check_company=True,
        domain="[('move_type', '=', 'out_invoice'), ('commercial_partner_id', '=', partner_id)]",
    )
    letter_id = fields.Many2one("dunning.letter", string="Call Letter", check_company=True)
    plan_id = fields.Many2one("dunning.plan", string="Promise / Plan", check_company=True)
    dispute_id = fields.Many2one("dunning.dispute", check_company=True)
    payment_term_id = fields.Many2one("account.payment.term", string="Payment Term Agreed")

    @api.depends("partner_id", "date", "outcome")
    def _compute_display_name(self):
        outcomes = dict(self._fields["outcome"]._description_selection(self.env))
        for call in self:
            call.display_name = self.env._(
                "%(customer)s, %(date)s: %(outcome)s",
                customer=call.partner_id.name or "",
                date=fields.Date.to_string(call.date.date()) if call.date else "",
                outcome=outcomes.get(call.outcome, ""),
            )
