from odoo import api, fields, models


class DunningTermMove(models.TransientModel):
    """Move the due dates of chosen open invoices to the payment term agreed in a call: the
    step of Log Call, for a call already logged (a call-centre agreement)."""

    _name = "dunning.term.move"
    _description = "Move Due Dates to an Agreed Payment Term"

    call_id = fields.Many2one(
        "dunning.call",
        required=True,
        readonly=True,
        domain="[('outcome', '=', 'payment_term')]",
    )
    partner_id = fields.Many2one(related="call_id.partner_id", string="Customer")
    payment_term_id = fields.Many2one(
        related="call_id.payment_term_id", string="Payment Term Agreed"
    )
    move_ids = fields.Many2many(
        "account.move",
        "dunning_term_move_account_move_rel",
        "wizard_id",
        "move_id",
        string="Invoices to Move",
        compute="_compute_move_ids",
        store=True,
        readonly=False,
        domain="[('commercial_partner_id', '=', partner_id), ('move_type', '=', 'out_invoice'), "
        "('state', '=', 'posted'), ('payment_state', 'in', ('not_paid', 'partial'))]",
        help="Their due dates are recomputed from their invoice dates with the agreed term.",
    )

    @api.depends("call_id")
    def _compute_move_ids(self):
        for wizard in self:
            call = wizard.call_id.sudo()
            moves = self.env["account.move"]
            if call:
                moves = call._term_candidates(call.partner_id, call.company_id)
            wizard.move_ids = moves

    def action_confirm(self):
        self.ensure_one()
        skipped = self.call_id._dunning_move_due_dates(self.move_ids)
        self.call_id.sudo().term_activity_id.action_feedback(
            feedback=self.env._("Due dates moved.")
        )
        return self.call_id._skipped_notification(skipped)
