from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.fields import Domain

from ..lib.actions import form_action
from ..lib.open_invoice import open_invoice_domain
from ..models.dunning_call import CALL_OUTCOMES


class DunningCallLog(models.TransientModel):
    """Log a phone call with a customer and act on what was said, in one step."""

    _name = "dunning.call.log"
    _description = "Log a Call"
    _check_company_auto = True

    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    contact_id = fields.Many2one(
        "res.partner",
        string="Spoke With",
        domain="[('commercial_partner_id', '=', partner_id)]",
    )
    phone = fields.Char(
        string="Number Called",
        compute="_compute_phone",
        store=True,
        readonly=False,
        precompute=True,
    )
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices Discussed",
        check_company=True,
        domain="[('commercial_partner_id', '=', partner_id), ('move_type', '=', 'out_invoice'), "
        "('state', '=', 'posted'), ('payment_state', 'in', ('not_paid', 'partial'))]",
    )
    # Computed with the user's rights: read as superuser only for whoever may see the customer.
    invoice_names = fields.Char(string="Invoices", compute="_compute_amount_due")
    currency_id = fields.Many2one("res.currency", compute="_compute_amount_due")
    amount_due = fields.Monetary(string="Open Amount", compute="_compute_amount_due")
    outcome = fields.Selection(CALL_OUTCOMES, required=True, default="reached")
    note = fields.Text(help="What was said, and with whom; it goes on the customer's chatter.")
    promise_date = fields.Date(string="Pays On", default=lambda self: self._default_promise_date())
    dispute_reason_id = fields.Many2one("dunning.dispute.reason")
    current_payment_term_id = fields.Many2one(
        "account.payment.term", compute="_compute_payment_term"
    )
    payment_term_id = fields.Many2one(
        "account.payment.term",
        string="New Payment Term",
        check_company=True,
        domain="['|', ('company_id', '=', False), ('company_id', '=', company_id)]",
    )
    is_collector = fields.Boolean(compute="_compute_is_collector")
    call_reason_id = fields.Many2one(
        "dunning.call.reason",
        string="Reason for Non-payment",
        help="Why the customer has not paid, as they said it.",
    )
    direction = fields.Selection(
        [("outgoing", "Outgoing"), ("incoming", "Incoming")],
        required=True,
        default="outgoing",
    )
    duration = fields.Float(string="Duration (min)")
    term_move_ids = fields.Many2many(
        "account.move",
        "dunning_call_log_term_move_rel",
        "wizard_id",
        "move_id",
        string="Invoices to Move to the New Term",
        compute="_compute_term_move_ids",
        store=True,
        readonly=False,
        check_company=True,
        domain="[('commercial_partner_id', '=', partner_id), ('move_type', '=', 'out_invoice'), "
        "('state', '=', 'posted'), ('payment_state', 'in', ('not_paid', 'partial'))]",
        help="Their due dates are recomputed from their invoice dates with the new payment "
        "term. By default all open invoices, except those in dispute or handed over.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        # The defaults first: the customer and company they give are checked too (and
        # superuser mode below would drop the context's defaults).
        vals_list = [self._add_missing_default_values(vals) for vals in vals_list]
        Partner, Company = self.env["res.partner"], self.env["res.company"]
        for vals in vals_list:
            self._check_customer(
                Partner.browse(vals.get("partner_id")), Company.browse(vals.get("company_id"))
            )
        if self.env["account.move"].has_access("read"):
            return super().create(vals_list)
        # Salespeople may not read invoices, yet log calls about their customers' ones: the
        # invoices are linked as superuser; the call itself checks that the customer is theirs.
        return super(DunningCallLog, self.sudo()).create(vals_list).sudo(False)

    @api.model
    def _may_see(self, partner, company):
        """Whether the user may see the customer's invoices in ``company``: one of their
        companies, and a customer whose payment status they may see."""
        if self.env.su:
            return True
        partner = partner.commercial_partner_id
        return bool(
            partner
            and company in self.env.user.company_ids
            and self.env["dunning.partner.status"]._visible_partners(partner)
        )

    @api.model
    def _check_customer(self, partner, company):
        if not company:
            company = self.env.company
        if not self.env.su and company not in self.env.user.company_ids:
            raise AccessError(
                self.env._(
                    "You do not work for %(company)s: log the call in one of your companies.",
                    company=company.sudo().display_name,
                )
            )
        if partner and not self._may_see(partner, company):
            raise AccessError(
                self.env._(
                    "You may only log calls about your own customers or those whose payment "
                    "status you see; %(customer)s is not one of them.",
                    customer=partner.display_name,
                )
            )

    def _default_promise_date(self):
        return fields.Date.context_today(self) + timedelta(days=7)

    @api.model
    def default_get(self, fields_list):
        """From a customer or an invoice (the Log Call action), what the call is about."""
        values = super().default_get(fields_list)
        model = self.env.context.get("active_model")
        active_id = self.env.context.get("active_id")
        if "partner_id" in values or not active_id or model not in ("res.partner", "account.move"):
            return values
        record = self.env[model].browse(active_id)
        company = self.env.company
        if model == "account.move":
            record = record.sudo()
            partner, moves = record.commercial_partner_id, record
            contact = record.partner_id
            company = record.company_id
        else:
            partner, moves = record.commercial_partner_id, None
            contact = record if record != partner else None
        self._check_customer(partner, company)
        values.update(self._defaults_for(partner, moves))
        if contact:
            values["contact_id"] = contact.id
        return values

    @api.depends("contact_id", "partner_id")
    def _compute_phone(self):
        for wizard in self:
            wizard.phone = wizard.contact_id.phone or wizard.partner_id.phone

    def _visible_moves(self):
        """The invoices discussed as superuser, when the user may see the customer: only those of
        the customer in the wizard's company (not whatever ids the client sends)."""
        self.ensure_one()
        if not self._may_see(self.partner_id, self.company_id):
            return self.env["account.move"]
        partner = self.partner_id.commercial_partner_id
        return self.sudo().move_ids.filtered(
            lambda move: move.commercial_partner_id == partner
            and move.company_id == self.company_id
        )

    @api.depends("move_ids", "company_id", "partner_id")
    def _compute_amount_due(self):
        for wizard in self:
            moves = wizard._visible_moves()
            wizard.currency_id = (
                wizard.company_id.currency_id if moves else self.env.company.currency_id
            )
            wizard.amount_due = sum(moves.mapped("amount_residual_signed"))
            wizard.invoice_names = ", ".join(moves.mapped("name")) or False

    @api.depends("partner_id", "company_id")
    def _compute_payment_term(self):
        for wizard in self:
            may_see = wizard._may_see(wizard.partner_id, wizard.company_id)
            wizard.current_payment_term_id = may_see and wizard.partner_id.sudo().with_company(
                wizard.company_id
            ).property_payment_term_id.sudo(False)

    @api.depends("outcome", "partner_id", "company_id")
    def _compute_term_move_ids(self):
        Call = self.env["dunning.call"]
        for wizard in self:
            moves = self.env["account.move"]
            # only collections users agree on terms (and only they may read every invoice)
            if wizard.outcome == "payment_term" and wizard.partner_id and wizard.is_collector:
                moves = Call._term_candidates(
                    wizard.partner_id.commercial_partner_id, wizard.company_id
                )
            wizard.term_move_ids = moves

    def _compute_is_collector(self):
        self.is_collector = self.env.user.has_group("smart_dunning.group_dunning_user")

    @api.model
    def _defaults_for(self, partner, moves=None):
        """The customer's invoices on today's worklist, or else all its overdue ones."""
        if moves is None:
            moves = self.env["dunning.worklist"]._candidate_moves(partner)[partner.id]
        if not moves:
            moves = (
                self.env["account.move"]
                .sudo()
                .search(
                    Domain("commercial_partner_id", "=", partner.id)
                    & open_invoice_domain()
                    & Domain("company_id", "=", self.env.company.id)
                    & Domain("invoice_date_due", "<", fields.Date.context_today(self)),
                    order="invoice_date_due, id",
                )
            )
        return {
            "partner_id": partner.id,
            "move_ids": [fields.Command.set(moves.ids)],
            "contact_id": (moves[:1].sudo().partner_id or partner).id,
        }

    @api.model
    def _action_open(self, partner, moves=None):
        self._check_customer(partner, self.env.company)
        defaults = self._defaults_for(partner, moves)
        return form_action(
            self._name,
            name=self.env._("Log Call"),
            dialog=True,
            context={
                "default_partner_id": defaults["partner_id"],
                "default_move_ids": defaults["move_ids"],
                "default_contact_id": defaults["contact_id"],
            },
        )

    def action_confirm(self):
        self.ensure_one()
        call = self.env["dunning.call"]._dunning_log_calls(
            [
                {
                    "partner": self.partner_id.commercial_partner_id,
                    "contact": self.contact_id,
                    "company": self.company_id,
                    "moves": self.sudo().move_ids,
                    "outcome": self.outcome,
                    "note": self.note,
                    "phone": self.phone,
                    "source": "collector",
                    "promise_date": self.promise_date,
                    "reason": self.dispute_reason_id,
                    "payment_term": self.payment_term_id,
                    "call_reason": self.call_reason_id,
                    "direction": self.direction,
                    "duration": self.duration,
                }
            ]
        )
        skipped = {}
        if self.outcome == "payment_term" and self.term_move_ids:
            skipped = call._dunning_move_due_dates(self.term_move_ids)
        return call._skipped_notification(skipped)
