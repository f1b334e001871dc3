"""The dunning engine: which invoice gets which letter on which date."""

from datetime import timedelta

from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time

from .common import DunningCase, d

DUE = d("2026-03-02")  # a Monday


class TestSchedule(DunningCase):
    """Due date, grace period and level delays, on the day before, of and after."""

    def test_first_level_on_the_day_its_delay_is_reached(self):
        # B2B: 3 grace days, first level 7 days after the due date -> 9 March.
        level_1 = self.b2b_levels[0]
        self.assertEqual((self.policy_b2b.grace_days, level_1.delay_days), (3, 7))
        invoice = self.make_invoice(self.customer, 1000.0, DUE)
        self.assertEqual(invoice.dunning_next_date, d("2026-03-09"))
        self.assertEqual(invoice.dunning_next_level_id, level_1)

        self.run_dunning(d("2026-03-08"))
        self.assertFalse(invoice.dunning_level_id, "one day early: nothing goes out")
        run = self.run_dunning(d("2026-03-09"))
        self.assertEqual(invoice.dunning_level_id, level_1)
        self.assertFalse(invoice.dunning_date, "the letter has not gone out yet")
        run.letter_ids._dunning_send(sent_date=d("2026-03-09"))
        self.assertEqual(invoice.dunning_date, d("2026-03-09"))
        self.assertEqual(run.letter_ids.move_ids, invoice)
        self.assertEqual(run.letter_ids.amount_due, 1000.0)

    def test_day_after_is_caught_up(self):
        invoice = self.make_invoice(self.customer, 500.0, DUE)
        self.run_dunning(d("2026-03-10"))
        self.assertEqual(invoice.dunning_level_id, self.b2b_levels[0])

    def test_grace_period_holds_back_a_short_first_delay(self):
        # A first level at 1 day is held back until the 3 grace days have passed.
        self.b2b_levels[0].delay_days = 1
        invoice = self.make_invoice(self.customer, 500.0, DUE)
        self.assertEqual(invoice.dunning_next_date, d("2026-03-06"))
        with freeze_time("2026-03-05"):
            invoice.invalidate_recordset(["dunning_state"])
            self.assertEqual(invoice.dunning_state, "grace")
        self.run_dunning(d("2026-03-05"))
        self.assertFalse(invoice.dunning_level_id, "last day of grace: nothing goes out")
        self.run_dunning(d("2026-03-06"))
        self.assertEqual(invoice.dunning_level_id, self.b2b_levels[0])

    def test_dunning_state_follows_the_calendar(self):
        invoice = self.make_invoice(self.customer, 500.0, DUE)
        for today, state in [
            ("2026-03-02", "not_due"),
            ("2026-03-03", "grace"),
            ("2026-03-05", "grace"),
            ("2026-03-06", "overdue"),
        ]:
            with freeze_time(today):
                invoice.invalidate_recordset(["dunning_state"])
                self.assertEqual(invoice.dunning_state, state, today)
                found = self.env["account.move"].search([("dunning_state", "in", [state])])
                self.assertIn(invoice, found, today)
        self.run_dunning(d("2026-03-09"))
        with freeze_time("2026-03-10"):
            invoice.invalidate_recordset(["dunning_state"])
            self.assertEqual(invoice.dunning_state, "dunned")

    def test_one_level_per_run_then_the_gap_between_levels(self):
        # 100 days late on the first run: level 1 only; level 2 follows 14 days later
        # (21 - 7), never on the next day.
        invoice = self.make_invoice(self.customer, 800.0, DUE)
        first = DUE + timedelta(days=100)
        self.run_dunning(first).letter_ids._dunning_send(sent_date=first)
        self.assertEqual(invoice.dunning_level_id, self.b2b_levels[0])
        self.run_dunning(first + timedelta(days=13))
        self.assertEqual(invoice.dunning_level_id, self.b2b_levels[0])
        self.run_dunning(first + timedelta(days=14))
        self.assertEqual(invoice.dunning_level_id, self.b2b_levels[1])

    def test_letter_waiting_for_approval_holds_the_next_level(self):
        # A customer never gets the second reminder before the first one went out.
        self.b2b_levels[0].needs_approval = True
        invoice = self.make_invoice(self.customer, 800.0, DUE)
        first = self.run_dunning(d("2026-03-09")).letter_ids
        self.assertEqual(first.state, "to_approve")
        self.assertFalse(self.run_dunning(d("2026-03-30")).letter_ids)
        with freeze_time("2026-03-31"):
            first.action_send()
        self.assertEqual(invoice.dunning_date, d("2026-03-31"))
        # Level 2 comes 14 days (21 - 7) after the day level 1 went out.
        self.assertEqual(invoice.dunning_next_date, d("2026-04-14"))
        self.assertFalse(self.run_dunning(d("2026-04-13")).letter_ids)
        self.assertEqual(self.run_dunning(d("2026-04-14")).letter_ids.level_id, self.b2b_levels[1])

    def test_levels_follow_each_other_to_judicial(self):
        invoice = self.make_invoice(self.customer, 900.0, DUE)
        for level in self.b2b_levels:
            day = DUE + timedelta(days=level.delay_days)
            letters = self.run_dunning(day).letter_ids
            self.assertEqual(invoice.dunning_level_id, level)
            letters._dunning_send(sent_date=day)
        letters = invoice.dunning_letter_ids
        self.assertEqual(letters.level_id, self.b2b_levels)
        self.assertEqual(len(letters), 4, "an invoice never gets the same level twice")
        self.assertFalse(invoice.dunning_next_date, "after the last level there is no next one")

    def test_same_date_twice_creates_nothing_new(self):
        self.make_invoice(self.customer, 300.0, DUE)
        first = self.run_dunning(d("2026-03-09"))
        second = self.run_dunning(d("2026-03-09"))
        self.assertEqual(first.letter_count, 1)
        self.assertEqual(second.letter_count, 0)
        self.assertEqual(second.state, "done")

    def test_done_run_cannot_run_again(self):
        run = self.run_dunning(d("2026-03-09"))
        with self.assertRaises(UserError):
            run.action_run()


class TestWhoIsDunned(DunningCase):
    def test_paid_invoice_is_never_dunned(self):
        invoice = self.make_invoice(self.customer, 400.0, DUE)
        self.pay(invoice, 400.0, d("2026-03-08"))
        run = self.run_dunning(d("2026-03-09"))
        self.assertFalse(run.letter_ids)
        self.assertEqual(invoice.dunning_state, "paid")

    def test_partly_paid_invoice_shows_its_residual(self):
        invoice = self.make_invoice(self.customer, 400.0, DUE)
        self.pay(invoice, 150.0, d("2026-03-05"))
        run = self.run_dunning(d("2026-03-09"))
        self.assertEqual(run.letter_ids.line_ids.amount_total, 400.0)
        self.assertEqual(run.letter_ids.line_ids.amount_residual, 250.0)
        self.assertEqual(run.letter_ids.amount_due, 250.0)

    def test_open_credit_note_is_listed_and_deducted(self):
        invoice = self.make_invoice(self.customer, 1000.0, DUE)
        credit = self.make_invoice(self.customer, 120.0, DUE, move_type="out_refund")
        run = self.run_dunning(d("2026-03-09"))
        letter = run.letter_ids
        self.assertEqual(letter.move_ids, invoice)
        self.assertEqual(letter.credit_move_ids, credit)
        self.assertEqual(
            (letter.amount_overdue, letter.amount_credit, letter.amount_due), (1000.0, 120.0, 880.0)
        )

    def test_invoices_of_one_customer_and_level_share_one_letter(self):
        first = self.make_invoice(self.customer, 100.0, DUE)
        second = self.make_invoice(self.customer, 200.0, DUE - timedelta(days=2))
        other = self.make_invoice(self.make_partner("Other NV"), 50.0, DUE)
        run = self.run_dunning(d("2026-03-09"))
        self.assertEqual(len(run.letter_ids), 2)
        letter = run.letter_ids.filtered(lambda ltr: ltr.partner_id == self.customer)
        self.assertEqual(letter.move_ids, first | second)
        self.assertEqual(letter.amount_due, 300.0)
        self.assertEqual(run.invoice_count, 3)
        self.assertTrue(other.dunning_level_id)

    def test_excluded_invoice_and_excluded_customer_are_skipped(self):
        excluded = self.make_invoice(self.customer, 100.0, DUE)
        excluded.write({"dunning_excluded": True, "dunning_exclusion_reason": "Agreed with sales"})
        other = self.make_partner(
            "Excluded BV", dunning_excluded=True, dunning_exclusion_reason="Public body"
        )
        other_invoice = self.make_invoice(other, 100.0, DUE)
        run = self.run_dunning(d("2026-03-20"))
        self.assertFalse(run.letter_ids)
        self.assertEqual(excluded.dunning_state, "excluded")
        self.assertEqual(other_invoice.dunning_state, "excluded")

    def test_pause_until_date(self):
        invoice = self.make_invoice(self.customer, 100.0, DUE)
        invoice.dunning_pause_until = d("2026-03-15")
        run = self.run_dunning(d("2026-03-09"))
        self.assertFalse(run.letter_ids)
        self.assertEqual(run.paused_count, 1)
        self.assertEqual(invoice._dunning_is_paused(d("2026-03-15")), invoice)
        with freeze_time("2026-03-15"):
            invoice.invalidate_recordset(["dunning_state"])
            self.assertEqual(invoice.dunning_state, "paused")
        self.assertFalse(invoice._dunning_is_paused(d("2026-03-16")))
        run = self.run_dunning(d("2026-03-16"))
        self.assertEqual(run.letter_ids.move_ids, invoice)

    def test_minimum_amount_per_level(self):
        self.b2b_levels[0].min_amount = 50.0
        small = self.make_invoice(self.customer, 49.99, DUE)
        run = self.run_dunning(d("2026-03-09"))
        self.assertFalse(run.letter_ids)
        self.assertEqual(run.min_amount_count, 1)
        self.make_invoice(self.customer, 0.01, DUE)
        run = self.run_dunning(d("2026-03-10"))
        self.assertEqual(run.letter_ids.amount_due, 50.0)
        self.assertEqual(small.dunning_level_id, self.b2b_levels[0])

    def test_vendor_bills_and_drafts_are_ignored(self):
        self.make_invoice(self.customer, 100.0, DUE, post=False)
        self.make_invoice(self.customer, 100.0, DUE, move_type="in_invoice")
        run = self.run_dunning(d("2026-03-20"))
        self.assertFalse(run.letter_ids)

    def test_consumer_gets_the_consumer_policy(self):
        consumer = self.make_partner("Jan Peeters", is_company=False, lang="nl_BE")
        self.assertEqual(consumer.dunning_customer_kind, "b2c")
        invoice = self.make_invoice(consumer, 100.0, DUE)
        self.assertEqual(invoice.dunning_policy_id, self.policy_b2c)
        # B2C: 5 grace days, first level at 7 days.
        self.run_dunning(d("2026-03-08"))
        self.assertFalse(invoice.dunning_level_id)
        self.run_dunning(d("2026-03-09"))
        self.assertEqual(invoice.dunning_level_id, self.b2c_levels[0])

    def test_partner_policy_overrides_the_default(self):
        strict = self.policy_b2b.copy({"name": "Strict"})
        strict.level_ids.sorted("sequence")[0].delay_days = 1
        strict.grace_days = 0
        self.customer.dunning_policy_id = strict
        invoice = self.make_invoice(self.customer, 100.0, DUE)
        self.assertEqual(invoice.dunning_policy_id, strict)
        self.run_dunning(d("2026-03-03"))
        self.assertEqual(invoice.dunning_level_id.policy_id, strict)

    def test_partner_level_is_the_highest_over_open_invoices(self):
        old = self.make_invoice(self.customer, 100.0, DUE - timedelta(days=30))
        new = self.make_invoice(self.customer, 100.0, DUE + timedelta(days=7))
        self.run_dunning(d("2026-03-09")).letter_ids._dunning_send(sent_date=d("2026-03-09"))
        self.assertEqual(old.dunning_level_id, self.b2b_levels[0])
        self.run_dunning(d("2026-03-23"))
        self.assertEqual(old.dunning_level_id, self.b2b_levels[1])
        self.assertEqual(new.dunning_level_id, self.b2b_levels[0])
        self.assertEqual(self.customer.dunning_level_id, self.b2b_levels[1])
        self.pay(old, 100.0, d("2026-03-24"))
        self.assertEqual(self.customer.dunning_level_id, self.b2b_levels[0])


class TestPaymentDays(DunningCase):
    """A customer who pays on the 25th gets no reminder in the 3 days before."""

    def test_window_before_the_payment_day(self):
        self.customer.payment_days = "25"
        invoice = self.make_invoice(self.customer, 100.0, d("2026-03-10"))
        # Level 1 is due on 17 March; the window runs 22-25 March.
        for day, sent in [("2026-03-21", True)]:
            run = self.run_dunning(d(day))
            self.assertEqual(bool(run.letter_ids), sent, day)
        self.assertEqual(invoice.dunning_level_id, self.b2b_levels[0])

    def test_no_letter_inside_the_window(self):
        self.customer.payment_days = "25"
        self.make_invoice(self.customer, 100.0, d("2026-03-10"))
        for day in ("2026-03-22", "2026-03-24", "2026-03-25"):
            run = self.run_dunning(d(day))
            self.assertFalse(run.letter_ids, day)
            self.assertEqual(run.payment_window_count, 1, day)
        run = self.run_dunning(d("2026-03-26"))
        self.assertEqual(len(run.letter_ids), 1, "the day after the payment day")

    def test_end_of_month(self):
        self.customer.payment_days = "end"
        self.make_invoice(self.customer, 100.0, d("2026-04-10"))
        self.assertFalse(self.run_dunning(d("2026-04-27")).letter_ids)
        self.assertFalse(self.run_dunning(d("2026-04-30")).letter_ids)
        self.assertEqual(len(self.run_dunning(d("2026-05-01")).letter_ids), 1)

    def test_bad_payment_days_are_refused(self):
        from odoo.exceptions import ValidationError

        for value in ("32", "25th", "0"):
            with self.assertRaises(ValidationError):
                self.customer.payment_days = value
        self.customer.payment_days = "10, 25"
        self.assertEqual(self.customer.payment_days, "10, 25")


class TestNewCustomer(DunningCase):
    def test_salesperson_is_asked_before_the_first_reminder(self):
        salesperson = self.make_user("sales_nc", "base.group_user")
        newcomer = self.make_partner("Nieuwe Klant BV", user_id=salesperson.id)
        self.make_invoice(newcomer, 100.0, DUE, invoice_date=DUE - timedelta(days=30))
        run = self.run_dunning(d("2026-03-09"))
        letter = run.letter_ids
        self.assertEqual(letter.state, "to_approve")
        self.assertEqual(letter.approval_reason, "new_customer")
        self.assertEqual(letter.activity_ids.user_id, salesperson)
        self.assertEqual(run.new_customer_count, 1)

    def test_established_customer_gets_the_letter_directly(self):
        salesperson = self.make_user("sales_old", "base.group_user")
        regular = self.make_partner("Vaste Klant NV", user_id=salesperson.id)
        self.make_invoice(regular, 100.0, d("2025-10-01"), invoice_date=d("2025-09-01"))
        self.pay(regular.invoice_ids, 100.0, d("2025-10-01"))
        self.make_invoice(regular, 100.0, DUE)
        letter = self.run_dunning(d("2026-03-09")).letter_ids
        self.assertEqual(letter.state, "draft")
        self.assertFalse(letter.activity_ids)

    def test_only_levels_configured_to_ask(self):
        salesperson = self.make_user("sales_lvl", "base.group_user")
        newcomer = self.make_partner("Starter BV", user_id=salesperson.id)
        self.b2b_levels[0].ask_salesperson_new_customer = False
        self.make_invoice(newcomer, 100.0, DUE, invoice_date=DUE - timedelta(days=20))
        self.assertEqual(self.run_dunning(d("2026-03-09")).letter_ids.state, "draft")


class TestSending(DunningCase):
    @freeze_time("2026-03-09")  # letters claim interest up to the day they leave
    def test_email_letter_is_logged_on_customer_and_invoices(self):
        first = self.make_invoice(self.customer, 100.0, DUE)
        second = self.make_invoice(self.customer, 50.0, DUE)
        letter = self.run_dunning(d("2026-03-09")).letter_ids
        letter.action_send()
        self.assertEqual(letter.state, "sent")
        self.assertEqual(letter.sent_date, fields_today(self))
        email = letter.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertEqual(len(email), 1)
        self.assertIn(self.customer, email.partner_ids)
        for record in (self.customer, first, second):
            self.assertTrue(
                record.message_ids.filtered(lambda m, name=letter.name: name in (m.body or "")),
                record.display_name,
            )

    @freeze_time("2026-03-09")  # letters claim interest up to the day they leave
    def test_payment_between_run_and_send_drops_the_invoice(self):
        paid = self.make_invoice(self.customer, 100.0, DUE)
        open_invoice = self.make_invoice(self.customer, 70.0, DUE)
        letter = self.run_dunning(d("2026-03-09")).letter_ids
        self.assertEqual(letter.amount_due, 170.0)
        self.pay(paid, 100.0, d("2026-03-09"))
        letter.action_send()
        self.assertEqual(letter.state, "sent")
        self.assertEqual(letter.move_ids, open_invoice)
        self.assertEqual(letter.amount_due, 70.0)
        self.assertFalse(paid.dunning_level_id, "the paid invoice is back where it was")

    def test_letter_left_without_invoice_is_cancelled(self):
        invoice = self.make_invoice(self.customer, 100.0, DUE)
        letter = self.run_dunning(d("2026-03-09")).letter_ids
        self.pay(invoice, 100.0, d("2026-03-09"))
        letter.action_send()
        self.assertEqual(letter.state, "cancel")

    @freeze_time("2026-03-09")  # letters claim interest up to the day they leave
    def test_partial_payment_between_run_and_send_updates_the_amount(self):
        invoice = self.make_invoice(self.customer, 100.0, DUE)
        letter = self.run_dunning(d("2026-03-09")).letter_ids
        self.pay(invoice, 40.0, d("2026-03-09"))
        letter.action_send()
        self.assertEqual(letter.amount_due, 60.0)

    @freeze_time("2026-03-09")  # letters claim interest up to the day they leave
    def test_call_level_makes_an_activity_for_the_collector(self):
        collector = self.make_user("collector_call", "smart_dunning.group_dunning_user")
        self.customer.dunning_user_id = collector
        self.b2b_levels[0].channel = "call"
        self.make_invoice(self.customer, 100.0, DUE)
        letter = self.run_dunning(d("2026-03-09")).letter_ids
        letter.action_send()
        activity = letter.activity_ids
        self.assertEqual(activity.user_id, collector)
        self.assertEqual(activity.activity_type_id, self.env.ref("mail.mail_activity_data_call"))

    @freeze_time("2026-05-01")  # letters claim interest up to the day they leave
    def test_judicial_hand_over_by_threshold(self):
        bailiff = self.make_partner("Gerechtsdeurwaarder Janssens")
        lawyer = self.make_partner("Advocaat Claes")
        self.policy_b2b.write(
            {"bailiff_id": bailiff.id, "lawyer_id": lawyer.id, "judicial_threshold": 5000.0}
        )
        small = self.make_invoice(self.customer, 5000.0, DUE)
        big = self.make_invoice(self.make_partner("Groot NV"), 5000.01, DUE)
        for level in self.b2b_levels:
            day = DUE + timedelta(days=level.delay_days)
            run = self.run_dunning(day)
            run.letter_ids.filtered(lambda ltr: ltr.state == "draft")._dunning_send(sent_date=day)
        judicial = run.letter_ids
        self.assertEqual(set(judicial.mapped("state")), {"to_approve"})
        judicial.action_send()
        # several letters are sent by the background job
        self.env["dunning.run"]._cron_print()
        self.assertEqual(small.dunning_judicial_route, "bailiff")
        self.assertEqual(big.dunning_judicial_route, "lawyer")
        self.assertTrue(small.dunning_judicial and big.dunning_judicial)
        self.assertEqual(small.dunning_state, "judicial")
        self.assertIn(bailiff.name, small.dunning_letter_ids.activity_ids.mapped("summary")[0])

    def test_cancel_puts_invoices_back(self):
        invoice = self.make_invoice(self.customer, 100.0, DUE)
        letter = self.run_dunning(d("2026-03-09")).letter_ids
        letter.action_cancel()
        self.assertEqual(letter.state, "cancel")
        self.assertFalse(invoice.dunning_level_id)
        again = self.run_dunning(d("2026-03-10")).letter_ids
        self.assertEqual(again.move_ids, invoice, "a cancelled letter frees the level")


class TestAccess(DunningCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesperson = cls.make_user("sales_acc", "base.group_user")
        cls.collector = cls.make_user("collector_acc", "smart_dunning.group_dunning_user")
        cls.portal = cls.make_user("portal_acc", "base.group_portal")
        cls.customer.user_id = cls.salesperson
        cls.invoice = cls.make_invoice(cls.customer, 100.0, DUE)

    def test_salesperson_reads_but_cannot_approve_or_send(self):
        self.b2b_levels[0].needs_approval = True
        letter = self.run_dunning(d("2026-03-09")).letter_ids
        as_sales = letter.with_user(self.salesperson)
        self.assertEqual(as_sales.amount_due, 100.0)
        with self.assertRaises(UserError):
            as_sales.action_approve()
        with self.assertRaises(UserError):
            as_sales.action_send()
        with self.assertRaises(AccessError):
            as_sales.write({"user_id": self.salesperson.id})
        with self.assertRaises(UserError):
            self.env["dunning.run"].with_user(self.salesperson).create(
                {"date": d("2026-03-10")}
            ).action_run()

    def test_salesperson_sees_only_own_customers(self):
        self.make_invoice(self.make_partner("Not Mine BV"), 100.0, DUE)
        self.run_dunning(d("2026-03-09"))
        visible = self.env["dunning.letter"].with_user(self.salesperson).search([])
        self.assertEqual(visible.partner_id, self.customer)

    @freeze_time("2026-03-09")  # letters claim interest up to the day they leave
    def test_collector_approves_and_sends(self):
        self.b2b_levels[0].needs_approval = True
        letter = self.run_dunning(d("2026-03-09")).letter_ids
        self.assertEqual(letter.state, "to_approve")
        letter.with_user(self.collector).action_approve()
        self.assertEqual(letter.state, "draft")
        letter.with_user(self.collector).action_send()
        self.assertEqual(letter.state, "sent")

    def test_collector_runs(self):
        run = self.env["dunning.run"].with_user(self.collector).create({"date": d("2026-03-09")})
        run.action_run()
        self.assertEqual(run.letter_count, 1)

    def test_portal_user_sees_nothing(self):
        self.run_dunning(d("2026-03-09"))
        for model in (
            "dunning.letter",
            "dunning.letter.line",
            "dunning.run",
            "dunning.policy",
            "dunning.level",
        ):
            with self.assertRaises(AccessError, msg=model):
                self.env[model].with_user(self.portal).search([])

    def test_only_managers_configure(self):
        with self.assertRaises(AccessError):
            self.policy_b2b.with_user(self.collector).write({"grace_days": 10})
        manager = self.make_user("manager_acc", "smart_dunning.group_dunning_manager")
        self.policy_b2b.with_user(manager).write({"grace_days": 10})
        self.assertEqual(self.policy_b2b.grace_days, 10)


class TestMultiCompany(DunningCase):
    def test_companies_do_not_see_each_other(self):
        other = self.setup_other_company(name="Coop NL")["company"]
        self.assertTrue(other.dunning_policy_b2b_id)
        self.assertNotEqual(other.dunning_policy_b2b_id, self.policy_b2b)
        self.make_invoice(self.customer, 100.0, DUE)
        run = self.run_dunning(d("2026-03-09"), company=other)
        self.assertFalse(run.letter_ids, "a run of one company never touches another's invoices")
        run = self.run_dunning(d("2026-03-09"))
        self.assertEqual(run.letter_ids.company_id, self.company)
        user = self.make_user("collector_nl", "smart_dunning.group_dunning_user")
        user.write({"company_ids": [(6, 0, other.ids)], "company_id": other.id})
        self.assertFalse(self.env["dunning.letter"].with_user(user).search([]))
        # the letter's invoices and claim are hidden with it
        self.assertTrue(run.letter_ids.line_ids and run.letter_ids.fee_line_ids)
        self.assertFalse(self.env["dunning.letter.line"].with_user(user).search([]))
        self.assertFalse(self.env["dunning.letter.fee"].with_user(user).search([]))
        self.assertFalse(
            self.env["dunning.policy"].with_user(user).search([("id", "=", self.policy_b2b.id)])
        )


class TestCron(DunningCase):
    def test_cron_runs_every_company_and_sends_what_needs_no_approval(self):
        cron = self.env.ref("smart_dunning.ir_cron_dunning_run")
        self.assertEqual(cron.code.strip(), "model._cron_run()")
        invoice = self.make_invoice(self.customer, 100.0, DUE)
        with freeze_time("2026-03-09"):
            self.env["dunning.run"].sudo()._cron_run()
        run = self.env["dunning.run"].search(
            [("company_id", "=", self.company.id), ("date", "=", d("2026-03-09"))]
        )
        self.assertEqual(run.state, "done")
        self.assertEqual(run.letter_ids.move_ids, invoice)
        self.assertEqual(run.letter_ids.state, "sent", "e-mail letters go out automatically")

    def test_cron_writes_its_notes_in_the_company_language(self):
        # A cron starts without a language: its notes would be English for Dutch collectors.
        self.env["res.lang"]._activate_lang("nl_BE")
        self.company.partner_id.lang = "nl_BE"
        self.make_invoice(self.customer, 100.0, DUE)
        with freeze_time("2026-03-09"):
            self.env["dunning.run"].sudo().with_context(lang=None)._cron_run()
        letter = self.env["dunning.letter"].search([("partner_id", "=", self.customer.id)])
        dutch = letter.level_id.with_context(lang="nl_BE").name
        self.assertNotEqual(dutch, letter.level_id.with_context(lang="en_US").name)
        note = self.customer.message_ids.filtered(lambda m: letter.name in (m.body or ""))
        self.assertIn(dutch, note.body)


def fields_today(case):
    from odoo import fields

    return fields.Date.context_today(case.env["dunning.letter"])
