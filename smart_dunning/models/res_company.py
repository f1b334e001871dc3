from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..lib.enterprise_number import be_enterprise_number


class ResCompany(models.Model):
    _inherit = "res.company"

    dunning_policy_b2b_id = fields.Many2one(
        "dunning.policy",
        string="Default Dunning Policy (Businesses)",
        domain="[('company_id', '=', id), ('customer_kind', '=', 'b2b')]",
        help="Applies to business customers that have no policy of their own.",
    )
    dunning_policy_b2c_id = fields.Many2one(
        "dunning.policy",
        string="Default Dunning Policy (Consumers)",
        domain="[('company_id', '=', id), ('customer_kind', '=', 'b2c')]",
        help="Applies to consumers that have no policy of their own.",
    )
    dunning_payment_day_window = fields.Integer(
        string="Payment-Day Window (days)",
        default=3,
        help="No reminder goes out in this many days before a customer's usual payment day.",
    )
    dunning_new_customer_days = fields.Integer(
        string="New Customer Period (days)",
        default=90,
        help="A customer whose first invoice is younger than this is a new customer: the "
        "salesperson is asked first before the first reminder goes out.",
    )

    dunning_plan_breach_days = fields.Integer(
        string="Payment Plan Tolerance (days)",
        default=5,
        help="A payment plan breaks when an instalment is still unpaid this many days after "
        "its date; dunning then resumes.",
    )

    dunning_data_check = fields.Selection(
        [
            ("off", "Off"),
            ("warn", "Warn"),
            ("block", "Block"),
        ],
        string="Data Check at Posting",
        default="warn",
        required=True,
        help="Checks the e-mail address and postcode of the invoice address and the "
        "purchase-order number of customers who require one, when a customer invoice is "
        "posted. Warn: the invoice is posted and its problems are shown on it until the data "
        "is corrected. Block: the invoice is not posted until the data is corrected.",
    )

    # What every letter says about how to reach us and how to pay.
    dunning_service_hours = fields.Char(
        string="Service Desk Hours",
        translate=True,
        help='Shown on the letters, e.g. "Monday to Friday, 9:00 to 17:00".',
    )
    dunning_service_phone = fields.Char(
        string="Service Desk Phone", help="Shown on the letters; the company phone if empty."
    )
    dunning_service_email = fields.Char(
        string="Service Desk E-mail", help="Shown on the letters; the company e-mail if empty."
    )
    dunning_bank_id = fields.Many2one(
        "res.partner.bank",
        string="Account on Letters",
        domain="[('partner_id', '=', partner_id)]",
        help="The account customers pay the letters to; the company's first account if empty.",
    )
    dunning_non_eu_text = fields.Text(
        string="Text for Customers Outside the EU",
        translate=True,
        help="Shown on letters to customers outside the European Union, e.g. the other ways "
        "they can pay.",
    )

    dunning_call_after_days = fields.Integer(
        string="Call After (days overdue)",
        default=15,
        help="Invoices overdue more than this many days go on the collectors' call worklist, "
        "even when no dunning level asks for a call.",
    )

    # Bank charges and exchange rates leave cents open on paid invoices: below both limits the
    # rest is written off when the payment is matched, instead of a reminder for 0.37.
    dunning_writeoff_amount = fields.Monetary(
        string="Write-off Tolerance (amount)",
        currency_field="currency_id",
        default=5.0,
        help="A payment that leaves at most this much (in the company currency) open on an "
        "invoice closes it with a write-off, when the percentage limit holds too.",
    )
    dunning_writeoff_percent = fields.Float(
        string="Write-off Tolerance (%)",
        default=1.0,
        help="A payment that leaves at most this percentage of the invoice total open closes "
        "it with a write-off, when the amount limit holds too.",
    )
    dunning_writeoff_account_id = fields.Many2one(
        "account.account",
        string="Write-off Account",
        check_company=True,
        domain="[('account_type', 'in', ('expense', 'income_other', 'expense_direct_cost'))]",
        help="Where small shortfalls (bank charges, exchange rates) are booked. Empty: nothing "
        "is written off and the customer is reminded of every rest.",
    )
    dunning_bank_hold_days = fields.Integer(
        string="Unmatched Bank Line Hold (days)",
        default=5,
        help="An incoming bank line of a customer (found by partner, bank account or the "
        "reference of an invoice or a letter) that nobody has matched yet holds the customer's "
        "letters and calls for this many days after its date. 0: no hold.",
    )

    # Limits on the call centre's files, so that one odd or malicious file cannot exhaust the
    # server: what a call centre sends back for a day or a week is far below.
    dunning_import_max_mb = fields.Integer(
        string="Call-Centre File Size Limit (MB)",
        default=10,
        help="Call-centre files larger than this are refused.",
    )
    dunning_import_max_rows = fields.Integer(
        string="Call-Centre File Row Limit",
        default=50000,
        help="Call-centre files with more rows than this (under the header) are refused.",
    )

    @api.constrains("dunning_import_max_mb", "dunning_import_max_rows")
    def _check_dunning_import_limits(self):
        for company in self:
            if company.dunning_import_max_mb < 1 or company.dunning_import_max_rows < 1:
                raise ValidationError(
                    self.env._("The size and row limits of call-centre files must be at least 1.")
                )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._dunning_ensure_default_policies()
        return companies

    def _dunning_ensure_default_policies(self):
        """Give each company its own copy of the shipped B2B and B2C policies."""
        templates = {
            "b2b": self.env.ref("smart_dunning.dunning_policy_b2b", raise_if_not_found=False),
            "b2c": self.env.ref("smart_dunning.dunning_policy_b2c", raise_if_not_found=False),
        }
        for company in self:
            for kind, template in templates.items():
                field = f"dunning_policy_{kind}_id"
                if company[field] or not template:
                    continue
                if template.sudo().company_id == company:
                    policy = template
                else:
                    policy = template.sudo().copy({"company_id": company.id, "name": template.name})
                company.sudo()[field] = policy
        self._dunning_sync_translations()

    def _dunning_sync_translations(self):
        """Give the companies' copies of the shipped policies the translations of the record
        they were copied from, for every name an admin has not changed.

        A language loaded after a company was created (the usual order: install the app, then
        add Dutch and French) translates only records with an XML id, never their copies."""
        self.env.flush_all()
        for kind in ("b2b", "b2c"):
            template = self.env.ref(
                f"smart_dunning.dunning_policy_{kind}", raise_if_not_found=False
            )
            if not template:
                continue
            column = SQL.identifier(f"dunning_policy_{kind}_id")
            company_ids = tuple(self.ids) or (0,)
            # The policy's name, then its levels, matched on their sequence.
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE dunning_policy copy
                       SET name = copy.name || origin.name
                      FROM res_company company, dunning_policy origin
                     WHERE copy.id = company.%(column)s
                       AND company.id IN %(company_ids)s
                       AND origin.id = %(template)s
                       AND copy.id != origin.id
                       AND copy.name->>'en_US' = origin.name->>'en_US'
                    """,
                    column=column,
                    company_ids=company_ids,
                    template=template.id,
                )
            )
            # Names follow the shipped translations; the letter's intro and closing only gain
            # the languages they lack: the communication team may have rewritten one language.
            for text, merged in (
                ("name", SQL("copy.name || origin.name")),
                ("letter_intro", SQL("origin.letter_intro || copy.letter_intro")),
                ("letter_closing", SQL("origin.letter_closing || copy.letter_closing")),
            ):
                self.env.cr.execute(
                    SQL(
                        """
                        UPDATE dunning_level copy
                           SET %(text)s = %(merged)s
                          FROM res_company company, dunning_level origin
                         WHERE copy.policy_id = company.%(column)s
                           AND company.id IN %(company_ids)s
                           AND origin.policy_id = %(template)s
                           AND copy.policy_id != origin.policy_id
                           AND copy.sequence = origin.sequence
                           AND copy.%(text)s->>'en_US' = origin.%(text)s->>'en_US'
                        """,
                        text=SQL.identifier(text),
                        merged=merged,
                        column=column,
                        company_ids=company_ids,
                        template=template.id,
                    )
                )
        self.env["dunning.policy"].invalidate_model(["name"])
        self.env["dunning.level"].invalidate_model(["name", "letter_intro", "letter_closing"])

    dunning_attach_invoices = fields.Boolean(
        string="Invoices with E-mail Reminders",
        default=True,
        help="E-mail reminders carry the PDF of each invoice they list, besides the letter's "
        "own PDF.",
    )

    dunning_collector_ids = fields.Many2many(
        "res.users",
        "res_company_dunning_collector_rel",
        "company_id",
        "user_id",
        string="Collectors Sharing New Customers",
        domain="[('share', '=', False)]",
        help="A customer who reaches its first level without a collector, and whom no "
        "assignment rule gives one, goes to whichever of them has the fewest customers. "
        "Empty: the company's collections users who are not managers.",
    )

    def _dunning_lacks_enterprise_number(self):
        """A company established in Belgium without an enterprise number (registry, else a
        Belgian VAT number): its first reminders to consumers may not leave (art. XIX.2 CEL,
        docs/LEGAL.md §5.1). A company abroad has no such number to state."""
        self.ensure_one()
        return self.country_id.code == "BE" and not be_enterprise_number(
            self.company_registry, self.vat
        )

    def _dunning_lang(self):
        """The language automatic jobs write in: a cron starts without one, and the notes
        and activities it leaves for the collectors would otherwise stay English."""
        self.ensure_one()
        return self.partner_id.lang or self.env.lang

    def _dunning_job_env(self, records):
        """``records`` in this company and in its language, for a cron's work."""
        self.ensure_one()
        return records.with_company(self).with_context(lang=self._dunning_lang())

    def _dunning_collector_pool(self):
        """The collectors who share the customers no assignment rule places."""
        self.ensure_one()
        if self.dunning_collector_ids:
            return self.dunning_collector_ids.filtered("active")
        users = self.env.ref("smart_dunning.group_dunning_user").all_user_ids
        managers = self.env.ref("smart_dunning.group_dunning_manager").all_user_ids
        return (users - managers).filtered(
            lambda user: user.active and not user.share and self in user.company_ids
        )

    dunning_bailiff_partner_id = fields.Many2one(
        "res.partner",
        string="Bailiff",
        help="Gerechtsdeurwaarder / huissier de justice who receives the judicial files of "
        "smaller debts, when the policy names none.",
    )
    dunning_lawyer_partner_id = fields.Many2one(
        "res.partner",
        string="Lawyer",
        help="Advocaat / avocat who receives the judicial files of debts above the judicial "
        "threshold, and of disputed debts, when the policy names none.",
    )

    def _dunning_judicial_recipient(self, route):
        """The bailiff or the lawyer of the company for ``route``."""
        self.ensure_one()
        if route == "lawyer":
            return self.dunning_lawyer_partner_id
        return self.dunning_bailiff_partner_id
