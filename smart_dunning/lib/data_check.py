"""The rules for the customer data an invoice needs to be paid: an e-mail address that works, a
postcode the post accepts and, for customers who ask for it, their purchase-order number.

One set of rules for the check at posting and for the dispute fix wizard, so that whatever the
wizard accepts also clears the warning of the invoice.
"""

import re

from odoo.tools.mail import email_split_tuples, single_email_re

BE_POSTCODE = re.compile(r"^[1-9]\d{3}$")
NL_POSTCODE = re.compile(r"^([1-9]\d{3}) ?([A-Za-z]{2})$")
# One address of a list: up to a comma or semicolon that is not inside a quoted name.
ADDRESS_PART = re.compile(r'(?:[^,;"]|"[^"]*")+')

# The codes stored on an invoice, in the order they are shown.
EMAIL_MISSING = "email_missing"
EMAIL_INVALID = "email_invalid"
EMAIL_BOUNCED = "email_bounced"
ZIP_BE = "zip_be"
ZIP_NL = "zip_nl"
PO_MISSING = "po_missing"
CODES = (EMAIL_MISSING, EMAIL_INVALID, EMAIL_BOUNCED, ZIP_BE, ZIP_NL, PO_MISSING)


def email_problem(value):
    """None when ``value`` holds one or more valid addresses, else ``EMAIL_MISSING`` or
    ``EMAIL_INVALID``.

    Addresses are separated by commas or semicolons (Odoo sends to each) and may carry a name,
    as in ``"Peeters, Jan" <jan@telenet.be>``. Odoo's parser reads ``jan peeters@telenet.be``
    as the name "jan" and the address ``peeters@telenet.be`` and drops words without an "@":
    such values are not valid here, as the invoice would not reach the customer.
    """
    if not (value or "").strip():
        return EMAIL_MISSING
    for part in ADDRESS_PART.findall(value):
        part = part.strip()
        if not part:
            continue
        found = email_split_tuples(part)
        if len(found) != 1:
            return EMAIL_INVALID
        name, address = found[0]
        if not single_email_re.match(_idna(address)) or (name and f"<{address}>" not in part):
            return EMAIL_INVALID
    return None


def _idna(address):
    """The address with an international domain (théâtre.be) in its ASCII form, which is what
    Odoo's pattern knows; the address unchanged when the domain cannot be encoded."""
    local, _at, domain = address.rpartition("@")
    try:
        return f"{local}@{domain.encode('idna').decode('ascii')}"
    except UnicodeError:
        return address


def normalize_postcode(country_code, value):
    """The postcode written the way the post expects it, or None when it is not valid.

    Belgium: four digits, the first not 0 (1000). The Netherlands: four digits, the first not 0,
    and two letters, written "1234 AB". Other countries: any non-empty value.
    """
    value = (value or "").strip()
    if country_code == "BE":
        return value if BE_POSTCODE.match(value) else None
    if country_code == "NL":
        match = NL_POSTCODE.match(value)
        return f"{match[1]} {match[2].upper()}" if match else None
    return value or None


def postcode_problem(country_code, value):
    """``ZIP_BE`` or ``ZIP_NL`` when the postcode of a Belgian or Dutch address is missing or
    not valid; None otherwise (other countries are not checked)."""
    if country_code == "BE" and not normalize_postcode("BE", value):
        return ZIP_BE
    if country_code == "NL" and not normalize_postcode("NL", value):
        return ZIP_NL
    return None


def data_problems(email, country_code, postcode, po_required, po_number, email_bounced=False):
    """The codes of every problem of one invoice, in ``CODES`` order (an empty list if none).

    ``email_bounced``: a reminder to this well-formed address bounced (the partner's
    ``dunning_email_suspect``), so the invoice will not reach the customer either.
    """
    found = {
        email_problem(email) or (EMAIL_BOUNCED if email_bounced else None),
        postcode_problem(country_code, postcode),
        PO_MISSING if po_required and not (po_number or "").strip() else None,
    }
    return [code for code in CODES if code in found]
