"""Merge an addon's .pot into nl.po and fr.po, keeping the translations that still apply.

Country overlays such as nl_NL.po hold only the strings that the country words differently
(Odoo loads nl.po, then nl_NL.po over it): they keep their entries that are still in the
template, with the template's references, and never get new ones.

Usage: python tools/po_merge.py smart_dunning/i18n   (or smart_dunning_sale/i18n)
"""

import sys
from pathlib import Path

import polib

LANGUAGES = {"nl": "Dutch", "fr": "French"}


def merge(i18n):
    # The template carries the addon's name: smart_dunning/i18n/smart_dunning.pot
    pot = polib.pofile(str(i18n / f"{i18n.resolve().parent.name}.pot"))
    for code, name in LANGUAGES.items():
        path = i18n / f"{code}.po"
        old = polib.pofile(str(path)) if path.exists() else polib.POFile()
        known = {(e.msgctxt, e.msgid): e.msgstr for e in old if not e.obsolete}
        po = polib.POFile(wrapwidth=78)
        po.metadata = dict(pot.metadata)
        po.metadata.update(
            {
                "Language": code,
                "Language-Team": name,
                "Plural-Forms": "nplurals=2; plural=(n != 1);"
                if code == "nl"
                else "nplurals=2; plural=(n > 1);",
            }
        )
        for entry in pot:
            new = polib.POEntry(
                msgid=entry.msgid,
                msgctxt=entry.msgctxt,
                occurrences=entry.occurrences,
                comment=entry.comment,
                tcomment=entry.tcomment,
                flags=list(entry.flags),
                msgstr=known.get((entry.msgctxt, entry.msgid), ""),
            )
            po.append(new)
        po.save(str(path))
        missing = sum(1 for e in po if not e.msgstr)
        print(f"{path}: {len(po)} entries, {missing} to translate")
    for path in sorted(i18n.glob("??_??.po")):
        merge_overlay(pot, path)


def merge_overlay(pot, path):
    old = polib.pofile(str(path))
    known = {(e.msgctxt, e.msgid): e.msgstr for e in old if not e.obsolete and e.msgstr}
    po = polib.POFile(wrapwidth=78)
    po.metadata = dict(old.metadata)
    po.metadata["POT-Creation-Date"] = pot.metadata.get("POT-Creation-Date", "")
    for entry in pot:
        key = (entry.msgctxt, entry.msgid)
        if key in known:
            po.append(
                polib.POEntry(
                    msgid=entry.msgid,
                    msgctxt=entry.msgctxt,
                    occurrences=entry.occurrences,
                    comment=entry.comment,
                    tcomment=entry.tcomment,
                    flags=list(entry.flags),
                    msgstr=known[key],
                )
            )
    po.save(str(path))
    print(f"{path}: overlay, {len(po)} entries ({len(known) - len(po)} dropped)")


if __name__ == "__main__":
    merge(Path(sys.argv[1]))
