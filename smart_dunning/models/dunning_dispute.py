from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import format_date

from ..lib.actions import form_action
from ..lib.assignee import assignee_env

DISPUTE_STATES = [
    ("open", "Open"),
    ("mediation", "In mediation"),
    ("resolved", "Resolved"),
    ("cancelled", "Cancelled"),
]
# While a dispute is in one of these states, its invoices get no letter and no call.
PAUSING_STATES = ("open", "mediation")
RESOLUTIONS = [
    ("credit_note", "Credit note issued"),
    ("corrected", "Invoice corrected and re-sent"),
    ("customer_pays", "Customer pays"),
    ("rejected", "Dispute rejected"),
]


class DunningDispute(models.Model):
    _name = "dunning.dispute"
    _description = "Dispute"
    _inherit = ["mail.thread", "mail.activity.mixin", "dunning.agreement.mixin"]
    _order = "date desc, id desc"

    partner_id = fields.Many2one(
        help="The customer (the company, or the individual) who disputes the invoices."
    )
    move_ids = fields.Many2many(
        "account.move",
        "dunning_dispute_account_move_rel",
        "dispute_id",
        "move_id",
        string="Invoices",
        check_company=True,
        # a disputed invoice stays on file with its dispute (a court may ask for both)
        ondelete="restrict",
        tracking=True,
        domain="[('commercial_partner_id', '=', partner_id), ('move_type', '=', 'out_invoice'), "
        "('state', '=', 'posted')]",
        help="While the dispute is open or in mediation, these invoices get no reminder.",
    )
    reason_id = fields.Many2one("dunning.dispute.reason", required=True, index=True, tracking=True)
    data_fix = fields.Selection(related="reason_id.data_fix")
    description = fields.Text(string="Complaint", help="What the customer says, in their words.")
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        default=lambda self: self.env.user,
        tracking=True,
        domain="[('share', '=', False)]",
        help="The person who sees the dispute through to its resolution.",
    )
    salesperson_id = fields.Many2one(related="partner_id.user_id", string="Salesperson")
    collector_id = fields.Many2one(related="partner_id.dunning_user_id", string="Collector")
    date = fields.Date(
        string="Opened On", required=True, readonly=True, default=fields.Date.context_today
    )
    date_deadline = fields.Date(
        string="Deadline", tracking=True, help="The date by which the dispute should be settled."
    )
    amount_disputed = fields.Monetary(
        compute="_compute_amount_disputed",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        help="Proposed as the open amount of the invoices; lower it when the customer disputes "
        "only part of it.",
    )
    state = fields.Selection(
        DISPUTE_STATES, required=True, default="open", index=True, readonly=True, tracking=True
    )
    resolution = fields.Selection(RESOLUTIONS, tracking=True)
    resolution_note = fields.Text(tracking=True)
    date_resolved = fields.Date(string="Closed On", readonly=True, copy=False, tracking=True)
    credit_note_ids = fields.Many2many(
        "account.move",
        "dunning_dispute_credit_note_rel",
        "dispute_id",
        "move_id",
        string="Credit Notes",
        check_company=True,
        ondelete="restrict",
        tracking=True,
        domain="[('commercial_partner_id', '=', partner_id), ('move_type', '=', 'out_refund'), "
        "('state', '=', 'posted')]",
        help="The credit notes that settle the dispute. When it is resolved, they are "
        "reconciled with the disputed invoices.",
    )
    note_ids = fields.One2many("dunning.dispute.note", "dispute_id", string="Mediation Log")

    _amount_disputed_positive = models.Constraint(
        "CHECK (amount_disputed >= 0)", "The amount disputed cannot be negative."
    )

    @api.depends("move_ids")
    def _compute_amount_disputed(self):
        for dispute in self:
            dispute.amount_disputed = sum(dispute.move_ids.mapped("amount_residual"))

    @api.constrains("move_ids", "credit_note_ids", "partner_id")
    def _check_moves(self):
        # Salespeople may not read invoices: the check itself must see them.
        for dispute in self.sudo():
            if not dispute.move_ids:
                raise ValidationError(
                    self.env._("A dispute is about at least one invoice: add the invoices.")
                )
            if len(dispute.move_ids.currency_id) > 1:
                raise ValidationError(
                    self.env._("The invoices of a dispute must all be in one currency.")
                )
            wrong = dispute._foreign_invoices()
            if wrong:
                raise ValidationError(
                    self.env._(
                        "%(invoices)s: a dispute only covers posted customer invoices of "
                        "%(customer)s.",
                        invoices=", ".join(wrong.mapped("display_name")),
                        customer=dispute.partner_id.display_name,
                    )
                )
            wrong = dispute.credit_note_ids.filtered(
                lambda m, d=dispute: m.move_type != "out_refund"
                or m.state != "posted"
                or m.commercial_partner_id != d.partner_id
            )
            if wrong:
                raise ValidationError(
                    self.env._(
                        "%(moves)s: only posted credit notes of %(customer)s can settle the "
                        "dispute.",
                        moves=", ".join(wrong.mapped("display_name")),
                        customer=dispute.partner_id.display_name,
                    )
                )

    # ------------------------------------------------------------------ CRUD

    def _reads_invoices(self):
        return self.env.su or self.env["account.move"].has_access("read")

    def _is_collector(self):
        return self.env.su or self.env.user.has_group("smart_dunning.group_dunning_user")

    @api.model_create_multi
    def create(self, vals_list):
        if not self._is_collector() and any(
            vals.get("state", "open") != "open" or vals.get("date_resolved") for vals in vals_list
        ):
            raise UserError(self.env._("Only collections users may change the state of a dispute."))
        if self._reads_invoices():
            disputes = super().create(vals_list)
        else:
            # Salespeople may not read invoices, yet they open disputes about their customers'
            # ones. Linking the invoices is done as superuser; the user's own rights are then
            # checked on the result (own customers only), and _check_moves keeps the invoices
            # to that customer's.
            disputes = super(DunningDispute, self.sudo()).create(vals_list).sudo(False)
            disputes.check_access("create")
        disputes._subscribe_people()
        disputes._start_clock()
        disputes._log_on_invoices(
            {
                dispute.id: self.env._(
                    "Dispute %(dispute)s opened (%(reason)s): no reminder until it is settled.",
                    dispute=dispute.name,
                    reason=dispute.reason_id.name,
                )
                for dispute in disputes
            }
        )
        return disputes

    def write(self, vals):
        if ("state" in vals or "date_resolved" in vals) and not self._is_collector():
            # Salespeople open disputes, write notes and may start the mediation; reopening a
            # closed dispute (which pauses dunning again) or closing one is for collections.
            if (
                "date_resolved" in vals
                or vals["state"] != "mediation"
                or any(dispute.state not in ("open", "mediation") for dispute in self)
            ):
                raise UserError(
                    self.env._("Only collections users may change the state of a dispute.")
                )
        pausing = self.filtered(lambda d: d.state in PAUSING_STATES)
        before = {dispute.id: dispute.sudo().move_ids for dispute in pausing}
        if "move_ids" in vals and not self._reads_invoices():
            # as in create: the user's rights on the disputes first, the invoices as superuser
            self.check_access("write")
            result = super(DunningDispute, self.sudo()).write(vals)
        else:
            result = super().write(vals)
        if "move_ids" in vals:
            # An invoice taken out of a live dispute resumes its dunning from today, not with
            # the letters it missed while it was paused.
            removed = self.env["account.move"]
            for dispute in pausing:
                removed |= before[dispute.id] - dispute.sudo().move_ids
            removed._dunning_resume(fields.Date.context_today(self))
        if "partner_id" in vals:
            self._subscribe_people()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_on_file(self):
        # From its opening a dispute pauses dunning and is noted on the invoices: deleting it
        # would turn a contested debt into an uncontested one (open to the bailiff).
        if self:
            raise UserError(
                self.env._(
                    "Dispute %(dispute)s is kept as evidence that the debt was contested and "
                    "cannot be deleted: cancel it instead.",
                    dispute=self[0].name,
                )
            )

    # ------------------------------------------------------------------ actions

    def _check_collector(self):
        if not self._is_collector():
            raise UserError(self.env._("Only collections users may resolve or cancel a dispute."))

    def _check_can_close(self):
        """Only a collector closes a dispute, and only one that still pauses dunning."""
        self._check_collector()
        for dispute in self:
            if dispute.state not in PAUSING_STATES:
                raise UserError(
                    self.env._(
                        "Dispute %(dispute)s is already %(state)s.",
                        dispute=dispute.name,
                        state=dispute._state_label(),
                    )
                )

    def action_mediation(self):
        for dispute in self:
            if dispute.state != "open":
                raise UserError(
                    self.env._(
                        "Only an open dispute can go to mediation; %(dispute)s is %(state)s.",
                        dispute=dispute.name,
                        state=dispute._state_label(),
                    )
                )
        self.write({"state": "mediation"})
        return True

    def action_resolve(self):
        self._check_can_close()
        for dispute in self:
            if not dispute.resolution:
                raise UserError(
                    self.env._(
                        "Choose how dispute %(dispute)s was resolved before closing it.",
                        dispute=dispute.name,
                    )
                )
            if dispute.resolution == "credit_note" and not dispute.credit_note_ids:
                raise UserError(
                    self.env._(
                        "Dispute %(dispute)s is resolved with a credit note: select it.",
                        dispute=dispute.name,
                    )
                )
        today = fields.Date.context_today(self)
        self.write({"state": "resolved", "date_resolved": today})
        self.filtered(lambda d: d.resolution == "credit_note")._reconcile_credit_notes()
        self._resume_dunning(today)
        return True

    def action_cancel(self):
        self._check_can_close()
        today = fields.Date.context_today(self)
        self.write({"state": "cancelled", "date_resolved": today})
        self._resume_dunning(today)
        return True

    def action_open_fix(self):
        """The one-step correction of a data error: fix, re-send the invoices, close."""
        self.ensure_one()
        self._check_collector()
        if not self.data_fix or self.state not in PAUSING_STATES:
            raise UserError(
                self.env._("Only an open dispute about a data error can be fixed in one step.")
            )
        return form_action(
            "dunning.dispute.fix",
            name=self.env._("Fix and Re-send"),
            dialog=True,
            context={"default_dispute_id": self.id},
        )

    @api.model
    def _action_new(self, partner, moves, company):
        """A new dispute in a dialog, about ``moves`` of ``partner``."""
        return form_action(
            "dunning.dispute",
            name=self.env._("Open Dispute"),
            dialog=True,
            context={
                "default_partner_id": partner.id,
                "default_move_ids": moves.ids,
                "default_company_id": company.id,
            },
        )

    # ------------------------------------------------------------------ business

    def _state_label(self):
        self.ensure_one()
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    def _subscribe_people(self):
        """The owner, the salesperson and the partner's collector follow the dispute."""
        for dispute in self.sudo():
            users = (
                dispute.user_id | dispute.partner_id.user_id | dispute.partner_id.dunning_user_id
            )
            dispute.message_subscribe(partner_ids=users.partner_id.ids)

    def _reconcile_credit_notes(self):
        """Settle the disputed invoices with the dispute's credit notes."""
        for dispute in self:
            lines = (dispute.move_ids | dispute.credit_note_ids).line_ids.filtered(
                lambda line: line.account_id.account_type == "asset_receivable"
                and not line.reconciled
            )
            for _account, account_lines in lines.grouped("account_id").items():
                if account_lines.filtered(lambda line: line.balance > 0) and (
                    account_lines.filtered(lambda line: line.balance < 0)
                ):
                    account_lines.reconcile()

    def _resume_dunning(self, on_date):
        """Dunning of the invoices still open resumes from the level they reached, with the
        delay of the next level counting from ``on_date``."""
        for dispute in self:
            resumed = dispute.move_ids._dunning_resume(on_date)
            if resumed:
                dispute.message_post(
                    body=self.env._(
                        "Dunning resumes from %(date)s for %(invoices)s.",
                        date=format_date(self.env, on_date),
                        invoices=", ".join(resumed.mapped("name")),
                    )
                )
        self._log_on_invoices(
            {
                dispute.id: self.env._(
                    "Dispute %(dispute)s closed: %(state)s.",
                    dispute=dispute.name,
                    state=dispute._state_label(),
                )
                for dispute in self
            }
        )

    # ------------------------------------------------------------------ the clock

    is_overdue = fields.Boolean(
        string="Overdue",
        compute="_compute_is_overdue",
        search="_search_is_overdue",
        help="Open or in mediation past its deadline.",
    )

    def _compute_is_overdue(self):
        today = fields.Date.context_today(self)
        for dispute in self:
            dispute.is_overdue = bool(
                dispute.state in PAUSING_STATES
                and dispute.date_deadline
                and dispute.date_deadline < today
            )

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        overdue = Domain("state", "in", PAUSING_STATES) & Domain(
            "date_deadline", "<", fields.Date.context_today(self)
        )
        return overdue if (operator == "=") == value else ~overdue

    def _start_clock(self):
        """A dispute opened without a deadline gets its reason's days; the salesperson, who
        knows the customer, gets an activity to help settle it."""
        todo = self.env.ref("mail.mail_activity_data_todo")
        for dispute in self.sudo():
            if not dispute.date_deadline and dispute.reason_id.deadline_days > 0:
                dispute.date_deadline = dispute.date + timedelta(
                    days=dispute.reason_id.deadline_days
                )
            salesperson = dispute.partner_id.user_id
            if salesperson and salesperson != self.env.user and not salesperson.share:
                env = assignee_env(self.env, salesperson)
                dispute.activity_schedule(
                    activity_type_id=todo.id,
                    summary=env._(
                        "%(customer)s disputes %(invoices)s: %(reason)s",
                        customer=dispute.partner_id.display_name,
                        invoices=dispute.invoice_names,
                        reason=dispute.reason_id.with_env(env).sudo().name,
                    ),
                    note=dispute.description or False,
                    user_id=salesperson.id,
                )

    @api.model
    def _cron_overdue_activities(self):
        """Each dispute past its deadline gives its owner and the collections managers of its
        company one activity; run again, it gives none twice."""
        kind = self.env.ref("smart_dunning.mail_activity_type_dispute_overdue")
        disputes = self.sudo().search([("is_overdue", "=", True)])
        if not disputes:
            return
        managers = (
            self.env.ref("smart_dunning.group_dunning_manager")
            .sudo()
            .all_user_ids.filtered(lambda user: not user.share and user.active)
        )
        existing = {
            (activity.res_id, activity.user_id.id)
            for activity in disputes.activity_ids
            if activity.activity_type_id == kind
        }
        for dispute in disputes:
            users = dispute.user_id | managers.filtered(
                lambda user, c=dispute.company_id: c in user.company_ids
            )
            for user in users:
                if (dispute.id, user.id) in existing:
                    continue
                env = assignee_env(self.env, user)
                dispute.activity_schedule(
                    activity_type_id=kind.id,
                    summary=env._(
                        "Dispute past its deadline of %(date)s",
                        date=format_date(env, dispute.date_deadline),
                    ),
                    user_id=user.id,
                )


class DunningDisputeNote(models.Model):
    _name = "dunning.dispute.note"
    _description = "Mediation Note"
    _order = "date desc, id desc"

    dispute_id = fields.Many2one("dunning.dispute", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="dispute_id.company_id", store=True, index=True)
    date = fields.Date(required=True, default=fields.Date.context_today)
    user_id = fields.Many2one(
        "res.users", string="Written By", readonly=True, default=lambda self: self.env.user
    )
    note = fields.Text(required=True)
    with_customer = fields.Boolean(string="Customer")
    with_salesperson = fields.Boolean(string="Salesperson")
    with_worker = fields.Boolean(
        string="Worker", help="The member who delivered the work or the product."
    )
    with_operations = fields.Boolean(string="Operations")
    contact_name = fields.Char(
        string="People Involved",
        help="Names of the people spoken to, e.g. the customer's "
        "contact or the worker who delivered.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        notes = super().create(vals_list)
        for note in notes:
            note.dispute_id.message_post(
                body=self.env._(
                    "Mediation note of %(date)s (%(involved)s): %(note)s",
                    date=format_date(self.env, note.date),
                    involved=note._involved_label(),
                    note=note.note,
                )
            )
        return notes

    def _involved_label(self):
        self.ensure_one()
        labels = [
            self._fields[name]._description_string(self.env)
            for name in ("with_customer", "with_salesperson", "with_worker", "with_operations")
            if self[name]
        ]
        if self.contact_name:
            labels.append(self.contact_name)
        return ", ".join(labels) or "-"

    @api.ondelete(at_uninstall=False)
    def _unlink_except_on_file(self):
        # The mediation log shows what was tried before court: it is never rewritten.
        if self:
            raise UserError(
                self.env._(
                    "The mediation log of dispute %(dispute)s is kept as evidence: its notes "
                    "cannot be deleted. Add a note that corrects it instead.",
                    dispute=self[0].dispute_id.name,
                )
            )
