from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command, Domain

from ..lib.actions import form_action
from ..lib.open_invoice import open_invoice_domain


class DunningPlanPromise(models.TransientModel):
    _name = "dunning.plan.promise"
    _description = "Promise to Pay"
    _check_company_auto = True

    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        check_company=True,
        domain="[('commercial_partner_id', '=', partner_id), ('move_type', '=', 'out_invoice'), "
        "('state', '=', 'posted'), ('payment_state', 'in', ('not_paid', 'partial'))]",
    )
    currency_id = fields.Many2one("res.currency", compute="_compute_amount")
    amount = fields.Monetary(
        string="Amount Promised",
        compute="_compute_amount",
        help="The customer pays what the invoices still have open, at once.",
    )
    date_due = fields.Date(string="Pays On", required=True)
    note = fields.Text(help="What was agreed, and with whom.")

    @api.depends("move_ids", "company_id")
    def _compute_amount(self):
        for wizard in self:
            wizard.currency_id = wizard.move_ids[:1].currency_id or wizard.company_id.currency_id
            wizard.amount = sum(wizard.move_ids.mapped("amount_residual"))

    @api.model
    def _action_open(self, partner, moves=None):
        """The promise dialog, for ``moves`` or else for the customer's open invoices that are
        neither disputed nor in a plan."""
        if moves is None:
            moves = self.env["account.move"].search(
                Domain("commercial_partner_id", "=", partner.id)
                & open_invoice_domain()
                & Domain("company_id", "=", self.env.company.id)
            )
            moves -= moves._dunning_disputed()
            moves = moves.filtered(lambda move: not move.dunning_plan_id)
        return form_action(
            self._name,
            name=self.env._("Promise to Pay"),
            dialog=True,
            context={
                "default_partner_id": partner.id,
                "default_move_ids": moves.ids,
                "default_company_id": (moves.company_id[:1] or self.env.company).id,
            },
        )

    def action_confirm(self):
        """One step: a one-instalment plan, confirmed, and the customer told."""
        self.ensure_one()
        if not self.move_ids:
            raise UserError(self.env._("Add the invoices the customer promises to pay."))
        plan = self.env["dunning.plan"].create(
            {
                "kind": "promise",
                "partner_id": self.partner_id.id,
                "company_id": self.company_id.id,
                "move_ids": [Command.set(self.move_ids.ids)],
                "note": self.note,
                "line_ids": [Command.create({"date_due": self.date_due, "amount": self.amount})],
            }
        )
        plan.action_confirm()
        return form_action("dunning.plan", plan.id)
