"""Rate tables that run out: the last day each legal rate or fee scale covers, and the
warnings before it (docs/LEGAL.md §2, "Rates that run out").

From the first day without a rate, every letter claiming interest or fees under it waits
for approval (``missing_rate``). The collections managers are told 45 and 15 days before.
"""

from datetime import timedelta

from odoo import fields
from odoo.tools import format_date

# Days before the last covered day at which the managers get an activity, latest last.
THRESHOLDS = (45, 15)
# Tables each legal regime reads: a letter shows the warnings of its regime's tables.
REGIME_TABLES = {
    "be_b2b": [("dunning.legal.rate", "be_late_payment"), ("dunning.fee.scale", "be_b2b_recovery")],
    "be_b2c": [
        ("dunning.legal.rate", "be_late_payment"),
        ("dunning.legal.rate", "be_legal"),
        ("dunning.fee.scale", "be_b2c_lump_sum"),
        ("dunning.fee.scale", "be_b2c_reminder"),
    ],
    "nl_b2c": [("dunning.legal.rate", "nl_statutory"), ("dunning.fee.scale", "nl_wik")],
    "nl_b2b": [("dunning.legal.rate", "nl_commercial"), ("dunning.fee.scale", "nl_wik")],
}
TABLE_MODELS = ("dunning.legal.rate", "dunning.fee.scale")


def _publisher(env, kind):
    """Who publishes the values of a table, in the user's language."""
    if kind.startswith("be_"):
        return env._("the Belgian Official Gazette (Belgisch Staatsblad / Moniteur belge)")
    if kind == "nl_wik":
        return env._("the Dutch Official Gazette (Staatsblad)")
    return env._("the Dutch government (rijksoverheid.nl, Staatscourant)")


def table_ends(env):
    """``{(model, kind): (last record or None, last covered day or None)}`` for every rate
    and scale kind, in one query per model. The day is None when the table is open-ended
    (its latest period has no end) or empty (then the record is None too)."""
    ends = {}
    for model in TABLE_MODELS:
        Table = env[model].sudo()
        for kind, _label in Table._fields["kind"].selection:
            ends[model, kind] = (None, None)
        for record in Table.search_fetch(
            [], ["kind", "date_from", "date_to", "source_url", "expiry_warned_days"]
        ):
            last, _end = ends[model, record.kind]
            if last is None or record.date_from > last.date_from:
                ends[model, record.kind] = (record, record.date_to or None)
    return ends


def table_label(env, model, kind):
    return dict(env[model]._fields["kind"]._description_selection(env)).get(kind, kind)


def expiring(env, today, ends=None, days=THRESHOLDS[0]):
    """``[(model, kind, last record, last covered day)]`` of the tables that end within
    ``days`` days of ``today``, or have ended."""
    ends = table_ends(env) if ends is None else ends
    return [
        (model, kind, last, end)
        for (model, kind), (last, end) in sorted(ends.items())
        if end and end - today <= timedelta(days=days)
    ]


def warning(env, model, kind, last, end):
    """What to do, in the user's language: the table, the first day it lacks, who publishes
    the value and where the last one came from."""
    text = env._(
        'Enter "%(table)s" for the period from %(date)s, published by %(publisher)s.',
        table=table_label(env, model, kind),
        date=format_date(env, end + timedelta(days=1)),
        publisher=_publisher(env, kind),
    )
    if last.source_url:
        text += " " + env._("Last value: %(link)s", link=last.source_url)
    return text


def coverage_text(env):
    """One line per table: its last covered day, for the settings."""
    lines = []
    for (model, kind), (last, end) in sorted(table_ends(env).items()):
        if last is None:
            day = env._("no value")
        elif end is None:
            day = env._("no end date")
        else:
            day = format_date(env, end)
        lines.append(f"{table_label(env, model, kind)}: {day}")
    return "\n".join(lines)


def warn_managers(env, today=None):
    """Give each collections manager an activity on the last period of every table that
    ends within 45, then 15 days: once per threshold and period, however often this runs.
    Returns the number of activities created."""
    today = today or fields.Date.context_today(env["dunning.legal.rate"])
    managers = (
        env.ref("smart_dunning.group_dunning_manager")
        .sudo()
        .all_user_ids.filtered(lambda user: user.active and not user.share)
    )
    created = 0
    for model, kind, last, end in expiring(env, today):
        threshold = min(t for t in THRESHOLDS if end - today <= timedelta(days=t))
        if last.expiry_warned_days and last.expiry_warned_days <= threshold:
            continue  # this threshold, or a later one, was already announced
        for user in managers:
            # in the manager's language
            user_env = env(context=dict(env.context, lang=user.lang))
            last.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=end,
                summary=user_env._(
                    "Rate table runs out on %(date)s", date=format_date(user_env, end)
                ),
                note=warning(user_env, model, kind, last, end),
                user_id=user.id,
            )
            created += 1
        last.expiry_warned_days = threshold
    return created
