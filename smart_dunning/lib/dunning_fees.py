"""Arithmetic of legal fees and interest, as pure functions over plain values.

The dated rates and scales live in ``dunning.legal.rate`` and ``dunning.fee.scale``; the letter
reads them once for a whole batch and hands them to these functions, which the tests exercise
on every band edge and rate change of docs/LEGAL.md §2.
"""

import dataclasses
from datetime import date, timedelta

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


@dataclasses.dataclass(frozen=True)
class InterestPeriod:
    """One line of an interest claim: a stretch of days with one base and one rate."""

    date_from: date
    date_to: date
    days: int
    rate: float
    base: float
    amount: float


def _one_year_later(day):
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February: the year ends on 28 February
        return date(day.year + 1, 3, 1)


def interest_through_time(
    principal, payments, start, end, rates, kind=None, compound_yearly=False, rounding=None
):
    """Interest from ``start`` to ``end`` included on a balance that changes through time
    (docs/LEGAL.md §3.1, §3.2).

    :param principal: what is still owed at the end
    :param payments: ``[(day, amount)]`` paid on the claim, in any order: the balance of a day
        is ``principal`` plus what was paid after that day, so a payment ends one period and
        the next starts on its day; payments before ``start`` change nothing
    :param compound_yearly: at each anniversary of ``start``, the interest of the year ending
        is added to the base (art. 6:119 lid 2 and 6:119a lid 3 BW)
    :param rounding: rounds each period's interest as the letter shows it, so that the base
        of the next year is the sum the customer reads (default: no rounding)
    :return: ``[InterestPeriod]``, split where the balance, the year or the rate changes
    :raise MissingRateError: on the first day no rate covers
    """
    if not start or not end or end < start:
        return []
    rounding = rounding or (lambda amount: amount)
    later = [(day, amount) for day, amount in payments if day > start and amount]
    # days on which the base changes: a payment, or a new year of compounding
    cuts = {day for day, _amount in later if day <= end}
    years = set()
    if compound_yearly:
        anniversary = _one_year_later(start)
        while anniversary <= end:
            years.add(anniversary)
            anniversary = _one_year_later(anniversary)
    cuts |= years
    bounds = [start, *sorted(cuts), end + timedelta(days=1)]
    periods, added, this_year = [], 0.0, 0.0
    for first, after in zip(bounds, bounds[1:], strict=False):
        if first in years:
            added, this_year = added + this_year, 0.0
        balance = principal + sum(amount for day, amount in later if day > first)
        base = balance + added
        for date_from, date_to, days, rate, amount in interest(
            base, first, after - timedelta(days=1), rates, kind
        ):
            amount = rounding(amount)
            this_year += amount
            periods.append(InterestPeriod(date_from, date_to, days, rate, base, amount))
    return periods


# Law of 2 August 2002, art. 4 (as amended on 14 August 2021): the longest payment term
# between businesses, unless expressly agreed (docs/LEGAL.md §4.1).
BE_B2B_MAX_TERM_DAYS = 60


def be_b2b_term_end(invoice_date, date_due, agreed):
    """Last day of the payment term a Belgian business may be held to: the invoice's due
    date, or 60 days after the invoice date when the invoice gives longer and the customer
    did not expressly agree to it."""
    if agreed or not invoice_date or not date_due:
        return date_due
    return min(date_due, invoice_date + timedelta(days=BE_B2B_MAX_TERM_DAYS))
