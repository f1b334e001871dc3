"""The customer's side (issue #15): the pay-by-scan code, the link to the customer's page and
what the customer answers there."""

import html
import re
from datetime import timedelta

from markupsafe import escape

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, freeze_time
from odoo.tools import format_amount, format_date
from odoo.tools.translate import get_translation

from .common import BelgianDunningCase

IBAN = "BE68539007547034"


class PortalCase(BelgianDunningCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.name = "Coop Portal"
        cls.bank = cls.env["res.partner.bank"].create(
            {"acc_number": IBAN, "partner_id": cls.company.partner_id.id}
        )
        cls.env["ir.config_parameter"].sudo().set_param("report.url", "http://127.0.0.1:9")
        cls.collector = cls.make_user(
            "portal_collector",
            "base.group_user,smart_dunning.group_dunning_user",
            name="Cora Collector",
        )
        cls.customer.dunning_user_id = cls.collector
        cls.today = fields.Date.context_today(cls.env.user)
        Provider = cls.env["payment.provider"].sudo()
        cls.provider = Provider.search(
            [("code", "=", "demo"), ("company_id", "=", cls.company.id)], limit=1
        ) or cls.env.ref("payment.payment_provider_demo").sudo().copy(
            {"company_id": cls.company.id}
        )
        cls.provider.state = "test"
        # the browser runs today: the rate published for today may not be shipped yet
        last = cls.env["dunning.legal.rate"].search(
            [("kind", "=", "be_late_payment")], order="date_from desc", limit=1
        )
        if last.date_to:
            cls.env["dunning.legal.rate"].create(
                {
                    "kind": "be_late_payment",
                    "date_from": last.date_to + timedelta(days=1),
                    "rate": 10.0,
                }
            )

    def sent_letter(self, partner=None, amounts=(300.0, 500.0)):
        """A sent letter about overdue invoices of ``partner``, with its invoices."""
        partner = partner or self.customer
        invoices = self.env["account.move"]
        for amount in amounts:
            invoices |= self.make_invoice(partner, amount, self.today - timedelta(days=20))
        letter = self.run_dunning(self.today).letter_ids.filtered(
            lambda ltr: ltr.partner_id == partner
        )
        letter.action_send()
        self.assertEqual(letter.state, "sent")
        return letter, invoices

    def link(self, letter):
        return f"/d/{letter.id}/{letter.access_token}"

    def post(self, url, data, files=None):
        self.authenticate(None, None)
        page = self.url_open(url)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        return self.url_open(url + data.pop("_to"), data=dict(data, csrf_token=csrf), files=files)


class TestQrCode(PortalCase):
    def test_qr_payload_has_the_iban_the_total_and_the_structured_communication(self):
        letter, _invoices = self.sent_letter()
        self.assertFalse(letter.qr_code_error)
        lines = letter._dunning_qr_payload().split("\n")
        self.assertEqual(lines[:4], ["BCD", "002", "1", "SCT"])
        self.assertEqual(lines[5], "Coop Portal")
        self.assertEqual(lines[6], IBAN)
        self.assertEqual(lines[7], f"EUR{letter.amount_total}")
        self.assertEqual(letter.amount_due, 800.0)
        self.assertEqual(letter.amount_total, 800.0 + letter.amount_interest + letter.amount_fees)
        digits = re.sub(r"\D", "", letter.payment_reference)
        self.assertEqual(lines[9], digits, "the structured communication, as banks read it")
        # the e-mail links the code from the server, with the link to the customer's page
        self.assertIn("/report/barcode/?barcode_type=QR", letter.letter_html)
        self.assertIn(letter._dunning_portal_link(), letter.letter_html)
        # the PDF carries the code itself, inline
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(letter._report(), letter.ids)[0]
            .decode()
        )
        self.assertIn('class="o_dunning_pay_qr"', html)
        self.assertIn("data:image/png;base64,", html)

    def test_no_code_in_another_currency_and_the_reason_for_the_collector(self):
        usd = self.setup_other_currency("USD")
        self.make_invoice(self.customer, 100.0, self.today - timedelta(days=20), currency=usd)
        letter = self.run_dunning(self.today).letter_ids
        self.assertEqual(letter.currency_id, usd)
        self.assertFalse(letter._dunning_qr_payload())
        self.assertIn("USD", letter.qr_code_error)
        self.assertNotIn("barcode", letter.letter_html)
        self.assertNotIn("USD", letter.letter_html.split("<table")[0])

    def test_no_code_without_an_iban(self):
        self.bank.unlink()
        letter, _invoices = self.sent_letter()
        self.assertIn("IBAN", letter.qr_code_error)
        self.assertNotIn("barcode", letter.letter_html)
        self.assertNotIn("IBAN", re.sub(r"<[^>]+>", "", letter.letter_html.split("<h3")[0]))


class TestCustomerPage(PortalCase):
    def test_the_link_shows_this_customers_invoices_only(self):
        letter, invoices = self.sent_letter()
        other = self.make_partner("Other Customer")
        other_letter, other_invoices = self.sent_letter(other, amounts=(999.0,))
        page = self.url_open(self.link(letter))
        self.assertEqual(page.status_code, 200)
        for invoice in invoices:
            self.assertIn(invoice.name, page.text)
        self.assertNotIn(other_invoices.name, page.text)
        self.assertIn("data:image/png;base64", page.text, "the QR code")
        # another customer's invoice through this link: not found
        response = self.url_open(f"{self.link(letter)}/invoice/{other_invoices.id}")
        self.assertEqual(response.status_code, 404)
        response = self.url_open(f"{self.link(letter)}/invoice/{invoices[0].id}")
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        self.assertEqual(self.url_open(f"/d/{letter.id}/wrongtoken").status_code, 404)
        self.assertEqual(
            self.url_open(f"/d/{other_letter.id}/{letter.access_token}").status_code, 404
        )

    def test_letters_made_by_the_run_carry_their_link(self):
        # The run inserts its letters with COPY, not create(): the token must go in with them.
        # A paper letter is the case to check: an e-mail would make a token when it notifies.
        self.env["dunning.level"].search([]).write({"channel": "letter"})
        letter, _invoices = self.sent_letter()
        self.assertEqual(letter.channel, "letter")
        self.env.cr.execute("SELECT access_token FROM dunning_letter WHERE id = %s", [letter.id])
        self.assertTrue(self.env.cr.fetchone()[0])
        self.assertIn(f"/d/{letter.id}/", letter._dunning_portal_link())
        self.assertEqual(self.url_open(self.link(letter)).status_code, 200)

    def test_the_page_is_in_the_customers_language(self):
        letter, _invoices = self.sent_letter()
        page = self.url_open(self.link(letter))
        self.assertIn("Ik betwist een factuur", page.text)
        fr = self.make_partner("Client Wallon", lang="fr_BE")
        letter_fr, _invoices = self.sent_letter(fr)
        self.assertIn("Je conteste une facture", self.url_open(self.link(letter_fr)).text)
        # validation messages in the customer's language
        refused = self.post(self.link(letter_fr), {"_to": "/dispute", "comment": "x"})
        self.assertIn("Choisissez au moins une facture.", refused.text)
        refused = self.post(
            self.link(letter), {"_to": "/paid", "date": "2999-01-01", "amount": "1"}
        )
        self.assertIn("De datum kan niet in de toekomst liggen.", refused.text)

    def test_cancelled_or_superseded_letter_link_stops_working(self):
        letter, _invoices = self.sent_letter()
        old_link = self.link(letter)
        self.assertEqual(self.url_open(old_link).status_code, 200)
        # a later letter supersedes it
        newer = self.env["dunning.letter"].create(
            {
                "partner_id": self.customer.id,
                "company_id": self.company.id,
                "currency_id": self.company.currency_id.id,
                "policy_id": letter.policy_id.id,
                "level_id": letter.level_id.id,
                "channel": "email",
            }
        )
        draft_link = self.link(newer)
        self.assertEqual(self.url_open(draft_link).status_code, 404, "not sent yet")
        newer.write({"state": "sent"})
        self.assertEqual(self.url_open(old_link).status_code, 404)
        self.assertEqual(self.url_open(draft_link).status_code, 200)
        cancelled = self.env["dunning.letter"].create(
            {
                "partner_id": self.customer.id,
                "company_id": self.company.id,
                "currency_id": self.company.currency_id.id,
                "policy_id": letter.policy_id.id,
                "level_id": letter.level_id.id,
                "channel": "email",
            }
        )
        cancelled.action_cancel()
        self.assertFalse(cancelled.access_token)

    def test_page_queries_do_not_grow_with_the_invoices(self):
        letter, _invoices = self.sent_letter(amounts=(100.0,))
        Letter = self.env["dunning.letter"].with_user(self.env.ref("base.public_user"))

        def count():
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            Letter._portal_values(self.customer, self.company, letter)
            return self.env.cr.sql_log_count - before

        count()  # the user and the company in the cache, as on any page
        one = count()
        for _i in range(19):
            self.make_invoice(self.customer, 50.0, self.today - timedelta(days=3))
        count()
        self.assertEqual(count(), one)


class TestAnswers(PortalCase):
    def test_dispute_pauses_the_invoice_and_tells_the_collector(self):
        letter, invoices = self.sent_letter()
        reason = self.env.ref("smart_dunning.dunning_dispute_reason_not_received")
        data = {
            "_to": "/dispute",
            "move_ids": str(invoices[0].id),
            "reason_id": str(reason.id),
            "comment": "Nooit ontvangen",
        }
        response = self.post(
            self.link(letter), dict(data), files={"attachment": ("bon.txt", b"proof")}
        )
        self.assertEqual(response.status_code, 200)
        dispute = self.env["dunning.dispute"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(
            (dispute.move_ids, dispute.reason_id, dispute.state), (invoices[0], reason, "open")
        )
        self.assertEqual(invoices[0]._dunning_is_paused(self.today), invoices[0])
        self.assertEqual(dispute.activity_ids.user_id, self.collector)
        self.assertTrue(
            self.env["ir.attachment"].search_count(
                [("res_model", "=", "dunning.dispute"), ("res_id", "=", dispute.id)]
            )
        )
        # a second dispute on the same invoice: refused in Dutch, nothing created, input kept
        response = self.post(self.link(letter), dict(data))
        self.assertIn("wordt al betwist", response.text)
        self.assertIn("Nooit ontvangen", response.text)
        self.assertEqual(
            self.env["dunning.dispute"].search_count([("partner_id", "=", self.customer.id)]), 1
        )

    def test_promise_within_the_policy_maximum(self):
        letter, invoices = self.sent_letter()
        too_late = self.today + timedelta(days=self.policy_b2b.portal_promise_max_days + 1)
        data = {"_to": "/promise", "move_ids": str(invoices[0].id), "date": str(too_late)}
        response = self.post(self.link(letter), dict(data))
        self.assertIn("We kunnen een belofte aanvaarden tot uiterlijk", response.text)
        self.assertFalse(self.env["dunning.plan"].search([("partner_id", "=", self.customer.id)]))
        past = dict(data, date=str(self.today - timedelta(days=1)))
        self.assertIn("verleden", self.post(self.link(letter), past).text)
        ok = dict(data, date=str(self.today + timedelta(days=10)))
        self.post(self.link(letter), ok)
        plan = self.env["dunning.plan"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual((plan.kind, plan.state, plan.amount_total), ("promise", "active", 300.0))
        self.assertEqual(invoices[0]._dunning_is_paused(self.today), invoices[0])

    def test_plan_within_limits_is_accepted_beyond_goes_to_the_collector(self):
        letter, invoices = self.sent_letter()
        first = str(self.today + timedelta(days=5))
        data = {"_to": "/plan", "move_ids": str(invoices[0].id), "count": "3", "date": first}
        preview = self.post(self.link(letter), dict(data))
        self.assertIn("o_dunning_schedule", preview.text)
        self.assertFalse(self.env["dunning.plan"].search([("partner_id", "=", self.customer.id)]))
        self.post(self.link(letter), dict(data, confirm="1"))
        plan = self.env["dunning.plan"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(plan.state, "active")
        self.assertEqual(plan.line_ids.mapped("amount"), [100.0, 100.0, 100.0])
        # 12 instalments of the other invoice: more than the policy allows
        data.update(move_ids=str(invoices[1].id), count="12", confirm="1")
        self.post(self.link(letter), data)
        plan2 = self.env["dunning.plan"].search([("move_ids", "=", invoices[1].id)])
        self.assertEqual(plan2.state, "draft")
        self.assertEqual(plan2.activity_ids.user_id, self.collector)
        self.assertEqual(invoices[1]._dunning_is_paused(self.today), invoices[1])

    def test_already_paid_holds_the_letters(self):
        letter, invoices = self.sent_letter()
        data = {"_to": "/paid", "date": str(self.today), "amount": "5000"}
        self.assertIn("meer dan", self.post(self.link(letter), dict(data)).text)
        self.assertFalse(invoices.filtered("dunning_pause_until"))
        self.post(self.link(letter), dict(data, amount="800,00"))
        hold = self.today + timedelta(days=self.company.dunning_paid_hold_days)
        self.assertEqual(set(invoices.mapped("dunning_pause_until")), {hold})
        self.assertEqual(self.customer.activity_ids.user_id, self.collector)

    def test_a_french_customers_payment_is_noted_for_the_staff_in_the_companys_language(self):
        customer = self.make_partner("Boucherie Wallonne", lang="fr_BE")
        letter, _invoices = self.sent_letter(customer)
        data = {"_to": "/paid", "date": str(self.today), "amount": "800,00"}
        self.post(self.link(letter), data)
        staff_lang = self.company._dunning_lang()
        self.assertNotEqual(staff_lang, "fr_BE")
        hold = self.today + timedelta(days=self.company.dunning_paid_hold_days)
        staff_env = self.env(context=dict(self.env.context, lang=staff_lang))
        expected = get_translation(
            "smart_dunning",
            staff_lang,
            "The customer says it paid %(amount)s on %(date)s: letters are held until "
            "%(hold)s, match the payment.",
            {
                "amount": format_amount(staff_env, 800.0, self.company.currency_id),
                "date": format_date(staff_env, self.today),
                "hold": format_date(staff_env, hold),
            },
        )
        notes = customer.message_ids.filtered(lambda m: m.subtype_id.internal).mapped("body")
        self.assertIn(expected, [html.unescape(re.sub(r"<[^>]+>", "", str(b))) for b in notes])


class TestValidationMessages(PortalCase):
    def test_every_refused_answer_says_why_in_dutch_and_in_french(self):
        """Each invalid input, posted over HTTP through the letter's link, shows its message
        in the customer's language (as the .po files translate it) and creates nothing."""
        self.env["res.lang"]._activate_lang("fr_BE")
        self.policy_b2b.portal_plan_min_amount = 60.0
        policy = self.policy_b2b
        stranger = self.make_partner("Stranger Customer")
        stranger_invoice = self.make_invoice(stranger, 999.0, self.today - timedelta(days=3))
        reason = self.env.ref("smart_dunning.dunning_dispute_reason_not_received")
        for lang, customer in (
            ("nl_BE", self.customer),
            ("fr_BE", self.make_partner("Client Wallon", lang="fr_BE")),
        ):
            env = self.env(context=dict(self.env.context, lang=lang))
            eur = self.company.currency_id

            def tr(source, lang=lang, **args):
                text = get_translation("smart_dunning", lang, source, args)
                self.assertNotEqual(text, source % args, f"not translated in {lang}: {source}")
                return text

            letter, invoices = self.sent_letter(customer)
            first, second = (str(invoice.id) for invoice in invoices)
            promise_limit = self.today + timedelta(days=policy.portal_promise_max_days)
            in_a_week = str(self.today + timedelta(days=7))
            dispute = {"_to": "/dispute", "reason_id": str(reason.id), "comment": "Kapot"}
            cases = [
                (
                    {"_to": "/promise", "move_ids": first, "date": str(self.today - timedelta(1))},
                    tr("The date cannot be in the past."),
                ),
                (
                    {
                        "_to": "/promise",
                        "move_ids": first,
                        "date": str(promise_limit + timedelta(days=1)),
                    },
                    tr(
                        "We can accept a promise up to %(date)s at the latest; for a later "
                        "date, ask for a payment plan.",
                        date=format_date(env, promise_limit),
                    ),
                ),
                (
                    {"_to": "/promise", "move_ids": first, "date": "31/12/2099"},
                    tr("Enter a valid date."),
                ),
                (
                    {"_to": "/paid", "date": str(self.today), "amount": "800,01"},
                    tr(
                        "The amount is more than the %(due)s you owe: check the amount.",
                        due=format_amount(env, 800.0, eur),
                    ),
                ),
                (
                    {"_to": "/paid", "date": str(self.today), "amount": "0"},
                    tr("The amount must be more than zero."),
                ),
                (
                    {"_to": "/paid", "date": str(self.today), "amount": "achthonderd"},
                    tr("Enter a valid amount."),
                ),
                # a float for Python, not an amount: it used to pass as "more than you owe"
                (
                    {"_to": "/paid", "date": str(self.today), "amount": "nan"},
                    tr("Enter a valid amount."),
                ),
                (
                    {"_to": "/paid", "date": "gisteren", "amount": "100"},
                    tr("Enter a valid date."),
                ),
                # a plan beyond the limits: the schedule says why before the customer confirms
                (
                    {"_to": "/plan", "move_ids": second, "count": "12", "date": in_a_week},
                    tr("more than %(count)s instalments", count=policy.portal_plan_max_count),
                ),
                (
                    {
                        "_to": "/plan",
                        "move_ids": second,
                        "count": "3",
                        "date": str(self.today + timedelta(days=160)),
                    },
                    tr("longer than %(months)s months", months=policy.portal_plan_max_months),
                ),
                (
                    {"_to": "/plan", "move_ids": first, "count": "6", "date": in_a_week},
                    tr(
                        "instalments under %(amount)s",
                        amount=format_amount(env, 60.0, eur),
                    ),
                ),
                (
                    {"_to": "/plan", "move_ids": second, "count": "61", "date": in_a_week},
                    tr("Choose between 2 and 60 instalments."),
                ),
                (
                    dict(dispute, move_ids=str(stranger_invoice.id)),
                    tr("One of the invoices chosen is not open any more."),
                ),
                (dict(dispute), tr("Choose at least one invoice.")),
                (
                    dict(dispute, move_ids=first, reason_id=""),
                    tr("Choose why you dispute the invoice."),
                ),
                (
                    dict(dispute, move_ids=first, comment=" "),
                    tr("Tell us in a few words what is wrong."),
                ),
            ]
            for data, message in cases:
                self.assert_refused(letter, customer, data, message)
            # a second dispute on an invoice already disputed
            self.post(self.link(letter), dict(dispute, move_ids=second))
            self.assertEqual(
                self.env["dunning.dispute"].search_count([("partner_id", "=", customer.id)]), 1
            )
            self.assert_refused(
                letter,
                customer,
                dict(dispute, move_ids=second),
                tr(
                    "%(invoices)s is already disputed: we are looking into it.",
                    invoices=invoices[1].name,
                ),
            )
            # the day's answers through one link are spent: even a valid one is refused
            letter.sudo().write(
                {"portal_submission_date": self.today, "portal_submission_count": 20}
            )
            self.assert_refused(
                letter,
                customer,
                {"_to": "/promise", "move_ids": first, "date": in_a_week},
                tr("Too many answers through this link today: please try again tomorrow."),
                reset_rate=False,
            )

    def test_amounts_are_read_as_customers_type_them(self):
        Letter = self.env["dunning.letter"]
        eur = self.company.currency_id
        for typed in ("1.234,56", "1,234.56", "1 234,56", "1234.56", " 1234,56 "):
            self.assertEqual(Letter._portal_parse_amount(typed, eur), 1234.56, typed)
        for typed in ("nan", "inf", "-inf", "", "12,34,5x"):
            with self.assertRaisesRegex(UserError, "Enter a valid amount"):
                Letter._portal_parse_amount(typed, eur)

    def assert_refused(self, letter, customer, data, message, reset_rate=True):
        def made():
            self.env.invalidate_all()
            return (
                self.env["dunning.dispute"].search_count([("partner_id", "=", customer.id)]),
                self.env["dunning.plan"].search_count([("partner_id", "=", customer.id)]),
                self.env["mail.activity"].search_count([]),
                self.env["account.move"].search_count(
                    [("partner_id", "=", customer.id), ("dunning_pause_until", "!=", False)]
                ),
            )

        if reset_rate:
            # every case counts against the link's daily limit: start each from zero
            letter.sudo().portal_submission_count = 0
        before = made()
        response = self.post(self.link(letter), dict(data))
        self.assertEqual(response.status_code, 200)
        self.assertIn(str(escape(message)), response.text, f"{data} in {letter.report_lang}")
        self.assertEqual(made(), before, f"{data} made a record")


class TestPortalTour(PortalCase):
    def tour_customer(self):
        """A customer with three overdue invoices and a sent letter, and another customer
        reminded at the same time (what the next run does to a customer who did not answer)."""
        control = self.make_partner("Portal Tour Control")
        self.sent_letter(control, amounts=(300.0,))
        customer = self.make_partner("Portal Tour Klant", lang="en_US")
        customer.dunning_user_id = self.collector
        letter, invoices = self.sent_letter(customer, amounts=(300.0, 600.0, 1200.0))
        return customer, control, letter, invoices

    def assert_answers_recorded(self, customer, control, invoices):
        """What the tour's answers left in the database: the dispute, the accepted plan,
        the plan waiting for the collector, every invoice paused, no letter next run."""
        dispute = self.env["dunning.dispute"].search([("partner_id", "=", customer.id)])
        self.assertEqual((dispute.move_ids, dispute.state), (invoices[0], "open"))
        self.assertEqual(dispute.activity_ids.user_id, self.collector)
        plans = self.env["dunning.plan"].search(
            [("partner_id", "=", customer.id)], order="amount_total"
        )
        self.assertEqual(len(plans), 2)
        accepted, to_approve = plans
        self.assertEqual((accepted.move_ids, accepted.state), (invoices[1], "active"))
        self.assertEqual(accepted.line_ids.mapped("amount"), [200.0, 200.0, 200.0])
        self.assertEqual((to_approve.move_ids, to_approve.state), (invoices[2], "draft"))
        self.assertEqual(to_approve.line_ids.mapped("amount"), [100.0] * 12)
        activity = to_approve.activity_ids
        self.assertEqual(activity.user_id, self.collector)
        # the customer answered in English; the collector reads Dutch, their language
        self.assertIn("buiten het beleid, goed te keuren", activity.summary)
        self.env.invalidate_all()
        self.assertEqual(invoices.mapped("dunning_state"), ["paused"] * 3)
        # Two weeks on, the second level is due (the last day the plan to approve pauses):
        # the customer who did not answer gets a letter, the one who answered none.
        later = self.today + timedelta(days=14)
        with freeze_time(later):
            run = self.run_dunning(later)
        self.assertIn(control, run.letter_ids.partner_id)
        self.assertNotIn(customer, run.letter_ids.partner_id)

    def test_customer_disputes_and_agrees_a_plan_in_the_browser(self):
        customer, control, letter, invoices = self.tour_customer()
        self.start_tour(self.link(letter), "smart_dunning_portal_answers")
        self.assert_answers_recorded(customer, control, invoices)

    def test_portal_user_answers_from_the_portal_home(self):
        customer, control, _letter, invoices = self.tour_customer()
        contact = self.env["res.partner"].create(
            {"name": "Tess Bookkeeper", "parent_id": customer.id, "lang": "en_US"}
        )
        self.make_user("portal_tour", "base.group_portal", partner_id=contact.id, lang="en_US")
        self.start_tour("/my", "smart_dunning_portal_user_answers", login="portal_tour")
        self.assert_answers_recorded(customer, control, invoices)


class TestPortalPhone(PortalCase):
    browser_size = "375x667"

    def test_the_page_fits_a_phone(self):
        letter, _invoices = self.sent_letter(amounts=(300.0, 500.0, 12345.67))
        self.start_tour(self.link(letter), "smart_dunning_portal_phone")


class TestPayOnline(PortalCase):
    def test_paid_online_invoice_is_reconciled_and_dunning_stops(self):
        letter, invoices = self.sent_letter()
        invoice = invoices[0]
        # the page sends the customer to Odoo's own payment page of the invoice
        response = self.url_open(f"{self.link(letter)}/pay/{invoice.id}", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertIn(f"/my/invoices/{invoice.id}?access_token=", response.headers["Location"])
        if not self.provider.journal_id:
            self.provider.journal_id = self.company_data["default_journal_bank"]
        tx = (
            self.env["payment.transaction"]
            .sudo()
            .create(
                {
                    "provider_id": self.provider.id,
                    "payment_method_id": self.provider.payment_method_ids[:1].id,
                    "amount": invoice.amount_residual,
                    "currency_id": invoice.currency_id.id,
                    "partner_id": self.customer.id,
                    "reference": f"PORTAL-{invoice.id}",
                    "operation": "online_redirect",
                    "invoice_ids": [(6, 0, invoice.ids)],
                }
            )
        )
        tx._set_done()
        tx._post_process()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(invoice.dunning_state, "paid")
        page = self.url_open(self.link(letter)).text
        open_table = page.split("o_dunning_invoices")[1].split("</table>")[0]
        self.assertNotIn(invoice.name, open_table)
        self.assertIn(invoices[1].name, open_table)


class TestPortalUser(PortalCase):
    def test_portal_user_sees_its_company_under_my(self):
        letter, invoices = self.sent_letter()
        other = self.make_partner("Other Portal Customer")
        _other_letter, other_invoices = self.sent_letter(other, amounts=(999.0,))
        contact = self.env["res.partner"].create(
            {"name": "Jan Boekhouder", "parent_id": self.customer.id, "lang": "nl_BE"}
        )
        self.make_user("portal_klant", "base.group_portal", partner_id=contact.id, lang="nl_BE")
        paid_up = self.make_partner("Paid Up Customer")
        self.make_user("portal_paid_up", "base.group_portal", partner_id=paid_up.id)
        # the portal home leads to the page only for a customer with open invoices
        self.authenticate("portal_paid_up", "portal_paid_up")
        self.assertNotIn('href="/my/dunning"', self.url_open("/my").text)
        self.authenticate("portal_klant", "portal_klant")
        home = self.url_open("/my").text
        self.assertIn('href="/my/dunning"', home)
        self.assertIn("Openstaande facturen en herinneringen", home)
        page = self.url_open("/my/dunning")
        self.assertEqual(page.status_code, 200)
        for invoice in invoices:
            self.assertIn(invoice.name, page.text)
        self.assertNotIn(other_invoices.name, page.text)
        self.assertIn("Ik betwist een factuur", page.text)
        self.assertEqual(self.url_open(f"/my/dunning/invoice/{other_invoices.id}").status_code, 404)
        self.assertEqual(
            self.url_open(f"/my/dunning/letter/{letter.id}").headers["Content-Type"],
            "application/pdf",
        )
