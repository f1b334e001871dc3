"""Translations: the template matches the code and Dutch and French are complete."""

import io
import re
from pathlib import Path

import polib

from odoo.tools.translate import trans_export

from .common import DunningCase

I18N = Path(__file__).resolve().parent.parent / "smart_dunning" / "i18n"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\{.*?\}\}|t-out=\"[^\"]*\"")


def entries(po):
    return {(e.msgctxt, e.msgid) for e in po if not e.obsolete}


class TestTranslations(DunningCase):
    def test_pot_is_up_to_date(self):
        buffer = io.BytesIO()
        trans_export(None, ["smart_dunning"], buffer, "po", self.env)
        current = entries(polib.pofile(buffer.getvalue().decode()))
        shipped = entries(polib.pofile(str(I18N / "smart_dunning.pot")))
        self.assertFalse(current - shipped, "strings missing from smart_dunning.pot: run make i18n")
        self.assertFalse(shipped - current, "stale strings in smart_dunning.pot: run make i18n")

    def test_dutch_and_french_are_complete(self):
        pot = entries(polib.pofile(str(I18N / "smart_dunning.pot")))
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

    def test_belgian_terms(self):
        nl = {e.msgid: e.msgstr for e in polib.pofile(str(I18N / "nl.po"))}
        fr = {e.msgid: e.msgstr for e in polib.pofile(str(I18N / "fr.po"))}
        self.assertEqual(nl["Friendly reminder"], "Herinnering")
        self.assertEqual(nl["Second reminder"], "Aanmaning")
        self.assertEqual(nl["Formal notice"], "Ingebrekestelling")
        self.assertEqual(fr["Friendly reminder"], "Rappel")
        self.assertEqual(fr["Formal notice"], "Mise en demeure")
