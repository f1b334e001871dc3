"""What a walk through the demo as each user found broken: screens that did not open, a menu
an accountant could not reach, a figure in the wrong number format. Each test opens the
screen the way the web client does (the user's own view, the fields it shows)."""

from lxml import etree

from odoo.exceptions import AccessError
from odoo.tests import Form, freeze_time

from .common import BelgianDunningCase, DunningCase, d
from .test_install import demo_env

DUE = d("2026-03-02")
TODAY = "2026-04-20"


def form_spec(records):
    """The web_read specification the web client sends for the user's form view of
    ``records``: every field of the form, the relational ones with their display name."""
    view = records.get_views([(False, "form")])
    fields = view["models"][records._name]["fields"]
    arch = etree.fromstring(view["views"]["form"]["arch"])
    spec = {}
    for node in arch.iter("field"):
        name = node.get("name")
        if any(parent.tag == "field" for parent in node.iterancestors()):
            continue  # a field of a sub-view (x2many list)
        if fields[name]["type"] in ("many2one", "one2many", "many2many"):
            spec[name] = {"fields": {"display_name": {}}}
        else:
            spec[name] = {}
    return spec


class TestNewInvoiceForm(BelgianDunningCase):
    def test_a_new_customer_invoice_opens_and_takes_the_customers_policy(self):
        accountant = self.make_user(
            "qa_accountant", "base.group_user,account.group_account_invoice"
        )
        # The form computes the dunning fields of the new invoice before a customer is
        # chosen: "New" used to fail with "Expected singleton: res.partner()".
        moves = self.env["account.move"].with_user(accountant)
        form = Form(moves.with_context(default_move_type="out_invoice"))
        form.partner_id = self.customer
        form.invoice_date = d("2026-03-01")
        invoice = form.save()
        self.assertEqual(invoice.dunning_policy_id, self.policy_b2b)
        self.assertFalse(moves.new({"move_type": "out_invoice"}).dunning_policy_id)


class TestSalespersonForms(BelgianDunningCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.seller = cls.make_user("qa_seller", "base.group_user", name="Sam Seller")
        cls.customer.user_id = cls.seller
        cls.invoice = cls.make_invoice(cls.customer, 1000.0, DUE)

    def test_a_salesperson_opens_the_letter_call_and_judicial_file_of_their_customer(self):
        with freeze_time(TODAY):
            letter = self.run_dunning(d(TODAY)).letter_ids
            call = self.env["dunning.call"].create(
                {
                    "partner_id": self.customer.id,
                    "outcome": "no_answer",
                    "move_ids": [(6, 0, self.invoice.ids)],
                }
            )
            file = self.env["dunning.judicial.file"]._from_partner(self.customer)
        self.assertEqual(letter.partner_id, self.customer)
        name = self.invoice.name
        for record in (letter, call, file):
            mine = record.with_user(self.seller)
            # used to raise "Failed to read field ... You are not allowed to access
            # 'Journal Entry' (account.move) records"
            values = mine.web_read(form_spec(mine))[0]
            self.assertEqual(values["partner_id"]["display_name"], self.customer.display_name)
            if record != letter:
                self.assertEqual(values["invoice_names"], name)
                self.assertNotIn("move_ids", values)
        lines = letter.with_user(self.seller).web_read(
            {"line_ids": {"fields": {"move_id": {"fields": {"display_name": {}}}}}}
        )[0]["line_ids"]
        self.assertEqual([line["move_id"]["display_name"] for line in lines], [name])

        # Those who may read invoices keep the invoices themselves.
        collector = self.make_user(
            "qa_collector",
            "base.group_user,account.group_account_invoice,smart_dunning.group_dunning_user",
        )
        for record in (letter, call, file):
            theirs = record.with_user(collector)
            spec = form_spec(theirs)
            self.assertIn("credit_move_ids" if record == letter else "move_ids", spec)
            self.assertNotIn("invoice_names", spec)
            theirs.web_read(spec)


class TestAccountantMenus(BelgianDunningCase):
    def test_an_accountant_reaches_every_customers_payment_status(self):
        accountant = self.make_user(
            "qa_accountant", "base.group_user,account.group_account_invoice"
        )
        other = self.make_partner("Garage Lambert", lang="fr_BE")
        self.make_invoice(other, 500.0, DUE)
        menus = self.env["ir.ui.menu"].with_user(accountant).load_menus(False)
        xmlids = {menu.get("xmlid") for menu in menus.values() if isinstance(menu, dict)}
        self.assertIn("smart_dunning.menu_customers_status", xmlids)
        menu = self.env.ref("smart_dunning.menu_customers_status")
        action = menu.action
        statuses = self.env[action.res_model].with_user(accountant).search([])
        self.assertIn(other, statuses.partner_id)
        # a salesperson keeps only their own customers' menu
        seller = self.make_user("qa_seller", "base.group_user")
        menus = self.env["ir.ui.menu"].with_user(seller).load_menus(False)
        xmlids = {menu.get("xmlid") for menu in menus.values() if isinstance(menu, dict)}
        self.assertNotIn("smart_dunning.menu_customers_status", xmlids)
        self.assertIn("smart_dunning.menu_my_customers_status", xmlids)


class TestAccountantReadsTheHistory(BelgianDunningCase):
    def test_an_accountant_reads_every_customers_letters_disputes_plans_calls_and_files(self):
        """The accountant saw the Letters, Disputes, Plans, Calls and Judicial Files menus
        always empty: the employees' rules show a user only their own customers."""
        seller = self.make_user("qa_seller", "base.group_user", name="Sam Seller")
        self.customer.user_id = seller
        first, second = (self.make_invoice(self.customer, amount, DUE) for amount in (600, 400))
        with freeze_time(TODAY):
            letter = self.run_dunning(d(TODAY)).letter_ids
        records = {
            "dunning.letter": letter,
            "dunning.dispute": self.env["dunning.dispute"].create(
                {
                    "partner_id": self.customer.id,
                    "move_ids": [(6, 0, first.ids)],
                    "reason_id": self.env.ref(
                        "smart_dunning.dunning_dispute_reason_price_quantity"
                    ).id,
                }
            ),
            "dunning.plan": self.env["dunning.plan"].create(
                {"partner_id": self.customer.id, "move_ids": [(6, 0, second.ids)]}
            ),
            "dunning.call": self.env["dunning.call"].create(
                {"partner_id": self.customer.id, "outcome": "no_answer"}
            ),
            "dunning.judicial.file": self.env["dunning.judicial.file"]._from_partner(self.customer),
        }
        accountant = self.make_user(
            "qa_accountant", "base.group_user,account.group_account_invoice"
        )
        for model, record in records.items():
            self.assertTrue(record, model)
            found = self.env[model].with_user(accountant).search([])
            self.assertIn(record, found, f"the accountant does not see {model}")
        self.assertEqual(
            letter.line_ids.with_user(accountant).mapped("move_id.name"), [first.name, second.name]
        )
        # reading, not taking over the collectors' work
        with self.assertRaises(AccessError):
            records["dunning.dispute"].with_user(accountant).write({"description": "Paid."})
        # a salesperson still sees only their own customers
        other_seller = self.make_user("qa_other_seller", "base.group_user")
        for model, record in records.items():
            self.assertNotIn(record, self.env[model].with_user(other_seller).search([]))


class TestMatchNowButton(BelgianDunningCase):
    def test_match_now_is_offered_to_those_who_may_match_credits(self):
        seller = self.make_user("qa_seller", "base.group_user")
        accountant = self.make_user(
            "qa_accountant", "base.group_user,account.group_account_invoice"
        )
        self.customer.user_id = seller
        invoice = self.make_invoice(self.customer, 1000.0, DUE)
        credit = self.make_invoice(self.customer, 242.0, DUE, move_type="out_refund")
        self.env.flush_all()
        self.env.invalidate_all()
        status = self.customer.dunning_status_id
        self.assertEqual(status.amount_unapplied, 242.0)
        forms = {
            "res.partner": "action_dunning_match_credits",
            "dunning.partner.status": "action_match_credits",
        }
        for model, button in forms.items():
            # the salesperson sees the unapplied credit, but matching it opens an invoice,
            # which they may not read: pressing "Match Now" ended in an access error
            arch = self.env[model].with_user(seller).get_views([(False, "form")])
            self.assertIn("amount_unapplied", arch["views"]["form"]["arch"])
            self.assertNotIn(f'name="{button}"', arch["views"]["form"]["arch"])
            arch = self.env[model].with_user(accountant).get_views([(False, "form")])
            self.assertIn(f'name="{button}"', arch["views"]["form"]["arch"])
        action = status.with_user(accountant).action_match_credits()
        self.assertEqual((action["res_model"], action["res_id"]), ("account.move", invoice.id))
        self.assertNotEqual(action["res_id"], credit.id)


class TestDemoHistoryInDutch(DunningCase):
    def test_the_demo_companys_notes_read_in_dutch(self):
        """The demo's Dutch users found its history in English: the notes the demo left on
        invoices and disputes, its calls (logged by OdooBot), the exclusion reason and the
        invoice lines."""
        with demo_env() as env:
            company = env.ref("smart_dunning.demo_company")
            collector = env.ref("smart_dunning.user_collector_demo")
            calls = env["dunning.call"].search([("company_id", "=", company.id)])
            self.assertEqual(len(calls), 3)
            self.assertEqual(calls.user_id, collector)
            self.assertIn("Nummer niet meer in gebruik.", calls.mapped("note"))
            disputes = env["dunning.dispute"].search([("company_id", "=", company.id)])
            self.assertEqual(len(disputes), 2)
            self.assertEqual(disputes.user_id, collector, "the disputes' owner, not OdooBot")
            self.assertEqual(disputes.note_ids.user_id, collector)
            invoices = env["account.move"].search(
                [("company_id", "=", company.id), ("move_type", "=", "out_invoice")]
            )
            bodies = " ".join(
                env["mail.message"]
                .search(
                    [
                        ("model", "=", "account.move"),
                        ("res_id", "in", invoices.ids),
                        ("message_type", "in", ("comment", "notification")),
                    ]
                )
                .mapped("body")
            )
            self.assertIn("Oproep door Sofie Claes met", bodies)
            self.assertIn("Geboekt met fouten in de klantgegevens", bodies)
            self.assertIn("Geschil DSP/", bodies)
            self.assertIn("Afbetalingsplan ", bodies)
            for english in ("Call by", "Posted with errors", "Dispute DSP/", "Payment plan "):
                self.assertNotIn(english, bodies)
            excluded = invoices.filtered("dunning_excluded")
            self.assertEqual(
                excluded.mapped("dunning_exclusion_reason"),
                ["Gesubsidieerde instelling: betaald door het gewest"],
            )
            garage = env.ref("smart_dunning.partner_demo_garage")
            fleuriste = env.ref("smart_dunning.partner_demo_fleuriste")
            for partner, label in (
                (garage, "Diensten geleverd door onze leden"),
                (fleuriste, "Services prestés par nos membres"),
            ):
                lines = invoices.filtered(lambda m, p=partner: m.partner_id == p).invoice_line_ids
                self.assertEqual(set(lines.mapped("name")), {label})

    def test_the_demo_customer_can_pay_online(self):
        # README: klant pays on /my/dunning; the demo company's provider was disabled, so
        # the page offered no "Pay online"
        with demo_env() as env:
            klant = env.ref("smart_dunning.user_portal_klant_demo")
            letter = env["dunning.letter"].search(
                [("partner_id", "=", klant.commercial_partner_id.id), ("state", "=", "sent")],
                limit=1,
            )
            values = env["dunning.letter"]._portal_values(
                klant.commercial_partner_id, env.ref("smart_dunning.demo_company"), letter
            )
            self.assertTrue(values["can_pay_online"])
            self.assertTrue(values["invoices"])

    def test_the_demo_salesperson_has_a_new_customer_to_call(self):
        # "My Customers to Call" was empty in the demo: its new customer was 14 days late,
        # not yet past the company's 15 days before a call
        with demo_env() as env:
            company = env.ref("smart_dunning.demo_company")
            luc = env.ref("smart_dunning.user_sales_luc_demo")
            newcomer = env.ref("smart_dunning.partner_demo_new_customer")
            # the domain of the menu's action (smart_dunning.dunning_worklist_action_salesperson)
            domain = [("new_customer", "=", True), ("salesperson_id", "=", luc.id)]
            rows = env["dunning.worklist"].with_user(luc).with_company(company).search(domain)
            self.assertEqual(rows.partner_id, newcomer)
            self.assertGreaterEqual(rows.days_overdue, company.dunning_call_after_days)


class TestLetterRunLabel(BelgianDunningCase):
    def test_the_letters_run_is_labelled_as_a_run_not_as_the_verb(self):
        # the letter form said "Lancer" / "Starten" (the Run button's word) for its run
        Letter = self.env["dunning.letter"]
        for lang, label in (("nl_BE", "Aanmaningsronde"), ("fr_BE", "Traitement des rappels")):
            self.env["res.lang"]._activate_lang(lang)
            field = Letter.with_context(lang=lang).fields_get(["run_id"])["run_id"]
            self.assertEqual(field["string"], label)


class TestPromiseNote(BelgianDunningCase):
    def test_a_promise_is_noted_on_its_invoice_as_a_promise(self):
        # the invoice's chatter said "Payment plan PTP/... confirmed" for a promise to pay
        invoice = self.make_invoice(self.customer, 420.0, DUE)
        self.env["res.lang"]._activate_lang("nl_BE")
        action = invoice.with_context(lang="nl_BE").action_dunning_promise()
        wizard = (
            self.env[action["res_model"]]
            .with_context(**action["context"], lang="nl_BE")
            .create({"date_due": d("2026-03-31")})
        )
        with freeze_time("2026-03-20"):
            plan = self.env["dunning.plan"].browse(wizard.action_confirm()["res_id"])
        bodies = " ".join(invoice.message_ids.mapped("body"))
        self.assertIn(f"Betalingsbelofte {plan.name} bevestigd", bodies)
        self.assertNotIn("Afbetalingsplan", bodies)


class TestCallName(BelgianDunningCase):
    def test_a_calls_name_gives_its_day_as_the_reader_writes_it(self):
        # the call's title read "Sophie Lefèvre, 2026-11-29: Verkeerd nummer"
        self.env["res.lang"]._activate_lang("nl_BE")
        self.env.user.tz = "Europe/Brussels"
        call = self.env["dunning.call"].create(
            {
                "partner_id": self.customer.id,
                "outcome": "wrong_number",
                "date": "2026-03-20 23:30:00",  # 00:30 on the 21st in Brussels
            }
        )
        name = call.with_context(lang="nl_BE").display_name
        self.assertEqual(name, "Brouwerij De Kroon, 21/03/2026: Verkeerd nummer")


class TestDatesInNames(BelgianDunningCase):
    def test_rates_and_targets_are_named_with_dates_as_the_reader_writes_them(self):
        # "... from 2026-07-01" and "Anna Wouters, 2026-11" in Dutch and French screens
        for lang in ("nl_BE", "fr_BE"):
            self.env["res.lang"]._activate_lang(lang)
        rate = self.env["dunning.legal.rate"].create(
            {"kind": "be_late_payment", "date_from": "2031-07-01", "rate": 12.0}
        )
        seller = self.make_user("qa_seller", "base.group_user", name="Anna Wouters")
        target = self.env["dunning.sales.target"].create(
            {"user_id": seller.id, "month": "2026-11-01", "amount": 2000.0}
        )
        for lang, month in (("nl_BE", "november 2026"), ("fr_BE", "novembre 2026")):
            self.assertIn("01/07/2031", rate.with_context(lang=lang).display_name)
            self.assertNotIn("2031-07-01", rate.with_context(lang=lang).display_name)
            self.assertEqual(target.with_context(lang=lang).display_name, f"Anna Wouters, {month}")


class TestRateWarningOnlyForClaimedTables(BelgianDunningCase):
    def test_a_letter_waits_for_no_rate_its_policy_does_not_claim(self):
        # the demo (which claims no interest) asked collectors to enter the late-payment
        # interest rate on every letter waiting for approval
        self.b2b_levels[0].needs_approval = True
        self.make_invoice(self.customer, 1000.0, d("2026-05-04"))
        with freeze_time("2026-06-20"):
            letter = self.run_dunning(d("2026-05-11")).letter_ids
            self.assertEqual(letter.state, "to_approve")
            self.assertIn("Belgium: late payment interest", letter.rate_warning)
            self.policy_b2b.claim_interest = False
            self.assertFalse(letter.rate_warning)
