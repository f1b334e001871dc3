"""Translations of the sale bridge: its template matches the code, Dutch and French are
complete (the same checks as tests/test_i18n.py for the main addon)."""

from pathlib import Path

from tests.test_i18n import check_dutch_and_french_are_complete, check_pot_is_up_to_date

from .common import DunningSaleCase

I18N = Path(__file__).resolve().parent.parent / "smart_dunning_sale" / "i18n"


class TestSaleTranslations(DunningSaleCase):
    def test_bridge_is_installed_with_sale(self):
        module = self.env["ir.module.module"].search([("name", "=", "smart_dunning_sale")])
        self.assertEqual(module.state, "installed")
        self.assertTrue(module.auto_install)

    def test_pot_is_up_to_date(self):
        check_pot_is_up_to_date(self, "smart_dunning_sale", I18N)

    def test_dutch_and_french_are_complete(self):
        check_dutch_and_french_are_complete(self, "smart_dunning_sale", I18N)
