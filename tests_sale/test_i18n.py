"""Translations of the sale bridge: its template matches the code, Dutch and French are
complete (the same checks as tests/test_i18n.py for the main addon)."""

import io
from pathlib import Path

import polib

from odoo.tools.translate import trans_export

from tests.test_i18n import PLACEHOLDER, entries

from .common import DunningSaleCase

I18N = Path(__file__).resolve().parent.parent / "smart_dunning_sale" / "i18n"


class TestSaleTranslations(DunningSaleCase):
    def test_bridge_is_installed_with_sale(self):
        module = self.env["ir.module.module"].search([("name", "=", "smart_dunning_sale")])
        self.assertEqual(module.state, "installed")
        self.assertTrue(module.auto_install)

    def test_pot_is_up_to_date(self):
        buffer = io.BytesIO()
        trans_export(None, ["smart_dunning_sale"], buffer, "po", self.env)
        current = entries(polib.pofile(buffer.getvalue().decode()))
        shipped = entries(polib.pofile(str(I18N / "smart_dunning_sale.pot")))
        self.assertFalse(current - shipped, "strings missing from smart_dunning_sale.pot")
        self.assertFalse(shipped - current, "stale strings in smart_dunning_sale.pot")

    def test_dutch_and_french_are_complete(self):
        pot = entries(polib.pofile(str(I18N / "smart_dunning_sale.pot")))
        for lang in ("nl", "fr"):
            po = polib.pofile(str(I18N / f"{lang}.po"))
            self.assertEqual(entries(po), pot, f"{lang}.po does not follow the template")
            missing = [e.msgid[:60] for e in po if not e.msgstr and not e.obsolete]
            self.assertFalse(missing, f"{lang}.po has untranslated strings")
            self.assertFalse(
                [e.msgid[:60] for e in po.fuzzy_entries()], f"{lang}.po has fuzzy strings"
            )
            for entry in po:
                self.assertEqual(
                    sorted(PLACEHOLDER.findall(entry.msgid)),
                    sorted(PLACEHOLDER.findall(entry.msgstr)),
                    f"{lang}.po changes the placeholders of {entry.msgid[:60]!r}",
                )
