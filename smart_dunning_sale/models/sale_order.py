from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain
from odoo.tools.mail import plaintext2html
from odoo.tools.misc import formatLang

from odoo.addons.smart_dunning.models.account_move import OPEN_PAYMENT_STATES

QUOTATION_STATES = ("draft", "sent")
MANAGER_GROUP = "smart_dunning.group_dunning_manager"
# Set by the manager's override button; honoured only for collections managers.
OVERRIDE_KEY = "dunning_credit_hold_override"


class SaleOrder(models.Model):
    _inherit = "sale.order"

    dunning_credit_hold = fields.Boolean(
        string="Credit Hold",
        compute="_compute_dunning_credit_hold",
        help="The customer has an open invoice at a dunning level that puts it on credit hold "
        "(the formal notice or beyond) in the company of this quotation.",
    )
    dunning_credit_hold_level_id = fields.Many2one(
        "dunning.level",
        string="Credit Hold Level",
        compute="_compute_dunning_credit_hold",
        help="The highest dunning level reached by an open invoice of the customer.",
    )
    dunning_credit_hold_block = fields.Boolean(
        string="Confirmation Blocked",
        compute="_compute_dunning_credit_hold",
        help="The customer's dunning policy blocks the confirmation of its quotations while it "
        "is on credit hold; a collections manager can confirm anyway.",
    )
    dunning_credit_hold_warning = fields.Text(
        string="Credit Hold Warning", compute="_compute_dunning_credit_hold"
    )
    dunning_credit_hold_override_user_id = fields.Many2one(
        "res.users",
        string="Confirmed Despite Credit Hold By",
        copy=False,
        readonly=True,
    )
    dunning_credit_hold_override_date = fields.Datetime(
        string="Confirmed Despite Credit Hold On", copy=False, readonly=True
    )

    @api.depends_context("lang")
    @api.depends("partner_id", "company_id", "state")
    def _compute_dunning_credit_hold(self):
        quotations = self.filtered(lambda o: o.state in QUOTATION_STATES and o.partner_id)
        status = quotations._dunning_credit_hold_status()
        for order in self:
            hold = status.get(order._dunning_hold_key()) if order in quotations else None
            order.dunning_credit_hold = bool(hold)
            order.dunning_credit_hold_level_id = hold["level"] if hold else False
            order.dunning_credit_hold_block = bool(hold and hold["policy"].credit_hold_block)
            order.dunning_credit_hold_warning = (
                order._dunning_credit_hold_message(hold) if hold else False
            )

    def _dunning_hold_key(self):
        return (self.partner_id.commercial_partner_id.id, self.company_id.id)

    def _dunning_credit_hold_status(self):
        """What puts the customers of these orders on credit hold, per customer and company:
        ``{(partner_id, company_id): {"level", "policy", "amount", "count", "oldest",
        "disputes", "plan"}}``, for those on hold only. A few queries for any number of orders.

        Read as superuser: a salesperson may not read the invoices, but must see the payment
        status of the customer they are selling to.
        """
        partners = self.partner_id.commercial_partner_id
        if not partners:
            return {}
        Move = self.env["account.move"].sudo()
        customer_invoices = (
            Domain("commercial_partner_id", "in", partners.ids)
            & Domain("company_id", "in", self.company_id.ids)
            & Domain("move_type", "=", "out_invoice")
            & Domain("state", "=", "posted")
            & Domain("payment_state", "in", OPEN_PAYMENT_STATES)
        )
        held = Move.search_fetch(
            customer_invoices & Domain("dunning_level_id.credit_hold", "=", True),
            ["commercial_partner_id", "company_id"],
        )
        status = {}
        for move in held:
            key = (move.commercial_partner_id.id, move.company_id.id)
            level = move.dunning_level_id
            if key not in status or level.sequence > status[key]["level"].sequence:
                status[key] = {"level": level.with_env(self.env)}
        if not status:
            return {}
        today = fields.Date.context_today(self)
        overdue = Move._read_group(
            customer_invoices
            & Domain("commercial_partner_id", "in", held.commercial_partner_id.ids)
            & Domain("invoice_date_due", "<", today),
            ["commercial_partner_id", "company_id"],
            ["amount_residual_signed:sum", "__count", "invoice_date_due:min"],
        )
        for partner, company, amount, count, oldest in overdue:
            if (partner.id, company.id) in status:
                status[partner.id, company.id].update(
                    amount=amount, count=count, oldest=(today - oldest).days
                )
        # Iterate a recordset of all of them, so that disputes and plans are read at once.
        on_hold = {p.id: p for p in Move.env["res.partner"].browse({p for p, _c in status})}
        for (partner_id, company_id), hold in status.items():
            partner = on_hold[partner_id]
            company = self.env["res.company"].browse(company_id)
            hold.setdefault("amount", 0.0)
            hold.setdefault("count", 0)
            hold.setdefault("oldest", 0)
            hold["currency"] = company.currency_id
            hold["policy"] = (
                partner.with_company(company)._dunning_effective_policy().with_env(self.env)
            )
            hold["disputes"] = len(
                partner.dunning_open_dispute_ids.filtered(lambda d, c=company: d.company_id == c)
            )
            hold["plan"] = bool(
                partner.dunning_active_plan_ids.filtered(lambda p, c=company: p.company_id == c)
            )
        return status

    def _dunning_credit_hold_message(self, hold):
        self.ensure_one()
        customer = self.partner_id.commercial_partner_id.display_name
        lines = [
            self.env._(
                "Credit hold: %(customer)s has an open invoice at the level %(level)s.",
                customer=customer,
                level=hold["level"].name,
            ),
            self.env._(
                "Overdue: %(amount)s on %(count)s invoices, the oldest %(days)s days late.",
                amount=formatLang(self.env, hold["amount"], currency_obj=hold["currency"]),
                count=hold["count"],
                days=hold["oldest"],
            ),
        ]
        if hold["disputes"]:
            lines.append(self.env._("Open disputes: %(count)s.", count=hold["disputes"]))
        if hold["plan"]:
            lines.append(self.env._("The customer is paying under a payment plan."))
        if hold["policy"].credit_hold_block:
            lines.append(
                self.env._(
                    "The dunning policy %(policy)s blocks the confirmation of this quotation; "
                    "a collections manager can confirm it anyway.",
                    policy=hold["policy"].name,
                )
            )
        else:
            lines.append(self.env._("Ask collections before confirming this quotation."))
        return "\n".join(lines)

    # ------------------------------------------------------------------ confirmation

    def action_confirm(self):
        blocked = self.filtered("dunning_credit_hold_block")
        if not blocked:
            return super().action_confirm()
        if self.env.context.get(OVERRIDE_KEY) and self.env.user.has_group(MANAGER_GROUP):
            blocked._dunning_log_override()
            return super().action_confirm()
        if not self.env.su:
            raise UserError(
                self.env._(
                    "%(orders)s cannot be confirmed: the customer is on credit hold (%(level)s) "
                    "and its dunning policy blocks new sales. Ask a collections manager to "
                    "confirm it anyway.",
                    orders=", ".join(blocked.mapped("name")),
                    level=", ".join(blocked.dunning_credit_hold_level_id.mapped("name")),
                )
            )
        # Confirmed by the customer (portal signature, online payment) or by an automated
        # flow: never an error on their screen; the quotation waits for collections.
        blocked._dunning_hold_for_collections()
        rest = self - blocked
        return super(SaleOrder, rest).action_confirm() if rest else True

    def action_dunning_confirm_override(self):
        """Collections managers: confirm quotations of a customer on credit hold."""
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._("Only a collections manager can confirm a quotation on credit hold.")
            )
        return self.with_context(**{OVERRIDE_KEY: True}).action_confirm()

    def _dunning_log_override(self):
        self.write(
            {
                "dunning_credit_hold_override_user_id": self.env.user.id,
                "dunning_credit_hold_override_date": fields.Datetime.now(),
            }
        )
        for order in self:
            order.message_post(
                body=plaintext2html(
                    self.env._(
                        "Confirmed despite the credit hold by %(user)s.\n%(status)s",
                        user=self.env.user.name,
                        status=order.dunning_credit_hold_warning,
                    )
                ),
                subtype_xmlid="mail.mt_note",
            )

    def _dunning_hold_for_collections(self):
        for order in self:
            order.message_post(
                body=self.env._(
                    "Not confirmed: the customer is on credit hold (%(level)s). A collections "
                    "manager must confirm this order.",
                    level=order.dunning_credit_hold_level_id.name,
                ),
                subtype_xmlid="mail.mt_note",
            )
            # The salesperson, else the customer's collector, follows it up.
            user = order.user_id or order.partner_id.commercial_partner_id.dunning_user_id
            if user:
                order.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=self.env._("Customer on credit hold: confirm or refuse the order"),
                    note=plaintext2html(order.dunning_credit_hold_warning),
                    user_id=user.id,
                )
