from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL

from ..lib.actions import form_action, list_action
from ..lib.dunning_schedule import parse_payment_days
from ..lib.open_invoice import open_invoice_domain, open_invoice_sql
from .dunning_dispute import PAUSING_STATES
from .dunning_partner_status import BEHAVIOUR_HELP, BEHAVIOURS

# The partner fields the check at posting reads (models/data_check.py).
DATA_CHECK_FIELDS = {"email", "zip", "country_id", "dunning_po_required", "dunning_email_suspect"}

# How a customer is dunned: collections users decide (group_dunning_user), not whoever may
# edit contacts.
COLLECTIONS_FIELDS = (
    "dunning_user_id",
    "dunning_excluded",
    "dunning_exclusion_reason",
    "dunning_policy_id",
    "dunning_customer_kind",
    "payment_days",
    "dunning_po_required",
    "dunning_long_term_agreed",
    "dunning_regular_supply",
)

STATUS_FIELDS = [
    "partner_id",
    "currency_id",
    "amount_due",
    "amount_overdue",
    "amount_unapplied",
    "days_overdue",
    "level_id",
    "dispute_count",
    "plan_name",
    "next_instalment_date",
    "next_instalment_amount",
    "last_call_date",
    "last_call_outcome",
    "last_letter_date",
    "last_letter_level_id",
    "avg_days_to_pay",
    "avg_days_late",
    "paid_count",
    "grace_days",
    "risk_days",
    "formal_notice",
    "judicial",
    "plan_broken_date",
    "behaviour",
]


def condition_holds(value, operator, operand):
    """Whether ``value`` satisfies the (normalized) condition, or None if not supported."""
    checks = {
        "in": lambda: value in operand,
        "not in": lambda: value not in operand,
        "<": lambda: value < operand,
        "<=": lambda: value <= operand,
        ">": lambda: value > operand,
        ">=": lambda: value >= operand,
    }
    check = checks.get(operator)
    return check() if check else None


class ResPartner(models.Model):
    _inherit = "res.partner"

    dunning_policy_id = fields.Many2one(
        "dunning.policy",
        company_dependent=True,
        domain="[('company_id', '=', current_company_id)]",
        tracking=True,
        help="Leave empty to use the company's default policy for businesses or consumers.",
    )
    dunning_customer_kind = fields.Selection(
        [("b2b", "Business"), ("b2c", "Consumer")],
        string="Customer Kind",
        compute="_compute_dunning_customer_kind",
        store=True,
        readonly=False,
        precompute=True,
        recursive=True,
        help="Businesses are companies and customers with a VAT number; the kind decides the "
        "default dunning policy and which legal rules apply to fees and interest.",
    )
    # Per company: the level of the current company's invoices, never another company's.
    dunning_level_id = fields.Many2one(
        "dunning.level",
        compute="_compute_dunning_level_id",
        search="_search_dunning_level_id",
        groups="base.group_user",
        help="The highest level reached by an open invoice of this customer in the current "
        "company.",
    )
    dunning_excluded = fields.Boolean(string="Excluded from Dunning", tracking=True)
    # An internal note: not for the customer's portal.
    dunning_exclusion_reason = fields.Char(tracking=True, groups="base.group_user")
    dunning_user_id = fields.Many2one(
        "res.users",
        string="Collector",
        tracking=True,
        domain="[('share', '=', False)]",
        help="The collector who follows this customer's payments and gets its calls.",
    )
    payment_days = fields.Char(
        tracking=True,
        help='Days of the month on which this customer pays its bills, e.g. "25", "10, 25" or '
        '"end" for the end of the month. No reminder goes out in the days just before.',
    )
    dunning_po_required = fields.Boolean(
        string="Purchase Order Number Required",
        tracking=True,
        help="This customer pays only invoices that carry its purchase-order number.",
    )
    # docs/LEGAL.md §4.1: what a Belgian business agreed beyond the legal 60 days.
    dunning_long_term_agreed = fields.Boolean(
        string="Payment Term Beyond 60 Days Agreed",
        tracking=True,
        help="This business expressly agreed to payment terms longer than 60 days. Without "
        "it, Belgian late-payment interest runs from 60 days after the invoice date when the "
        "invoice gives a longer term (law of 2 August 2002).",
    )
    # docs/LEGAL.md §5.7: subscriptions, utilities.
    dunning_regular_supply = fields.Boolean(
        string="Contract of Regular Supply",
        tracking=True,
        help="This consumer buys under a contract of regular supply (subscription, utility): "
        "only the first reminders of three invoices per calendar year are free; later ones "
        "may cost the reminder fee when the policy claims one (Code of Economic Law, "
        "Book XIX).",
    )
    dunning_email_suspect = fields.Boolean(
        string="E-mail Suspect",
        tracking=True,
        copy=False,
        help="A reminder to this address bounced or could not be sent. Cleared when the "
        "address changes.",
    )
    dunning_can_edit = fields.Boolean(
        string="May Edit Collections Settings", compute="_compute_dunning_can_edit"
    )
    dunning_invoice_ids = fields.One2many(
        "account.move", "commercial_partner_id", string="Customer Invoices", readonly=True
    )
    dunning_letter_ids = fields.One2many(
        "dunning.letter", "partner_id", string="Reminders", readonly=True
    )
    dunning_letter_count = fields.Integer(compute="_compute_dunning_letter_count")
    dunning_dispute_ids = fields.One2many(
        "dunning.dispute", "partner_id", string="Disputes", readonly=True
    )
    dunning_open_dispute_ids = fields.One2many(
        "dunning.dispute",
        "partner_id",
        string="Open Disputes",
        readonly=True,
        domain=[("state", "in", PAUSING_STATES)],
    )
    dunning_dispute_count = fields.Integer(
        string="Number of Disputes", compute="_compute_dunning_dispute_count"
    )
    dunning_plan_ids = fields.One2many(
        "dunning.plan", "partner_id", string="Payment Plans", readonly=True
    )
    dunning_active_plan_ids = fields.One2many(
        "dunning.plan",
        "partner_id",
        string="Active Payment Plans",
        readonly=True,
        domain=[("state", "=", "active")],
    )
    dunning_plan_count = fields.Integer(
        string="Number of Payment Plans", compute="_compute_dunning_plan_count"
    )

    # Payment status: the commercial partner's row of dunning.partner.status in the current
    # company, for those allowed to see it (a contact shows its company's).
    dunning_status_id = fields.Many2one(
        "dunning.partner.status",
        string="Payment Status",
        compute="_compute_dunning_status",
        groups="base.group_user",
    )
    dunning_currency_id = fields.Many2one(
        "res.currency", compute="_compute_dunning_status", groups="base.group_user"
    )
    dunning_amount_due = fields.Monetary(
        string="Total Due",
        currency_field="dunning_currency_id",
        compute="_compute_dunning_status",
        groups="base.group_user",
        help="Open invoices minus open credit notes, in the company currency.",
    )
    dunning_amount_overdue = fields.Monetary(
        string="Overdue",
        currency_field="dunning_currency_id",
        compute="_compute_dunning_status",
        search="_search_dunning_amount_overdue",
        groups="base.group_user",
    )
    dunning_amount_unapplied = fields.Monetary(
        string="Unapplied Payments",
        currency_field="dunning_currency_id",
        compute="_compute_dunning_status",
        groups="base.group_user",
        help="Payments, credit notes and other credits on the customer's receivable not yet "
        "matched with an invoice, in the company currency: deducted from what it owes.",
    )
    dunning_payment_pending = fields.Char(
        string="Payment Received",
        compute="_compute_dunning_payment_pending",
        groups="base.group_user",
        help="An incoming bank line of the customer that nobody has matched yet: its letters "
        "and calls wait the company's hold days.",
    )
    dunning_days_overdue = fields.Integer(
        string="Oldest Overdue (Days)", compute="_compute_dunning_status", groups="base.group_user"
    )
    # The customer's level (dunning_level_id) as the status block shows it: masked with the
    # status, for whoever may not see that customer's status.
    dunning_status_level_id = fields.Many2one(
        "dunning.level",
        string="Dunning Level Reached",
        compute="_compute_dunning_status_level_id",
        groups="base.group_user",
        help="The highest level reached by an open invoice in the current company.",
    )
    dunning_status_dispute_count = fields.Integer(
        string="Disputes in Progress", compute="_compute_dunning_status", groups="base.group_user"
    )
    dunning_plan_name = fields.Char(
        string="Active Payment Plan", compute="_compute_dunning_status", groups="base.group_user"
    )
    dunning_next_instalment_date = fields.Date(
        string="Next Instalment", compute="_compute_dunning_status", groups="base.group_user"
    )
    dunning_next_instalment_amount = fields.Monetary(
        string="Next Instalment Amount",
        currency_field="dunning_currency_id",
        compute="_compute_dunning_status",
        groups="base.group_user",
    )
    dunning_last_contact = fields.Char(
        string="Last Contact",
        compute="_compute_dunning_status",
        groups="base.group_user",
        help="The latest call and its outcome, or the latest letter sent if it is more recent.",
    )
    dunning_avg_days_to_pay = fields.Float(
        string="Average Days to Pay",
        digits=(16, 1),
        compute="_compute_dunning_status",
        groups="base.group_user",
        help="Over the invoices paid in full in the last 12 months: the average number of days "
        "from the invoice date to the day the last payment was matched. Each invoice counts "
        "once, whatever its amount.",
    )
    dunning_paid_count = fields.Integer(
        string="Invoices Paid (12 Months)",
        compute="_compute_dunning_status",
        groups="base.group_user",
    )
    dunning_payment_behaviour = fields.Selection(
        BEHAVIOURS,
        string="Payment Behaviour",
        compute="_compute_dunning_status",
        search="_search_dunning_payment_behaviour",
        groups="base.group_user",
        help=BEHAVIOUR_HELP,
    )
    dunning_behaviour_reason = fields.Char(
        string="Why", compute="_compute_dunning_status", groups="base.group_user"
    )

    @api.depends("is_company", "vat", "parent_id.dunning_customer_kind")
    def _compute_dunning_customer_kind(self):
        for partner in self:
            if partner.parent_id:
                partner.dunning_customer_kind = partner.parent_id.dunning_customer_kind
            else:
                partner.dunning_customer_kind = (
                    "b2b" if partner.is_company or partner.vat else "b2c"
                )

    @api.depends(
        "dunning_invoice_ids.payment_state",
        "dunning_invoice_ids.state",
        "dunning_letter_ids.state",
        "dunning_letter_ids.line_ids",
    )
    @api.depends_context("company")
    def _compute_dunning_level_id(self):
        partners = self.filtered("id")
        levels = {}
        if partners:
            levels = dict(
                self.env.execute_query(
                    self._dunning_levels_sql(self.env.company, tuple(partners.ids))
                )
            )
        for partner in self:
            partner.dunning_level_id = levels.get(partner.id, False)

    @api.model
    def _dunning_levels_sql(self, company, partner_ids=None):
        """SQL of ``partner_id, level_id``: the highest level reached by an open invoice of
        each customer in ``company`` (optionally only of ``partner_ids``)."""
        Move = self.env["account.move"]
        Move.flush_model(
            ["commercial_partner_id", "company_id", "payment_state", "state", "move_type"]
        )
        self.env["dunning.letter.line"].flush_model(["move_id", "level_id", "state"])
        self.env["dunning.level"].flush_model(["sequence"])
        partners = (
            SQL("AND m.commercial_partner_id IN %s", partner_ids or (0,))
            if partner_ids is not None
            else SQL()
        )
        return SQL(
            """
            -- materialized: the level subquery runs once per invoice, not per join pair
            WITH cur AS MATERIALIZED (
                SELECT m.commercial_partner_id AS partner_id, %(level)s AS level_id
                  FROM account_move m
                 WHERE m.company_id = %(company)s %(partners)s
                   AND %(open_invoice)s)
            SELECT DISTINCT ON (cur.partner_id) cur.partner_id, l.id
              FROM cur
              JOIN dunning_level l ON l.id = cur.level_id
             ORDER BY cur.partner_id, l.sequence DESC, l.id DESC
            """,
            level=Move._dunning_level_sql(SQL("m.id")),
            company=company.id,
            partners=partners,
            open_invoice=open_invoice_sql(),
        )

    def _search_dunning_level_id(self, operator, value):
        """Customers by the highest level of their open invoices in the current company."""
        operand = self.env["dunning.level"]._search_operand(operator, value)
        if operand is None:
            return NotImplemented
        levels, include_null = operand
        positive = operator in ("in", "any")
        top = self._dunning_levels_sql(self.env.company)

        def to_sql(model, alias, query):
            partner_id = SQL.identifier(alias, "id")
            parts = []
            if levels:
                parts.append(
                    SQL(
                        "%s IN (SELECT top.partner_id FROM (%s) top(partner_id, level_id) "
                        "WHERE top.level_id IN %s)",
                        partner_id,
                        top,
                        levels,
                    )
                )
            if include_null:
                parts.append(
                    SQL("%s NOT IN (SELECT top.partner_id FROM (%s) top)", partner_id, top)
                )
            match = SQL("(%s)", SQL(" OR ").join(parts)) if parts else SQL("FALSE")
            return match if positive else SQL("(%s) IS NOT TRUE", match)

        return Domain.custom(to_sql=to_sql)

    @api.depends_context("uid")
    def _compute_dunning_can_edit(self):
        self.dunning_can_edit = self._dunning_is_collector()

    def _dunning_is_collector(self):
        return self.env.su or self.env.user.has_group("smart_dunning.group_dunning_user")

    def _dunning_check_collections_fields(self, vals_list, creating=False):
        """Refuse changes to how customers are dunned by users outside collections; values
        equal to the current ones (a form that saves everything) pass."""
        if self._dunning_is_collector():
            return
        names = [name for name in COLLECTIONS_FIELDS if any(name in vals for vals in vals_list)]
        if creating:
            # the kind is computed from the VAT number and sent back by the form
            names = [name for name in names if name != "dunning_customer_kind"]
        changed = set()
        for vals in vals_list:
            for name in names:
                if name not in vals:
                    continue
                field = self._fields[name]
                new = field.convert_to_cache(vals[name], self) or False
                if creating:
                    if new:
                        changed.add(name)
                    continue
                for partner in self:
                    if (field.convert_to_cache(partner[name], partner) or False) != new:
                        changed.add(name)
        if changed:
            raise AccessError(
                self.env._(
                    "Only collections users may change how a customer is dunned (%(fields)s).",
                    fields=", ".join(
                        self._fields[name]._description_string(self.env)
                        for name in COLLECTIONS_FIELDS
                        if name in changed
                    ),
                )
            )

    def _dunning_count(self, model, field_name):
        counts = dict(
            self.env[model]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner[field_name] = counts.get(partner, 0)

    def _compute_dunning_letter_count(self):
        self._dunning_count("dunning.letter", "dunning_letter_count")

    def _compute_dunning_dispute_count(self):
        self._dunning_count("dunning.dispute", "dunning_dispute_count")

    def _compute_dunning_plan_count(self):
        self._dunning_count("dunning.plan", "dunning_plan_count")

    @api.depends_context("company", "uid")
    def _compute_dunning_status(self):
        """One query for the whole batch: the status rows of the commercial partners the user
        may see (salespeople: their own customers), in the current company."""
        commercial_ids = {p.commercial_partner_id.id for p in self}
        ids = [i for i in commercial_ids if isinstance(i, int)]
        Status = self.env["dunning.partner.status"]
        statuses = (
            Status.search_fetch([("partner_id", "in", ids)], STATUS_FIELDS) if ids else Status
        )
        by_partner = {status.partner_id.id: status for status in statuses}
        currency = self.env.company.currency_id
        for partner in self:
            status = by_partner.get(partner.commercial_partner_id.id, Status)
            partner.dunning_status_id = status
            partner.dunning_currency_id = status.currency_id or currency
            partner.dunning_amount_due = status.amount_due
            partner.dunning_amount_overdue = status.amount_overdue
            partner.dunning_amount_unapplied = status.amount_unapplied
            partner.dunning_days_overdue = status.days_overdue
            partner.dunning_status_dispute_count = status.dispute_count
            partner.dunning_plan_name = status.plan_name
            partner.dunning_next_instalment_date = status.next_instalment_date
            partner.dunning_next_instalment_amount = status.next_instalment_amount
            partner.dunning_last_contact = status.last_contact
            partner.dunning_avg_days_to_pay = status.avg_days_to_pay
            partner.dunning_paid_count = status.paid_count
            partner.dunning_payment_behaviour = status.behaviour
            partner.dunning_behaviour_reason = status.behaviour_reason

    @api.depends("dunning_level_id", "dunning_status_id")
    @api.depends_context("company", "uid")
    def _compute_dunning_status_level_id(self):
        # One rule for the level (_dunning_levels_sql), shown where the status is.
        for partner in self:
            partner.dunning_status_level_id = (
                partner.commercial_partner_id.dunning_level_id
                if partner.dunning_status_id
                else False
            )

    @api.depends_context("company")
    def _compute_dunning_payment_pending(self):
        # Its own compute: the bank lines are read only where this is shown.
        held = self.env["account.bank.statement.line"]._dunning_unmatched_payers(
            self.env.company, fields.Date.context_today(self)
        )
        Status = self.env["dunning.partner.status"]
        for partner in self:
            line = held.get(partner.commercial_partner_id.id)
            partner.dunning_payment_pending = line and Status._pending_text(line, self.env.company)

    def _search_dunning_status(self, status_field, operator, value, empty_value):
        """Search partners through their status; customers without a status row (nothing
        open, nothing paid lately) count as ``empty_value``."""
        matches_empty = condition_holds(empty_value, operator, value)
        if matches_empty is None:
            return NotImplemented
        Status = self.env["dunning.partner.status"]
        domain = Domain(status_field, operator, value)
        if matches_empty:
            return Domain(
                "commercial_partner_id", "not in", Status._search(~domain).subselect("partner_id")
            )
        return Domain("commercial_partner_id", "in", Status._search(domain).subselect("partner_id"))

    def _search_dunning_amount_overdue(self, operator, value):
        return self._search_dunning_status("amount_overdue", operator, value, 0.0)

    def _search_dunning_payment_behaviour(self, operator, value):
        return self._search_dunning_status("behaviour", operator, value, False)

    @api.constrains("payment_days")
    def _check_payment_days(self):
        for partner in self:
            try:
                parse_payment_days(partner.payment_days)
            except ValueError as error:
                raise ValidationError(
                    self.env._(
                        'Payment days of %(partner)s: "%(value)s" is not a day of the month. '
                        'Use numbers from 1 to 31 separated by commas, or "end" for the end of '
                        "the month.",
                        partner=partner.display_name,
                        value=error.args[0],
                    )
                ) from None

    @api.model_create_multi
    def create(self, vals_list):
        self._dunning_check_collections_fields(vals_list, creating=True)
        return super().create(vals_list)

    def write(self, vals):
        self._dunning_check_collections_fields([vals])
        records = self
        if (
            not self.env.su
            and set(vals) <= set(COLLECTIONS_FIELDS)
            and self._dunning_is_collector()
            and not self.has_access("write")
        ):
            # Collectors decide how a customer is dunned even without the right to edit
            # contacts: these fields only, on partners they can read.
            self.check_access("read")
            records = self.sudo()
        # A new address deserves a new chance.
        if "email" in vals and "dunning_email_suspect" not in vals:
            vals = dict(vals, dunning_email_suspect=False)
        res = super(ResPartner, records).write(vals)
        if not DATA_CHECK_FIELDS.isdisjoint(vals):
            # Corrected data clears the warnings of the invoices posted with the old data.
            self.env["account.move"]._dunning_recheck_partners(
                self, open_invoices=bool(vals.get("dunning_email_suspect"))
            )
        return res

    # ------------------------------------------------------------------ business

    def _dunning_effective_policy(self):
        """The policy that applies to this (commercial) partner in the current company."""
        self.ensure_one()
        partner = self.commercial_partner_id
        if partner.dunning_policy_id:
            return partner.dunning_policy_id
        company = self.env.company
        if partner.dunning_customer_kind == "b2c":
            return company.dunning_policy_b2c_id
        return company.dunning_policy_b2b_id

    @api.model
    def _dunning_policy_id_sql(self, partner_id, company_id):
        """SQL expression of the id of the policy for a commercial partner in a company.

        Same rule as :meth:`_dunning_effective_policy`, for queries over many invoices.
        """
        return SQL(
            "(SELECT %s FROM res_partner p, res_company c WHERE p.id = %s AND c.id = %s)",
            self._dunning_policy_expr(SQL("p"), SQL("c")),
            partner_id,
            company_id,
        )

    @api.model
    def _dunning_policy_expr(self, partner, company):
        """The same rule, for a query that already joins the partner and company tables."""
        self.flush_model(["dunning_policy_id", "dunning_customer_kind"])
        self.env["res.company"].flush_model(["dunning_policy_b2b_id", "dunning_policy_b2c_id"])
        return SQL(
            """COALESCE(
                   (%(p)s.dunning_policy_id ->> %(c)s.id::text)::int,
                   CASE WHEN %(p)s.dunning_customer_kind = 'b2c'
                        THEN %(c)s.dunning_policy_b2c_id ELSE %(c)s.dunning_policy_b2b_id END)""",
            p=partner,
            c=company,
        )

    def action_open_dunning_letters(self):
        self.ensure_one()
        return self.env["dunning.letter"]._action_list(
            [("partner_id", "=", self.commercial_partner_id.id)]
        )

    def action_dunning_new_dispute(self):
        """Quick action: a new dispute of this customer about its open invoices (the
        collector takes out those not disputed; a salesperson may not read invoices)."""
        self.ensure_one()
        partner = self.commercial_partner_id
        moves = (
            self.env["account.move"]
            .sudo()
            .search(
                open_invoice_domain()
                & Domain("commercial_partner_id", "=", partner.id)
                & Domain("company_id", "=", self.env.company.id)
            )
        )
        return self.env["dunning.dispute"]._action_new(partner, moves, self.env.company)

    def action_dunning_open_disputes(self):
        self.ensure_one()
        return self._dunning_records_action("smart_dunning.dunning_dispute_action")

    def action_dunning_open_plans(self):
        self.ensure_one()
        return self._dunning_records_action("smart_dunning.dunning_plan_action")

    def _dunning_records_action(self, xmlid):
        """The records of action ``xmlid`` (disputes, plans, judicial files) of this customer;
        a new one is for this customer too."""
        partner = self.commercial_partner_id
        return list_action(
            self.env, xmlid, [("partner_id", "=", partner.id)], {"default_partner_id": partner.id}
        )

    def action_dunning_open_status(self):
        """The payment status of this partner's company (or of the partner itself)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "smart_dunning.dunning_partner_status_action"
        )
        action.update(res_id=self.dunning_status_id.id, views=[(False, "form")], view_mode="form")
        return action

    def action_dunning_match_credits(self):
        """Odoo's own matching of outstanding credits: the form of the customer's oldest open
        invoice in the current company, whose "Outstanding credits" list the unapplied
        payments and credit notes, each with its "Add" button."""
        self.ensure_one()
        invoice = self.env["account.move"].search(
            open_invoice_domain()
            & Domain("commercial_partner_id", "=", self.commercial_partner_id.id)
            & Domain("company_id", "=", self.env.company.id),
            order="invoice_date_due, id",
            limit=1,
        )
        if not invoice:
            raise UserError(
                self.env._(
                    "%(customer)s has no open invoice to match its payments and credits with.",
                    customer=self.commercial_partner_id.display_name,
                )
            )
        return form_action("account.move", invoice.id)

    def action_dunning_promise(self):
        """Quick action: the customer promises to pay its open invoices on a date."""
        self.ensure_one()
        return self.env["dunning.plan.promise"]._action_open(self.commercial_partner_id)

    dunning_judicial_file_count = fields.Integer(
        string="Number of Judicial Files", compute="_compute_dunning_judicial_file_count"
    )

    def _compute_dunning_judicial_file_count(self):
        self._dunning_count("dunning.judicial.file", "dunning_judicial_file_count")

    def action_dunning_open_judicial_files(self):
        self.ensure_one()
        return self._dunning_records_action("smart_dunning.dunning_judicial_file_action")

    def action_dunning_new_judicial_file(self):
        """Hand the customer's overdue invoices over by hand: a judicial file (or the open one
        gets them), shown."""
        self.ensure_one()
        file = self.env["dunning.judicial.file"]._from_partner(self.commercial_partner_id)
        return form_action("dunning.judicial.file", file.id)
