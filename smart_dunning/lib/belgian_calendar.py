"""Belgian working days, for the waiting period of consumer reminders (WER/CDE Book XIX).

A paper reminder's 14-day waiting period starts on the third working day after it was sent.
Whether Saturday counts is open (docs/LEGAL.md §6); we take the cautious reading: Monday to
Friday, without the ten Belgian public holidays. The movable ones follow Easter, computed here
so that no yearly table has to be maintained.
"""

from datetime import date, timedelta


def easter(year):
    """Easter Sunday of a Gregorian year (the anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)


def public_holidays(year):
    """The ten legal public holidays of Belgium in ``year``."""
    sunday = easter(year)
    return {
        date(year, 1, 1),  # New Year
        sunday + timedelta(days=1),  # Easter Monday
        date(year, 5, 1),  # Labour Day
        sunday + timedelta(days=39),  # Ascension
        sunday + timedelta(days=50),  # Whit Monday
        date(year, 7, 21),  # National Day
        date(year, 8, 15),  # Assumption
        date(year, 11, 1),  # All Saints
        date(year, 11, 11),  # Armistice
        date(year, 12, 25),  # Christmas
    }


def is_working_day(day):
    return day.weekday() < 5 and day not in public_holidays(day.year)


def add_working_days(day, count):
    """The ``count``-th working day after ``day`` (``day`` itself never counts)."""
    while count > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day
