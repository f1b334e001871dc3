"""Arithmetic of legal fees and interest, as pure functions over plain values.

The dated rates and scales live in ``dunning.legal.rate`` and ``dunning.fee.scale``; the letter
reads them once for a whole batch and hands them to these functions, which the tests exercise
on every band edge and rate change of docs/LEGAL.md §2.
"""

from datetime import timedelta

from .belgian_calendar import add_working_days

DAYS_IN_YEAR = 365


class MissingRateError(Exception):
    """No rate is known for ``kind`` on ``day``: the caller must refuse, never guess."""

    def __init__(self, kind, day):
        super().__init__(kind, day)
        self.kind = kind
        self.day = day


def scale_amount(bands, base, minimum=0.0, maximum=0.0):
    """The amount a scale gives for ``base``.

    :param bands: ``(threshold, fixed, rate)`` sorted by threshold, the first at 0; a band
        applies to a base above its threshold (the first one also to 0) and gives
        ``fixed + rate% x (base - threshold)``
    :param minimum: floor of the result (0: none)
    :param maximum: cap of the result (0: none)
    """
    if base <= 0 or not bands:
        return 0.0
    threshold, fixed, rate = bands[0]
    for band in bands[1:]:
        if base > band[0]:
            threshold, fixed, rate = band
    amount = max(fixed + rate / 100.0 * (base - threshold), minimum)
    return min(amount, maximum) if maximum else amount


def interest(principal, start, end, rates, kind=None):
    """Simple interest on ``principal`` for every day from ``start`` to ``end`` included,
    split where the rate changes.

    :param rates: ``(date_from, date_to, rate)`` (``date_to`` None: open-ended), any order
    :return: ``[(date_from, date_to, days, rate, amount)]``, one item per rate period
    :raise MissingRateError: on the first day no rate covers
    """
    if principal <= 0 or not start or not end or end < start:
        return []
    periods = []
    day = start
    for date_from, date_to, rate in sorted(rates):
        if date_to and date_to < day:
            continue
        if date_from > day:
            break
        last = min(end, date_to) if date_to else end
        days = (last - day).days + 1
        periods.append((day, last, days, rate, principal * rate / 100.0 * days / DAYS_IN_YEAR))
        day = last + timedelta(days=1)
        if day > end:
            return periods
    raise MissingRateError(kind, day)


def be_b2c_costs_from(sent_date, channel):
    """First day a Belgian consumer may be charged after a reminder sent on ``sent_date``.

    The 14 calendar days start on the third working day after a paper letter, on the day
    after an electronic one (docs/LEGAL.md §5.2); costs apply from the day after they end.
    """
    first_day = add_working_days(sent_date, 3) if channel == "letter" else sent_date + timedelta(1)
    return first_day + timedelta(days=14)


def nl_b2c_costs_from(sent_date, channel):
    """First day a Dutch consumer owes collection costs after the 14-day letter.

    The 14 days run from the day after receipt (HR 2016); we assume an e-mail is received the
    day it is sent and a paper letter two days later (docs/LEGAL.md §7).
    """
    received = sent_date + timedelta(days=2 if channel == "letter" else 0)
    return received + timedelta(days=15)
