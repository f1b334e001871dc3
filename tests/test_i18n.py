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


def check_pot_is_up_to_date(case, module, i18n):
    """The addon's shipped template has exactly the strings of its code."""
    buffer = io.BytesIO()
    trans_export(None, [module], buffer, "po", case.env)
    current = entries(polib.pofile(buffer.getvalue().decode()))
    shipped = entries(polib.pofile(str(i18n / f"{module}.pot")))
    case.assertFalse(current - shipped, f"strings missing from {module}.pot: run make i18n")
    case.assertFalse(shipped - current, f"stale strings in {module}.pot: run make i18n")


def check_dutch_and_french_are_complete(case, module, i18n):
    """nl.po and fr.po follow the template, translate everything and keep placeholders."""
    pot = entries(polib.pofile(str(i18n / f"{module}.pot")))
    for lang in ("nl", "fr"):
        po = polib.pofile(str(i18n / f"{lang}.po"))
        case.assertEqual(entries(po), pot, f"{lang}.po does not follow the template")
        missing = [e.msgid[:60] for e in po if not e.msgstr and not e.obsolete]
        case.assertFalse(missing, f"{lang}.po has untranslated strings")
        case.assertFalse([e.msgid[:60] for e in po.fuzzy_entries()], f"{lang}.po has fuzzy strings")
        for entry in po:
            case.assertEqual(
                sorted(PLACEHOLDER.findall(entry.msgid)),
                sorted(PLACEHOLDER.findall(entry.msgstr)),
                f"{lang}.po changes the placeholders of {entry.msgid[:60]!r}",
            )


def check_overlays(case, module, i18n):
    """Country overlays (nl_NL.po over nl.po) translate a part of the template only: what they
    hold is in the template, translated, with the placeholders of the English."""
    pot = entries(polib.pofile(str(i18n / f"{module}.pot")))
    for path in sorted(i18n.glob("??_??.po")):
        po = polib.pofile(str(path))
        case.assertFalse(entries(po) - pot, f"{path.name} has strings the template lost")
        case.assertFalse([e.msgid[:60] for e in po if not e.msgstr], f"{path.name} is incomplete")
        case.assertFalse([e.msgid[:60] for e in po.fuzzy_entries()], f"{path.name} is fuzzy")
        for entry in po:
            case.assertEqual(
                sorted(PLACEHOLDER.findall(entry.msgid)),
                sorted(PLACEHOLDER.findall(entry.msgstr)),
                f"{path.name} changes the placeholders of {entry.msgid[:60]!r}",
            )


class TestTranslations(DunningCase):
    def assert_no_variants(self, banned):
        """No translation matches the patterns ``banned`` lists per language; returns the
        Dutch and French translations by source text."""
        for lang, patterns in banned.items():
            po = polib.pofile(str(I18N / f"{lang}.po"))
            for pattern in patterns:
                hits = [e.msgid[:50] for e in po if re.search(pattern, e.msgstr)]
                self.assertFalse(hits, f"{lang}.po: {pattern}")
        nl = {e.msgid: e.msgstr for e in polib.pofile(str(I18N / "nl.po"))}
        fr = {e.msgid: e.msgstr for e in polib.pofile(str(I18N / "fr.po"))}
        return nl, fr

    def test_pot_is_up_to_date(self):
        check_pot_is_up_to_date(self, "smart_dunning", I18N)

    def test_dutch_and_french_are_complete(self):
        check_dutch_and_french_are_complete(self, "smart_dunning", I18N)

    def test_country_overlays(self):
        self.assertTrue((I18N / "nl_NL.po").exists())
        check_overlays(self, "smart_dunning", I18N)

    def test_one_word_per_concept(self):
        """docs/GLOSSARY.md: the words a legal translator struck out stay out."""
        banned = {
            "nl": [
                r"\bbetwisting",  # geschil
                r"\bintrest|\binteresten\b|\brentevoet",  # interest, interestvoet
                r"\bgratis\b",  # kosteloos
                r"(?<!%\()\brun\b",  # aanmaningsronde
                r"\bvervaldag\b",  # vervaldatum
                r"Te betalen vóór|vóór die datum",  # uiterlijk (te betalen) op
                r"gerechtsdeurwaarder of advocaat\)",  # not in a level name / subject
            ],
            "fr": [
                r"\blitiges?\b",  # contestation
                r"Réclamations|Mauvais payeur|frais d'encaissement",
                r"\bdécret\b",  # arrêté
                r"À l'attention",  # not a salutation
                r"\bavoirs\b|\bun avoir\b",  # note de crédit
                r"huissier de justice ou avocat\)",
            ],
        }
        nl, fr = self.assert_no_variants(banned)
        self.assertEqual(nl["Pay by"], "Uiterlijk te betalen op")
        self.assertEqual(fr["Pay by"], "À payer au plus tard le")
        self.assertEqual(fr["Dear Sir or Madam,"], "Madame, Monsieur,")
        self.assertEqual((fr["Amount paid"], fr["Balance due"]), ("Montant payé", "Solde dû"))
        self.assertIn(
            "schadevergoeding", nl["Damages we will claim if you have not paid in time:"].lower()
        )
        self.assertEqual(
            nl["This first reminder is free of charge."], "Deze eerste herinnering is kosteloos."
        )
        self.assertEqual(nl["Judicial hand-over"], "Gerechtelijke invordering")
        self.assertNotEqual(nl["Operations"], "Operations")

    def test_belgian_terms(self):
        nl = {e.msgid: e.msgstr for e in polib.pofile(str(I18N / "nl.po"))}
        fr = {e.msgid: e.msgstr for e in polib.pofile(str(I18N / "fr.po"))}
        self.assertEqual(nl["Friendly reminder"], "Herinnering")
        self.assertEqual(nl["Second reminder"], "Aanmaning")
        self.assertEqual(nl["Formal notice"], "Ingebrekestelling")
        self.assertEqual(fr["Friendly reminder"], "Rappel")
        self.assertEqual(fr["Formal notice"], "Mise en demeure")

    def test_one_translation_per_staff_concept(self):
        """docs/GLOSSARY.md: sending is "versturen" (the Send button, the Sent state), the
        collector a "debiteurenbeheerder" / "gestionnaire de créances", the department
        "debiteurenbeheer" / "gestion des créances", a payment plan an "afbetalingsplan" in
        "termijnen", a promise a "betalingsbelofte": each concept has one word in nl.po and
        fr.po, not two for the same screen."""
        banned = {
            "nl": [
                r"(?i)verzend|verzond",  # versturen, verstuurd
                r"(?i)incasso(?!kosten)",  # debiteurenbeheer(der); incassokosten is the law's
                r"(?i)kredietmanager|kredietbeheerder",  # managers debiteurenbeheer
                r"(?i)betaalbelofte",  # betalingsbelofte
                r"(?i)\bregeling(en)?\b",  # afbetalingsplan (betalingsregeling: plan or promise)
                r"(?i)\bafbetaling(en)?\b",  # termijn
                r"(?i)\brente(tabel|-)",  # interest(tabel), Belgian usage
                r"^Invordering:",  # Aanmaningen: (the jobs' names)
            ],
            "fr": [
                r"gestionnaires? de recouvrement",  # gestionnaire de créances
                # gestion des créances (recouvrement amiable, judiciaire: the procedures)
                r"du recouvrement(?! amiable)|\bRecouvrement\b(?! judiciaire)",
                r"(?i)\brelances?\b",  # rappels
                # responsables: a "gestionnaire" is the collector
                r"Credit managers|Gestionnaires prévenus|les gestionnaires sont prévenus",
            ],
        }
        nl, fr = self.assert_no_variants(banned)
        self.assertEqual(
            (nl["Send"], nl["Sent"], nl["Sent Date"]), ("Versturen", "Verstuurd", "Verstuurd op")
        )
        self.assertEqual(nl["Collector"], "Debiteurenbeheerder")
        self.assertEqual((nl["Payment Plan"], nl["Instalment"]), ("Afbetalingsplan", "Termijn"))
        self.assertEqual(fr["Collector"], "Gestionnaire de créances")
        self.assertEqual(
            fr["Collections Weekly Summary"], "Résumé hebdomadaire de la gestion des créances"
        )
