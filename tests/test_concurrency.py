"""Two runs at once, in two database transactions, never send the same level twice.

These tests need committed data seen by several cursors, so they work outside the test
transaction and clean up after themselves.
"""

import threading
from contextlib import closing
from datetime import date, timedelta

from odoo import SUPERUSER_ID, Command, api
from odoo.sql_db import db_connect
from odoo.tests.common import get_db_name

from .common import DunningCase

DUE = date(2026, 3, 2)
RUN_DATE = date(2026, 3, 9)


class TestConcurrentRuns(DunningCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.db = db_connect(get_db_name())

    def setUp(self):
        super().setUp()
        with closing(self.db.cursor()) as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.ref("base.main_company")
            env = env(context={"allowed_company_ids": company.ids})
            partner = env["res.partner"].create(
                {"name": "Concurrent Customer NV", "is_company": True}
            )
            invoice = env["account.move"].create(
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
                                "price_unit": 250.0,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
            invoice.action_post()
            cr.commit()
            self.company_id, self.partner_id, self.invoice_id = company.id, partner.id, invoice.id
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with closing(self.db.cursor()) as cr:
            cr.execute("DELETE FROM dunning_letter WHERE partner_id = %s", [self.partner_id])
            cr.execute(
                "DELETE FROM dunning_run WHERE company_id = %s AND date = %s",
                [self.company_id, RUN_DATE],
            )
            env = api.Environment(cr, SUPERUSER_ID, {})
            invoice = env["account.move"].browse(self.invoice_id)
            invoice.button_draft()
            invoice.with_context(force_delete=True).unlink()
            env["res.partner"].browse(self.partner_id).unlink()
            cr.commit()

    def _run(self, cr):
        env = api.Environment(cr, SUPERUSER_ID, {"allowed_company_ids": [self.company_id]})
        run = env["dunning.run"].create({"date": RUN_DATE, "company_id": self.company_id})
        run._execute(commit=False)
        return run

    def _letter_lines(self):
        with closing(self.db.cursor()) as cr:
            cr.execute(
                """SELECT count(*) FROM dunning_letter_line
                    WHERE move_id = %s AND state != 'cancel'""",
                [self.invoice_id],
            )
            return cr.fetchone()[0]

    def test_second_run_started_before_the_first_committed_adds_nothing(self):
        with closing(self.db.cursor()) as cr_a, closing(self.db.cursor()) as cr_b:
            cr_b.execute("SELECT 1 FROM account_move LIMIT 1")  # B's snapshot starts now
            run_a = self._run(cr_a)
            self.assertEqual(run_a.letter_count, 1)
            cr_a.commit()
            # B still sees the invoice without letter, and tries the same level.
            run_b = self._run(cr_b)
            self.assertEqual(run_b.letter_count, 0)
            cr_b.commit()
        self.assertEqual(self._letter_lines(), 1)

    def test_second_run_waiting_on_the_first_adds_nothing(self):
        results = {}
        with closing(self.db.cursor()) as cr_a:
            self._run(cr_a)

            def second():
                with closing(self.db.cursor()) as cr_b:
                    results["b"] = self._run(cr_b).letter_count
                    cr_b.commit()

            thread = threading.Thread(target=second)
            thread.start()
            thread.join(timeout=2)  # B blocks on A's uncommitted letter line
            cr_a.commit()
        thread.join(timeout=60)
        self.assertFalse(thread.is_alive())
        self.assertEqual(results["b"], 0)
        self.assertEqual(self._letter_lines(), 1)
