"""Rate tables that run out: the managers are told 45 and 15 days before, the letters to
approve say what to enter, the settings show each table's last covered day."""

from odoo.tests import freeze_time
from odoo.tools import format_date

from .common import d
from .test_fees import FeeCase

# The shipped Belgian late-payment rates end on 30 June 2026 (docs/LEGAL.md, section 14).
LAST_DAY = d("2026-06-30")


class TestRatesRunningOut(FeeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_BE")
        cls.manager = cls.make_user(
            "rate_manager", "smart_dunning.group_dunning_manager,base.group_user", lang="fr_BE"
        )
        cls.collector = cls.make_user(
            "rate_collector", "smart_dunning.group_dunning_user,base.group_user"
        )
        cls.Rate = cls.env["dunning.legal.rate"]
        cls.last_rate = cls.Rate.search(
            [("kind", "=", "be_late_payment")], order="date_from desc", limit=1
        )

    def cron(self, day):
        with freeze_time(day):
            self.Rate._cron_dunning_rate_expiry()

    def warnings(self, rate, user):
        return rate.activity_ids.filtered(lambda act: act.user_id == user)

    def day(self, text, user=None):
        """A date as ``user`` (default: the test user) reads it."""
        env = self.env(context=dict(self.env.context, lang=(user or self.env.user).lang))
        return format_date(env, d(text))

    def test_managers_are_told_45_then_15_days_before_once_each(self):
        self.assertEqual(self.last_rate.date_to, LAST_DAY)
        self.cron("2026-05-15")  # 46 days before
        self.assertFalse(self.warnings(self.last_rate, self.manager))
        for day in ("2026-05-16", "2026-05-16", "2026-05-17", "2026-06-14"):
            self.cron(day)
        first = self.warnings(self.last_rate, self.manager)
        self.assertEqual(len(first), 1, "once per threshold, however often the cron runs")
        self.assertEqual(first.date_deadline, LAST_DAY)
        self.assertIn(self.day("2026-07-01", self.manager), first.note)
        self.assertIn("publié par le Moniteur belge", first.note, "in the manager's language")
        self.assertIn(self.last_rate.source_url, first.note)
        self.assertFalse(self.warnings(self.last_rate, self.collector), "managers only")
        for day in ("2026-06-15", "2026-06-16", "2026-07-02"):
            self.cron(day)
        self.assertEqual(len(self.warnings(self.last_rate, self.manager)), 2)
        # The admin enters the next half-year: the new last period is announced in its turn.
        new = self.Rate.create(
            {
                "kind": "be_late_payment",
                "date_from": d("2026-07-01"),
                "date_to": d("2026-12-31"),
                "rate": 10.0,
                "source_url": "https://www.ejustice.just.fgov.be/",
            }
        )
        self.cron("2026-07-03")
        self.assertFalse(self.warnings(new, self.manager))
        self.cron("2026-11-20")
        self.assertEqual(len(self.warnings(new, self.manager)), 1)
        self.assertIn(self.day("2027-01-01", self.manager), self.warnings(new, self.manager).note)

    def test_a_table_already_ended_is_announced_once(self):
        self.cron("2026-08-01")
        self.cron("2026-08-02")
        self.assertEqual(len(self.warnings(self.last_rate, self.manager)), 1)

    def test_letters_to_approve_show_what_to_enter(self):
        self.b2b_levels[0].needs_approval = True
        self.make_invoice(self.customer, 1000.0, d("2026-05-04"))
        with freeze_time("2026-06-20"):
            letter = self.letter_on("2026-05-11")
            self.assertEqual(letter.state, "to_approve")
            self.assertIn("Belgium: late payment interest", letter.rate_warning)
            self.assertIn(self.day("2026-07-01"), letter.rate_warning)
            self.assertIn(self.last_rate.source_url, letter.rate_warning)
            letter.action_approve()
            letter.invalidate_recordset(["rate_warning"])
            self.assertFalse(letter.rate_warning, "only letters waiting for approval")
        with freeze_time("2026-05-10"):
            letter.state = "to_approve"
            letter.invalidate_recordset(["rate_warning"])
            self.assertFalse(letter.rate_warning, "51 days before: nothing yet")

    def test_settings_show_each_tables_last_covered_day(self):
        coverage = self.env["res.config.settings"].create({}).dunning_rate_coverage
        for line in (
            f"Belgium: late payment interest (law of 2 August 2002): {self.day('2026-06-30')}",
            f"Belgium: legal interest (law of 5 May 1865): {self.day('2026-12-31')}",
            f"Netherlands: statutory interest (art. 6:119 BW): {self.day('2025-06-30')}",
            "Netherlands: extrajudicial collection costs (WIK scale, art. 6:96 BW): no end date",
        ):
            self.assertIn(line, coverage.splitlines())
