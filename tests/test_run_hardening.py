"""A dunning run under concurrency and crashes: every letter that can be made is made, none
twice, and a run left half done is finished.

The tests with several cursors need committed data, so they work outside the test
transaction and clean up after themselves (as tests/test_concurrency.py).
"""

import threading
import time
from contextlib import closing
from datetime import date, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.exceptions import UserError, ValidationError
from odoo.sql_db import db_connect
from odoo.tests.common import get_db_name
from odoo.tools import format_date

from .common import DunningCase, d

DUE = date(2026, 3, 2)
RUN_DATE = date(2026, 3, 9)


class CommittedRunCase(DunningCase):
    """Customers and invoices committed in the main company, seen by every cursor."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.db = db_connect(get_db_name())

    def setUp(self):
        super().setUp()
        self.partner_ids, self.invoice_ids = [], []
        self.addCleanup(self._cleanup)
        with closing(self.db.cursor()) as cr:
            self.company_id = api.Environment(cr, SUPERUSER_ID, {}).ref("base.main_company").id

    def commit_customer(self, name, *amounts):
        """A customer with one posted invoice per amount, all due on DUE; returns the
        customer's id and the invoices' ids."""
        with closing(self.db.cursor()) as cr:
            env = self.env_of(cr)
            partner = env["res.partner"].create({"name": name, "is_company": True})
            invoices = env["account.move"].create(
                [
                    {
                        "move_type": "out_invoice",
                        "partner_id": partner.id,
                        "invoice_date": DUE - timedelta(days=30),
                        "invoice_payment_term_id": False,
                        "invoice_date_due": DUE,
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "name": "Prestation",
                                    "quantity": 1,
                                    "price_unit": amount,
                                    "tax_ids": [Command.clear()],
                                }
                            )
                        ],
                    }
                    for amount in amounts
                ]
            )
            invoices.action_post()
            cr.commit()
        self.partner_ids.append(partner.id)
        self.invoice_ids += invoices.ids
        return partner.id, invoices.ids

    def _cleanup(self):
        with closing(self.db.cursor()) as cr:
            if self.partner_ids:
                cr.execute(
                    "DELETE FROM dunning_letter WHERE partner_id IN %s", [tuple(self.partner_ids)]
                )
            cr.execute(
                "DELETE FROM dunning_run WHERE company_id = %s AND date = %s",
                [self.company_id, RUN_DATE],
            )
            env = api.Environment(cr, SUPERUSER_ID, {})
            invoices = env["account.move"].browse(self.invoice_ids)
            invoices.button_draft()
            invoices.with_context(force_delete=True).unlink()
            env["res.partner"].browse(self.partner_ids).unlink()
            cr.commit()

    def env_of(self, cr):
        company = api.Environment(cr, SUPERUSER_ID, {}).ref("base.main_company")
        return api.Environment(cr, SUPERUSER_ID, {"allowed_company_ids": company.ids})

    def new_run(self, cr):
        return self.env_of(cr)["dunning.run"].create(
            {"date": RUN_DATE, "company_id": self.company_id}
        )

    def due_groups(self, run):
        """What the run would make today: {partner id: (group key, rows)}."""
        due, stats = run._collect_due()
        return {key[0]: (key, rows) for key, rows in run._group_due(due, stats).items()}

    def make_letters(self, run, partner_id, invoice_ids):
        """Letters of ``run`` for some invoices of one customer, as another run would."""
        key, rows = self.due_groups(run)[partner_id]
        run._create_letters({key: [row for row in rows if row["id"] in invoice_ids]})

    def lines_per_invoice(self):
        with closing(self.db.cursor()) as cr:
            cr.execute(
                """SELECT move_id, count(*) FROM dunning_letter_line
                    WHERE move_id IN %s AND state != 'cancel' GROUP BY move_id""",
                [tuple(self.invoice_ids)],
            )
            return dict(cr.fetchall())

    def letters_of(self, run):
        """{customer id: (invoice ids, amount overdue)} of the run's letters."""
        return {
            letter.partner_id.id: (sorted(letter.move_ids.ids), letter.amount_overdue)
            for letter in run.letter_ids
        }

    def count_tries(self):
        """The ids of the runs whose batch is tried, once per try."""
        Run = self.registry["dunning.run"]
        insert_letters = Run._insert_letters
        tries = []

        def counted(run, *args, **kwargs):
            tries.append(run.id)
            return insert_letters(run, *args, **kwargs)

        patcher = patch.object(Run, "_insert_letters", counted)
        patcher.start()
        self.addCleanup(patcher.stop)
        return tries

    def wait_until_blocked(self, pid):
        """Wait until the backend ``pid`` waits for a lock held by another transaction."""
        with closing(self.db.cursor()) as cr:
            for _poll in range(600):
                cr.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
                if cr.fetchone()[0] == "Lock":
                    return
                cr.rollback()
                time.sleep(0.05)
        self.fail("the run never waited for the other transaction")


class TestClashingRuns(CommittedRunCase):
    """Run B executes as the cron does, a transaction per batch; run A, in another worker,
    commits letters for some of B's invoices while B's batch is under way."""

    def run_b_with_a_in_its_batch(self, cr_b, run_a):
        """Execute run B; ``run_a(cursor)`` commits in another cursor at the start of B's
        first batch, after B collected what is due."""
        Run = self.registry["dunning.run"]
        create_letters = Run._create_letters

        def batch_with_another_run(run, *args, **kwargs):
            if not getattr(self, "a_done", False):
                self.a_done = True
                with closing(self.db.cursor()) as cr_a:
                    run_a(cr_a)
                    cr_a.commit()
            return create_letters(run, *args, **kwargs)

        run_b = self.new_run(cr_b)
        with patch.object(Run, "_create_letters", batch_with_another_run):
            run_b._execute(commit=True)
        self.assertEqual(run_b.state, "done")
        return run_b

    def test_clashing_batch_is_made_again_without_the_invoices_taken(self):
        brewery, (first, second) = self.commit_customer("Brouwerij Clash NV", 300.0, 200.0)
        bakery, (bread,) = self.commit_customer("Bakkerij Clash BV", 150.0)
        with closing(self.db.cursor()) as cr_b:
            # A gives the brewery's first invoice its level; B's batch clashes on it.
            run_b = self.run_b_with_a_in_its_batch(
                cr_b, lambda cr_a: self.make_letters(self.new_run(cr_a), brewery, [first])
            )
            made = self.letters_of(run_b)
            self.assertEqual(run_b.letter_count, 2)
            self.assertEqual(run_b.invoice_count, 2)
            cr_b.commit()
        self.assertEqual(made, {brewery: ([second], 200.0), bakery: ([bread], 150.0)})
        self.assertEqual(self.lines_per_invoice(), {first: 1, second: 1, bread: 1})

    def test_batch_clashing_again_is_made_letter_by_letter(self):
        brewery, (first, second) = self.commit_customer("Brouwerij Twice NV", 300.0, 200.0)
        bakery, (bread,) = self.commit_customer("Bakkerij Twice BV", 150.0)
        Run = self.registry["dunning.run"]
        reread = Run._without_taken

        def third_run_commits_after_the_reread(run, groups):
            kept = reread(run, groups)
            if not self.lines_per_invoice().get(bread):
                # Run C, in a third worker, takes the bakery's invoice right after B read
                # again what was taken: B's second try clashes too.
                with closing(self.db.cursor()) as cr_c:
                    self.make_letters(self.new_run(cr_c), bakery, [bread])
                    cr_c.commit()
            return kept

        with closing(self.db.cursor()) as cr_b:
            with patch.object(Run, "_without_taken", third_run_commits_after_the_reread):
                run_b = self.run_b_with_a_in_its_batch(
                    cr_b, lambda cr_a: self.make_letters(self.new_run(cr_a), brewery, [first])
                )
            made = self.letters_of(run_b)
            self.assertEqual(run_b.letter_count, 1)
            cr_b.commit()
        self.assertEqual(made, {brewery: ([second], 200.0)}, "the brewery's letter is made")
        self.assertEqual(self.lines_per_invoice(), {first: 1, second: 1, bread: 1})

    def test_deadlocked_batch_is_tried_again(self):
        brewery, (beer,) = self.commit_customer("Brouwerij Deadlock NV", 300.0)
        bakery, (bread,) = self.commit_customer("Bakkerij Deadlock BV", 150.0)
        self.assertLess(brewery, bakery, "B inserts the brewery's letter first")
        result = {}
        with closing(self.db.cursor()) as cr_x:
            # B, not X, is the one PostgreSQL stops to break the deadlock: B checks after 2 s
            # of waiting, when X waits too; X would check after 30 s.
            cr_x.execute("SET deadlock_timeout = '30s'")
            # X, another transaction, holds the bakery's invoice at the first level.
            run_x = self.new_run(cr_x)
            groups = self.due_groups(run_x)
            run_x._create_letters({groups[bakery][0]: groups[bakery][1]})
            cr_x.flush()

            def run_b():
                with closing(self.db.cursor()) as cr_b:
                    cr_b.execute("SET deadlock_timeout = '2s'")
                    cr_b.execute("SELECT pg_backend_pid()")
                    result["pid"] = cr_b.fetchone()[0]
                    try:
                        run = self.new_run(cr_b)
                        result["run"] = run.id
                        run._execute(commit=False)
                        result["made"] = self.letters_of(run)
                        cr_b.commit()
                    except Exception as error:  # reported by the test
                        result["error"] = error

            thread = threading.Thread(target=run_b)
            tries = self.count_tries()
            thread.start()
            while "pid" not in result and thread.is_alive():
                time.sleep(0.05)
            # B inserted the brewery's line and waits for X on the bakery's; X now wants the
            # brewery's: a deadlock.
            self.wait_until_blocked(result["pid"])
            run_x._create_letters({groups[brewery][0]: groups[brewery][1]})
            cr_x.rollback()  # X gives up: B's second try gets both
        thread.join(timeout=120)
        self.assertFalse(thread.is_alive())
        self.assertNotIn("error", result)
        self.assertEqual(tries.count(result["run"]), 2, "B's batch deadlocked, then went in")
        self.assertEqual(result["made"], {brewery: ([beer], 300.0), bakery: ([bread], 150.0)})
        self.assertEqual(self.lines_per_invoice(), {beer: 1, bread: 1})

    def test_serialization_failure_in_a_committed_batch_is_tried_again(self):
        brewery, (beer,) = self.commit_customer("Brouwerij Serial NV", 300.0)
        result = {}
        with closing(self.db.cursor()) as cr_x:
            # Someone is editing the invoice: the batch's letter line, which refers to it,
            # waits until the edit is saved.
            cr_x.execute("SELECT id FROM account_move WHERE id = %s FOR UPDATE", [beer])

            def run_b():
                with closing(self.db.cursor()) as cr_b:
                    cr_b.execute("SELECT pg_backend_pid()")
                    result["pid"] = cr_b.fetchone()[0]
                    try:
                        run = self.new_run(cr_b)
                        result["run"] = run.id
                        run._execute(commit=True)  # as the cron: a transaction per batch
                        result["made"] = self.letters_of(run)
                        result["state"] = run.state
                        cr_b.commit()
                    except Exception as error:  # reported by the test
                        result["error"] = error

            thread = threading.Thread(target=run_b)
            tries = self.count_tries()
            thread.start()
            while "pid" not in result and thread.is_alive():
                time.sleep(0.05)
            self.wait_until_blocked(result["pid"])
            # Saved after the batch's snapshot: B cannot lock that invoice version any more.
            cr_x.execute("UPDATE account_move SET ref = 'PO-7' WHERE id = %s", [beer])
            cr_x.commit()
        thread.join(timeout=120)
        self.assertFalse(thread.is_alive())
        self.assertNotIn("error", result)
        self.assertEqual(tries.count(result["run"]), 2, "B's batch failed, then went in")
        self.assertEqual(result["made"], {brewery: ([beer], 300.0)})
        self.assertEqual(result["state"], "done")
        self.assertEqual(self.lines_per_invoice(), {beer: 1})

    def test_run_executed_elsewhere_right_now_is_refused(self):
        self.commit_customer("Brouwerij Busy NV", 300.0)
        with closing(self.db.cursor()) as cr:
            run_id = self.new_run(cr).id
            cr.commit()
        with closing(self.db.cursor()) as cr_a, closing(self.db.cursor()) as cr_b:
            self.env_of(cr_a)["dunning.run"].browse(run_id)._execute(commit=False)
            cr_b.execute("SET lock_timeout = '2s'")
            run_b = self.env_of(cr_b)["dunning.run"].browse(run_id)
            with self.assertRaisesRegex(UserError, "is being executed right now"):
                run_b.action_run()
            cr_b.rollback()
            cr_a.commit()
        self.assertEqual(sum(self.lines_per_invoice().values()), 1)


class TestResumedRuns(DunningCase):
    """A worker died in the middle of a run: the letters of its first batches exist, the
    run says ``running``."""

    def setUp(self):
        super().setUp()
        salesperson = self.make_user("sales_resume", "base.group_user")
        self.newcomer = self.make_partner("Nieuwe Klant BV", user_id=salesperson.id)
        self.new_invoice = self.make_invoice(self.newcomer, 100.0, DUE)
        self.regular = self.make_partner("Vaste Klant NV")
        self.make_invoice(self.regular, 100.0, d("2025-10-01"), invoice_date=d("2025-09-01"))
        self.pay(self.regular.invoice_ids, 100.0, d("2025-10-01"))
        self.overdue = self.make_invoice(self.regular, 200.0, DUE) | self.make_invoice(
            self.regular, 50.0, DUE
        )

    def half_done_run(self, on_date):
        """The run made the newcomer's letter, then its worker died."""
        run = self.env["dunning.run"].create({"date": on_date, "company_id": self.company.id})
        run.state = "running"
        due, stats = run._collect_due()
        groups = run._group_due(due, stats)
        run._mark_new_customers(groups)
        run._create_letters(
            {key: rows for key, rows in groups.items() if key[0] == self.newcomer.id}
        )
        self.assertEqual(run.letter_ids.partner_id, self.newcomer)
        return run

    def assert_finished(self, run):
        self.assertEqual(run.state, "done")
        self.assertEqual(run.letter_ids.partner_id, self.newcomer | self.regular)
        self.assertEqual(run.letter_count, 2)
        self.assertEqual(run.invoice_count, 3)
        self.assertEqual(run.new_customer_count, 1, "counted though made before the crash")
        invoices = self.new_invoice | self.overdue
        self.assertEqual(invoices.dunning_letter_line_ids.move_id, invoices)
        self.assertEqual(len(invoices.dunning_letter_line_ids), 3, "never twice")

    def test_next_cron_finishes_a_run_left_running_on_an_earlier_day(self):
        run = self.half_done_run(RUN_DATE)
        with freeze_time("2026-03-10"):
            self.env["dunning.run"].sudo()._cron_run()
        self.assertEqual(run.date, RUN_DATE, "finished on its own date")
        self.assert_finished(run)

    def test_user_finishes_a_run_left_running(self):
        run = self.half_done_run(RUN_DATE)
        run.action_run()
        self.assert_finished(run)


class TestRunDate(DunningCase):
    def test_run_cannot_be_dated_after_today(self):
        Run = self.env["dunning.run"]
        today = fields.Date.context_today(Run)
        with self.assertRefused(ValidationError, "cannot be dated after today"):
            Run.create({"date": d("2099-01-01"), "company_id": self.company.id})
        run = Run.create({"date": today, "company_id": self.company.id})
        with self.assertRefused(ValidationError, "cannot be dated after today"):
            run.write({"date": today + timedelta(days=1)})
        self.assertEqual(run.date, today)
        self.assertTrue(Run.create({"date": today - timedelta(days=1)}))

    def test_refusal_is_in_the_users_language(self):
        self.env["res.lang"]._activate_lang("fr_BE")
        self.env["ir.module.module"]._load_module_terms(["smart_dunning"], ["fr_BE"])
        collector = self.make_user("collector_fr", "smart_dunning.group_dunning_user", lang="fr_BE")
        # as the web client asks: in the collector's language
        with self.assertRefused(ValidationError, "après aujourd'hui"):
            self.env["dunning.run"].with_user(collector).with_context(lang=collector.lang).create(
                {"date": d("2099-01-01"), "company_id": self.company.id}
            )


class TestRunName(DunningCase):
    def test_a_run_is_named_in_the_readers_language(self):
        run = self.env["dunning.run"].create(
            {"date": d("2026-03-20"), "company_id": self.company.id}
        )
        for lang, words in (
            ("nl_BE", "Aanmaningsronde van"),
            ("fr_BE", "Traitement du"),
            ("en_US", "Run of"),
        ):
            self.env["res.lang"]._activate_lang(lang)
            reader = run.with_context(lang=lang)
            self.assertEqual(
                reader.display_name, f"{words} {format_date(reader.env, run.date)}", lang
            )
        # Whoever made it, the stored key is the same.
        self.assertEqual(run.name, "2026-03-20")
