"""Call statistics for the managers: calls by hour and day of the week in the caller's time
zone, and the contact rate per collector."""

from odoo.tests import freeze_time

from .common import DunningCase


class TestCallStatistics(DunningCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        groups = "base.group_user,smart_dunning.group_dunning_user"
        cls.sofie = cls.make_user("st_sofie", groups, name="Sofie", tz="Europe/Brussels")
        cls.karim = cls.make_user("st_karim", groups, name="Karim", tz="Europe/Brussels")
        Call = cls.env["dunning.call"]
        with freeze_time("2026-03-20"):
            cls.calls = Call.create(
                [
                    dict(vals, partner_id=cls.customer.id)
                    for vals in (
                        # Monday 16 March 09:30 and 09:50 in Brussels (UTC+1)
                        {
                            "user_id": cls.sofie.id,
                            "date": "2026-03-16 08:30:00",
                            "outcome": "reached",
                        },
                        {
                            "user_id": cls.sofie.id,
                            "date": "2026-03-16 08:50:00",
                            "outcome": "no_answer",
                        },
                        # Tuesday 17 March 14:00 and 14:10
                        {
                            "user_id": cls.sofie.id,
                            "date": "2026-03-17 13:00:00",
                            "outcome": "promise",
                        },
                        {
                            "user_id": cls.karim.id,
                            "date": "2026-03-17 13:10:00",
                            "outcome": "wrong_number",
                        },
                        # Sunday 29 March 10:00 in summer time (UTC+2)
                        {
                            "user_id": cls.karim.id,
                            "date": "2026-03-29 08:00:00",
                            "outcome": "reached",
                        },
                    )
                ]
            )

    def grouped(self, groupby, aggregate="__count"):
        return dict(
            self.env["dunning.call"]._read_group(
                [("id", "in", self.calls.ids)], [groupby], [aggregate]
            )
        )

    def test_by_hour_and_weekday_in_the_callers_time_zone(self):
        self.assertEqual(self.grouped("hour"), {9: 2, 10: 1, 14: 2})
        self.assertEqual(self.grouped("weekday"), {"0": 2, "1": 2, "6": 1})

    def test_contact_rate_per_collector(self):
        self.assertEqual(
            self.grouped("user_id", "contact_rate:avg"),
            {self.sofie: 200 / 3, self.karim: 50.0},
        )

    def test_collectors_see_the_call_statistics(self):
        # the menu sits under Reporting, where collectors see the call reports but not the
        # credit manager's (aged receivables)
        menu = self.env.ref("smart_dunning.menu_report_calls")
        reporting = self.env.ref("smart_dunning.menu_reporting")
        aging = self.env.ref("smart_dunning.menu_report_aging")
        self.assertEqual(menu.parent_id, reporting)
        Menu = self.env["ir.ui.menu"]
        visible = Menu.with_user(self.sofie)._visible_menu_ids()
        self.assertIn(reporting.id, visible)
        self.assertIn(menu.id, visible)
        self.assertNotIn(aging.id, visible)
        manager = self.make_user(
            "st_manager", "base.group_user,smart_dunning.group_dunning_manager", name="Mgr"
        )
        visible = Menu.with_user(manager)._visible_menu_ids()
        self.assertIn(reporting.id, visible)
        self.assertIn(menu.id, visible)
        self.assertIn(aging.id, visible)
