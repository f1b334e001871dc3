"""Date rules of the dunning process, as pure functions.

The run and the computed fields of invoices and partners share them, so the date an invoice
shows as "next reminder" is the date on which the run picks it up.
"""

import calendar
import re
from datetime import date, timedelta

END_OF_MONTH = 0
_END_WORDS = {"end", "eom", "einde", "fin", "ultimo", "eind"}


def next_step(levels, current, due, anchor, last_date, grace_days):
    """Return ``(level_id, date)`` of the next level an invoice reaches, or ``(False, False)``.

    :param levels: the policy's levels as ``(id, sequence, delay_days)``, sorted by sequence
    :param current: the level already reached as ``(id, sequence, delay_days)``, or None; it
        may belong to another policy when the customer changed policy, then the next level
        is the first one with a higher sequence
    :param due: the invoice due date
    :param anchor: the date dunning restarted from (after a dispute or a broken plan), or None
    :param last_date: the date of the last letter, or None
    :param grace_days: days after the due date during which nothing goes out
    """
    cur_seq, cur_delay = (current[1], current[2]) if current else (None, 0)
    following = [lvl for lvl in levels if cur_seq is None or lvl[1] > cur_seq]
    if not following or not due:
        return False, False
    level_id, _seq, delay = following[0]
    when = max((anchor or due) + timedelta(days=delay), due + timedelta(days=grace_days + 1))
    if last_date:
        when = max(when, last_date + timedelta(days=max(delay - cur_delay, 1)))
    return level_id, when


def parse_payment_days(text):
    """Parse "25", "10, 25" or "end" into a sorted tuple of days (0 = end of month).

    Raise ValueError on anything else.
    """
    days = set()
    for token in re.split(r"[,;/\s]+", (text or "").strip().lower()):
        if not token:
            continue
        if token in _END_WORDS:
            days.add(END_OF_MONTH)
        elif token.isdigit() and 1 <= int(token) <= 31:
            days.add(int(token))
        else:
            raise ValueError(token)
    return tuple(sorted(days))


def _day_in_month(year, month, day):
    last = calendar.monthrange(year, month)[1]
    return date(year, month, last if day == END_OF_MONTH else min(day, last))


def next_payment_day(days, on_date):
    """The first of the customer's payment days on or after ``on_date``."""
    if not days:
        return None
    year, month = on_date.year, on_date.month
    candidates = []
    for _i in range(2):
        candidates += [_day_in_month(year, month, d) for d in days]
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return min(d for d in candidates if d >= on_date)


def in_payment_window(days, on_date, window):
    """True when ``on_date`` falls in the ``window`` days before a payment day, or on it."""
    payday = next_payment_day(days, on_date)
    return bool(payday) and (payday - on_date).days <= window
