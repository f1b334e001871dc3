"""Belgian structured communication (gestructureerde mededeling / communication structurée).

Twelve digits shown as +++123/4567/89012+++: a ten-digit base number followed by its check
digits, the base modulo 97, where a remainder of 0 is written 97.
"""

import re

_FORMAT = re.compile(r"^\+\+\+(\d{3})/(\d{4})/(\d{5})\+\+\+$")


def check_digits(base):
    """The two check digits of a ten-digit base number."""
    return int(base) % 97 or 97


def format_ogm(base):
    """+++DDD/DDDD/DDDCC+++ for a base number of at most ten digits."""
    digits = f"{int(base):010d}"
    if len(digits) != 10:
        raise ValueError(base)
    full = f"{digits}{check_digits(digits):02d}"
    return f"+++{full[:3]}/{full[3:7]}/{full[7:]}+++"


def is_valid_ogm(text):
    """True for a well-formed structured communication with the right check digits."""
    match = _FORMAT.match((text or "").strip())
    if not match:
        return False
    digits = "".join(match.groups())
    return check_digits(digits[:10]) == int(digits[10:])


# Banks pass the communication on as "+++123/4567/89012+++", "***...***", "123/4567/89012" or
# just the twelve digits, sometimes with spaces.
_IN_TEXT = re.compile(r"(?<!\d)(\d{3})[\s/]*(\d{4})[\s/]*(\d{5})(?!\d)")


def find_ogms(text):
    """The valid structured communications in a free text, in their +++ form."""
    found = []
    for match in _IN_TEXT.finditer(text or ""):
        candidate = "+++{}/{}/{}+++".format(*match.groups())
        if is_valid_ogm(candidate) and candidate not in found:
            found.append(candidate)
    return found
