"""Demo data with dates relative to the day it is loaded, so the demo is alive any day.

Called once from ``demo/smart_dunning_demo.xml``: a Belgian company, its customers (in
``demo/res_partner_demo.xml``), their invoices in every situation a collector meets, and the
dunning history of the last hundred days.
"""

from datetime import timedelta

from odoo import Command, api, fields, models

DEMO_COMPANY_XMLID = "smart_dunning.demo_company"

# (customer xmlid, days the invoice is past due (negative: not yet due), amount excl. VAT,
#  what else happens to it)
INVOICES = [
    ("partner_demo_bakkerij", -10, 420.00, None),  # not yet due
    ("partner_demo_atelier", -2, 180.00, None),
    ("partner_demo_drukkerij", 3, 950.00, None),  # 3 days late: in grace
    ("partner_demo_klein", 3, 75.00, None),
    ("partner_demo_garage", 20, 1250.00, None),  # first reminder sent
    ("partner_demo_fleuriste", 20, 310.00, None),
    ("partner_demo_dupont", 20, 95.00, None),
    ("partner_demo_architect", 40, 2400.00, None),  # second reminder
    ("partner_demo_boulangerie", 40, 640.00, None),
    ("partner_demo_peeters", 40, 150.00, None),
    ("partner_demo_schilder", 70, 3800.00, None),  # formal notice
    ("partner_demo_traiteur", 70, 890.00, None),
    ("partner_demo_martin", 70, 260.00, None),
    ("partner_demo_bouw", 100, 7600.00, None),  # judicial hand-over waits for approval
    ("partner_demo_consultancy", 100, 2100.00, None),
    ("partner_demo_devries", 45, 540.00, None),  # Dutch customers
    ("partner_demo_jansen", 25, 120.00, None),
    ("partner_demo_smith", 30, 1800.00, None),  # English-speaking customer
    ("partner_demo_brewery", 15, 720.00, None),
    ("partner_demo_garage", -5, 300.00, "paid"),
    ("partner_demo_bakkerij", 30, 500.00, "paid"),
    ("partner_demo_studio", 35, 1000.00, "partial"),  # 400 paid
    ("partner_demo_drukkerij", 50, 800.00, "credit_note"),  # 200 credit note open
    ("partner_demo_wrong_email", 30, 460.00, None),  # mails bounce
    ("partner_demo_po_missing", 28, 1500.00, "no_po"),  # needs a PO number
    ("partner_demo_po_missing", 9, 700.00, "no_po"),
    # first invoice 6 weeks ago, 16 days late: past the 15 days before a call, on its
    # salesperson's list of customers to call
    ("partner_demo_new_customer", 16, 330.00, "new"),
    ("partner_demo_wrong_postcode", 24, 210.00, None),
    ("partner_demo_ngo", 60, 350.00, "excluded"),
    ("partner_demo_festival", 30, 2750.00, "paused"),
    ("partner_demo_theatre", 8, 1100.00, None),
    ("partner_demo_school", 12, 640.00, None),
    ("partner_demo_lefevre", 55, 180.00, None),
]


class DunningDemo(models.AbstractModel):
    _name = "dunning.demo"
    _description = "Dunning Demo Data"

    @api.model
    def _load(self):
        company = self.env.ref(DEMO_COMPANY_XMLID)
        # Demo data loads before the module's translations: load them first, so that the
        # demo's letters and e-mails to Dutch and French customers are in their language.
        self.env["ir.module.module"]._load_module_terms(
            ["smart_dunning"], [code for code, _name in self.env["res.lang"].get_installed()]
        )
        self._setup_company(company)
        env = (
            self.with_company(company)
            .with_context(
                allowed_company_ids=company.ids,
                tracking_disable=True,
                mail_notify_force_send=False,
                # The cooperative works in Dutch: the notes its history leaves on invoices,
                # customers and disputes are in Dutch, as if its people had written them
                # (letters and e-mails still speak each customer's language).
                lang="nl_BE",
            )
            .env
        )
        today = fields.Date.context_today(self)
        history_start = today - timedelta(days=110)
        invoices = self.env["account.move"]
        # Last year's business, paid, so that only the food truck is a new customer.
        for i, xmlid in enumerate(
            sorted({row[0] for row in INVOICES} - {"partner_demo_new_customer"})
        ):
            partner = env.ref(f"smart_dunning.{xmlid}")
            invoice_date = today - timedelta(days=200 + 7 * i)
            old = self._make_invoice(
                env,
                company,
                partner,
                250.0 + 40 * i,
                invoice_date,
                invoice_date + timedelta(days=30),
                ref=f"PO-{i:04d}",
            )
            self._pay(env, old, old.amount_total, invoice_date + timedelta(days=20 + 3 * (i % 8)))
        for xmlid, days_late, amount, what in INVOICES:
            partner = env.ref(f"smart_dunning.{xmlid}")
            due = today - timedelta(days=days_late)
            invoice_date = due - timedelta(days=30 if partner.is_company else 14)
            if what == "new":
                invoice_date = today - timedelta(weeks=6)
            invoice = self._make_invoice(
                env,
                company,
                partner,
                amount,
                invoice_date,
                due,
                ref=False if what == "no_po" else f"PO-{xmlid[-4:]}-{days_late}",
            )
            invoices |= invoice
            if what == "paid":
                # never in the future: an invoice not yet due was paid early, yesterday
                paid_on = min(due + timedelta(days=2), today - timedelta(days=1))
                self._pay(env, invoice, invoice.amount_total, paid_on)
            elif what == "partial":
                self._pay(env, invoice, 400.0, due + timedelta(days=10))
            elif what == "credit_note":
                self._make_invoice(env, company, partner, 200.0, due, due, move_type="out_refund")
            elif what == "excluded":
                invoice.write(
                    {
                        "dunning_excluded": True,
                        "dunning_exclusion_reason": "Gesubsidieerde instelling: betaald door "
                        "het gewest",
                    }
                )
            elif what == "paused":
                invoice.dunning_pause_until = today + timedelta(days=10)
        self._replay_history(env, company, history_start, today)
        # The collector opened the disputes and plans and made the calls: they are hers, and
        # so are the notes they leave (with the rights of the demo loader).
        collector = env(user=env.ref("smart_dunning.user_collector_demo").id, su=True)
        self._load_disputes_and_plans(collector, company, today)
        self._load_calls(collector, company, today)
        self._load_management(env, company, today)
        return invoices

    def _load_management(self, env, company, today):
        """The salespeople's targets of the last months and one debt with the bailiff: the
        managers' reports and the judicial files have something to show."""
        month = today.replace(day=1)
        targets = []
        for back in range(4):
            first = (month - timedelta(days=28 * back)).replace(day=1)
            for xmlid, amount in (
                ("user_sales_anna_demo", 2000.0),
                ("user_sales_luc_demo", 1500.0),
            ):
                targets.append(
                    {
                        "company_id": company.id,
                        "user_id": env.ref(f"smart_dunning.{xmlid}").id,
                        "month": first,
                        "amount": amount,
                    }
                )
        env["dunning.sales.target"].create(targets)
        bailiff, lawyer = env["res.partner"].create(
            [
                {
                    "name": "Gerechtsdeurwaarderskantoor Peeters & Maes",
                    "is_company": True,
                    "lang": "nl_BE",
                    "email": "dossiers@deurwaarder-peeters.example.com",
                    "street": "Keizerstraat 12",
                    "zip": "2000",
                    "city": "Antwerpen",
                    "country_id": env.ref("base.be").id,
                },
                {
                    "name": "Cabinet d'avocats Dubois",
                    "is_company": True,
                    "lang": "fr_BE",
                    "email": "recouvrement@avocats-dubois.example.com",
                    "street": "Rue de la Loi 40",
                    "zip": "1040",
                    "city": "Bruxelles",
                    "country_id": env.ref("base.be").id,
                },
            ]
        )
        company.write(
            {"dunning_bailiff_partner_id": bailiff.id, "dunning_lawyer_partner_id": lawyer.id}
        )
        # The collector approved the hand-over of the builder's debt: its file goes out.
        hand_over = env["dunning.letter"].search(
            [
                ("partner_id", "=", env.ref("smart_dunning.partner_demo_bouw").id),
                ("state", "=", "to_approve"),
                ("level_id.stage", "=", "judicial"),
            ],
            limit=1,
        )
        hand_over.action_send()
        env["dunning.judicial.file"].search(
            [("partner_id", "=", hand_over.partner_id.id)]
        ).action_send()

    def _load_calls(self, env, company, today):
        """Yesterday's calls: the panel shows the last contact, the worklist the wrong number."""
        entries = []
        for xmlid, outcome, note in (
            ("partner_demo_architect", "reached", "Factuur goedgekeurd, betaling volgende week."),
            ("partner_demo_traiteur", "no_answer", ""),
            ("partner_demo_lefevre", "wrong_number", "Nummer niet meer in gebruik."),
        ):
            partner = env.ref(f"smart_dunning.{xmlid}")
            moves = env["account.move"].search(
                [
                    ("commercial_partner_id", "=", partner.id),
                    ("move_type", "=", "out_invoice"),
                    ("payment_state", "in", ("not_paid", "partial")),
                    ("state", "=", "posted"),
                    ("company_id", "=", company.id),
                ]
            )
            entries.append(
                {
                    "partner": partner,
                    "moves": moves,
                    "outcome": outcome,
                    "note": note,
                    "date": fields.Datetime.now() - timedelta(days=1),
                    "phone": partner.phone,
                    "company": company,
                }
            )
        env["dunning.call"]._dunning_log_calls(entries)

    def _setup_company(self, company):
        """Chart of accounts, bank account, and the admin working in this company."""
        l10n_be = self.env["ir.module.module"].search([("name", "=", "l10n_be")])
        code = "be_comp" if l10n_be.state == "installed" else "generic_coa"
        if not company.chart_template:
            self.env["account.chart.template"].try_loading(
                code, company=company, install_demo=False
            )
        # The generic chart brings its own currency; the cooperative works in euro. The chart
        # wrote through another environment: read the company again before writing.
        company.invalidate_recordset()
        company.currency_id = self.env.ref("base.EUR")
        if not company.bank_ids:
            self.env["res.partner.bank"].create(
                {
                    "acc_number": "BE68539007547034",
                    "partner_id": company.partner_id.id,
                    "allow_out_payment": True,
                }
            )
        admin = self.env.ref("base.user_admin")
        admin.write({"company_ids": [Command.link(company.id)], "company_id": company.id})
        # The customer's page offers "Pay online" once the company has a payment provider: the
        # demo's test provider (payment_demo, when installed) pays nothing for real.
        self.env["payment.provider"].search(
            [("code", "=", "demo"), ("company_id", "=", company.id)]
        ).write({"state": "test", "is_published": True})
        company._dunning_ensure_default_policies()
        # The demo lives around today, and interest needs the rate of each half-year: until an
        # admin enters a rate docs/LEGAL.md §2 does not ship, letters would wait for it. The demo
        # shows the fees that need no rate; consumers' general terms provide for damages.
        company.dunning_policy_b2b_id.claim_interest = False
        company.dunning_policy_b2c_id.write({"claim_interest": False, "fee_clause": True})
        service_desk = {
            "en_US": (
                "Monday to Friday, 9:00 to 17:00",
                "Outside the European Union you can also "
                "pay by credit card: ask our service desk for a payment link.",
            ),
            "nl_BE": (
                "maandag tot vrijdag, van 9 tot 17 uur",
                "Buiten de Europese Unie kunt u ook "
                "met een kredietkaart betalen: vraag onze klantendienst om een betaallink.",
            ),
            "fr_BE": (
                "du lundi au vendredi, de 9 h à 17 h",
                "Hors de l'Union européenne, vous "
                "pouvez aussi payer par carte de crédit : demandez un lien de paiement à "
                "notre service clientèle.",
            ),
        }
        active = dict(self.env["res.lang"].get_installed())
        for lang, (hours, non_eu) in service_desk.items():
            if lang in active:
                company.with_context(lang=lang).write(
                    {"dunning_service_hours": hours, "dunning_non_eu_text": non_eu}
                )

    def _make_invoice(
        self, env, company, partner, amount, invoice_date, due, move_type="out_invoice", ref=False
    ):
        tax = company.account_sale_tax_id
        # the invoice line in the customer's language, as the customer reads it on the invoice
        label = {
            "nl": ("Diensten geleverd door onze leden", "Prijscorrectie"),
            "fr": ("Services prestés par nos membres", "Correction de prix"),
        }.get((partner.lang or "")[:2], ("Services rendered by our members", "Price correction"))[
            move_type != "out_invoice"
        ]
        invoice = env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": partner.id,
                "company_id": company.id,
                "invoice_date": invoice_date,
                "invoice_payment_term_id": False,
                "invoice_date_due": due,
                "invoice_user_id": partner.user_id.id or env.user.id,
                "ref": ref,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": label,
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [Command.set(tax.ids)],
                        }
                    )
                ],
            }
        )
        invoice.action_post()
        return invoice

    def _pay(self, env, invoice, amount, on_date):
        env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"amount": amount, "payment_date": on_date})._create_payments()

    def _replay_history(self, env, company, start, today):
        """Run the dunning of every past day, as the daily cron would have done."""
        Run = company._dunning_job_env(env["dunning.run"])
        day = start
        while day < today:
            run = Run.create({"date": day, "company_id": company.id})
            run._execute(commit=False)
            letters = run.letter_ids
            if letters:
                auto = letters.filtered(lambda ltr: ltr.state == "draft")
                # Paper letters of the past went out with the postal run of their day.
                auto.with_context(mail_notify_force_send=False)._dunning_send(sent_date=day)
            else:
                run.unlink()
            day += timedelta(days=1)
        # The outgoing mails of the past would bounce on demo addresses: keep them as history.
        env["mail.mail"].sudo().search(
            [("model", "=", "dunning.letter"), ("state", "=", "outgoing")]
        ).write({"state": "sent"})

    def _load_disputes_and_plans(self, env, company, today):
        """A dispute in mediation, a resolved one, an active plan and a promise to pay."""

        def open_invoice(xmlid):
            return env["account.move"].search(
                [
                    ("commercial_partner_id", "=", env.ref(f"smart_dunning.{xmlid}").id),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("payment_state", "in", ("not_paid", "partial")),
                    ("company_id", "=", company.id),
                ],
                order="invoice_date_due",
                limit=1,
            )

        Dispute = env["dunning.dispute"]
        galerie = open_invoice("partner_demo_wrong_postcode")
        dispute = Dispute.create(
            {
                "partner_id": galerie.commercial_partner_id.id,
                "move_ids": [Command.set(galerie.ids)],
                "reason_id": env.ref("smart_dunning.dunning_dispute_reason_wrong_address").id,
                "description": "Nos rappels nous reviennent : le code postal 10000 n'existe pas.",
                "date_deadline": today + timedelta(days=7),
            }
        )
        dispute.action_mediation()
        dispute.note_ids = [
            Command.create(
                {
                    "date": today - timedelta(days=2),
                    "with_customer": True,
                    "contact_name": "Mme Lambert (comptabilité)",
                    "note": "Galerie gebeld: de factuur is nooit aangekomen. Ze bevestigen Rue "
                    "Haute 130, 1000 Brussel en betalen zodra ze de factuur hebben.",
                }
            )
        ]

        bakery = open_invoice("partner_demo_boulangerie")
        resolved = Dispute.create(
            {
                "partner_id": bakery.commercial_partner_id.id,
                "move_ids": [Command.set(bakery.ids)],
                "reason_id": env.ref("smart_dunning.dunning_dispute_reason_price_quantity").id,
                "description": "Vous avez facturé six heures au lieu de quatre.",
            }
        )
        resolved.note_ids = [
            Command.create(
                {
                    "with_salesperson": True,
                    "with_worker": True,
                    "contact_name": "Tom (installateur)",
                    "note": "De urenstaat die de klant ondertekende, vermeldt zes uur.",
                }
            )
        ]
        resolved.write(
            {
                "resolution": "rejected",
                "resolution_note": "Ondertekende urenstaat naar de klant gestuurd.",
            }
        )
        resolved.action_resolve()

        painter = open_invoice("partner_demo_schilder")
        plan = env["dunning.plan"].create(
            {
                "partner_id": painter.commercial_partner_id.id,
                "move_ids": [Command.set(painter.ids)],
                "schedule_count": 4,
                "schedule_first_date": today,
                "note": "Telefonisch afgesproken: een grote klant betaalde hen te laat.",
            }
        )
        plan.action_generate_schedule()
        plan.action_confirm()
        self._pay(env, painter, plan.line_ids[0].amount, today)

        brewery = open_invoice("partner_demo_brewery")
        env["dunning.plan.promise"].create(
            {
                "partner_id": brewery.commercial_partner_id.id,
                "move_ids": [Command.set(brewery.ids)],
                "date_due": today + timedelta(days=10),
                "note": "Per e-mail beloofd.",
            }
        ).action_confirm()
        # The confirmations would bounce on demo addresses: keep them as history.
        env["mail.mail"].sudo().search(
            [("model", "=", "dunning.plan"), ("state", "=", "outgoing")]
        ).write({"state": "sent"})
