"""The Belgian enterprise number (ondernemingsnummer / numéro d'entreprise) of a creditor.

Book XIX of the Code of Economic Law requires it on the first reminder to a consumer
(docs/LEGAL.md §5.1). It is ten digits, 0 or 1 first, the last two being
97 - (the first eight modulo 97); the Belgian VAT number is BE followed by the same digits.
"""

import re


def _valid(text):
    """The ten digits of ``text`` as ``0123.456.749`` if they are a valid number, else ``""``."""
    digits = re.sub(r"[\s./-]", "", (text or "").strip().upper()).removeprefix("BE")
    if re.fullmatch(r"\d{9}", digits):  # written before the leading 0 was added (2005)
        digits = "0" + digits
    if re.fullmatch(r"[01]\d{9}", digits) and 97 - int(digits[:8]) % 97 == int(digits[8:]):
        return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"
    return ""


def be_enterprise_number(registry, vat):
    """The enterprise number to print: the company registry as the admin entered it
    (formatted when it is a valid Belgian number), else the number of a valid Belgian VAT
    number; ``""`` when there is neither."""
    if (registry or "").strip():
        return _valid(registry) or registry.strip()
    if (vat or "").strip().upper().startswith("BE"):
        return _valid(vat)
    return ""
