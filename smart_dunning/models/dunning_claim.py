"""The claim engine: what a letter claims on top of its invoices (interest, fees), by the
legal regime of its policy (docs/LEGAL.md §3 to §8).

It reads, and never writes: a run computes the claims of letters it has not inserted yet, and
a stored letter writes its own claim (``dunning.letter._update_fees()``).
"""

import dataclasses
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from odoo import api, models
from odoo.tools import SQL, float_is_zero, float_round, format_date

from ..lib.dunning_fees import (
    MissingRateError,
    be_b2b_term_end,
    be_b2c_costs_from,
    interest_through_time,
    nl_b2c_costs_from,
    scale_amount,
)
from .dunning_fee_scale import SCALE_KINDS
from .dunning_legal_rate import RATE_KINDS

# Channels that reach the customer on a durable medium: only they count as a reminder.
DURABLE_CHANNELS = ("email", "letter")
# Every fee line has all columns, so that a batch of them goes into the table at once.
FEE_DEFAULTS = {
    "kind": False,
    "basis": False,
    "move_id": False,
    "date_from": False,
    "date_to": False,
    "days": 0,
    "rate": 0.0,
    "base_amount": 0.0,
    "amount": 0.0,
    "sequence": 10,
}
# Kinds computed per invoice; the others are computed once per letter.
PER_INVOICE_KINDS = ("interest", "recovery")
# Dutch interest: each year's interest is added to the base (art. 6:119 lid 2, 6:119a lid 3 BW).
COMPOUNDED_KINDS = ("nl_statutory", "nl_commercial")
# Book XIX, contracts of regular supply: invoices per calendar year whose first reminder is free.
FREE_FIRST_REMINDERS_A_YEAR = 3


@dataclasses.dataclass(frozen=True)
class ClaimPartner:
    """What a claim reads of a customer."""

    long_term_agreed: bool = False
    regular_supply: bool = False


NO_FLAGS = ClaimPartner()


@dataclasses.dataclass(frozen=True)
class ClaimLine:
    """An invoice of a letter, as its claim needs it. Whoever builds it has just read the
    invoice: the claim does not read it again."""

    id: int
    move_id: int
    date_due: date
    amount_residual: float
    invoice_date: date | None
    fee_invoice: bool  # the fee invoice of an earlier letter: no interest or fees on it


@dataclasses.dataclass
class ClaimLetter:
    """A letter, stored or about to be, as its claim needs it: a run computes the claims of
    its letters from these before it inserts them."""

    id: int
    date: date
    channel: str
    currency: Any  # res.currency; the regimes' handlers get its Money
    company: Any  # res.company
    policy: Any  # dunning.policy; the regimes' handlers get its PolicyTerms
    amount_credit: float
    lines: list[ClaimLine]
    partner_id: int = 0  # the commercial partner
    customer: ClaimPartner = NO_FLAGS  # what the claim reads of the commercial partner


@dataclasses.dataclass(frozen=True)
class PolicyTerms:
    """The terms of a policy a claim reads for every invoice, as plain values."""

    legal_regime: str
    claim_interest: bool
    claim_fees: bool
    fee_clause: bool
    contract_interest_rate: float
    b2c_damages: str


@dataclasses.dataclass(frozen=True)
class Money:
    """A currency as a claim uses it, for every invoice: its rounding, read once."""

    record: Any  # res.currency
    rounding: float

    def round(self, amount):
        return float_round(amount, precision_rounding=self.rounding)

    def is_zero(self, amount):
        return float_is_zero(amount, precision_rounding=self.rounding)


@dataclasses.dataclass
class ClaimTables:
    """What the claims of all the batches of a run look up once: the rate and fee tables,
    what a claim derived from them, and the messages of missing rates."""

    rates: dict  # kind -> [(date from, date to, rate)]
    scales: dict  # kind -> dunning.fee.scale
    scale_on: dict = dataclasses.field(default_factory=dict)  # (kind, day) -> scale or None
    fx: dict = dataclasses.field(default_factory=dict)  # (from, to, company, day) -> rate
    terms: dict = dataclasses.field(default_factory=dict)  # policy id -> PolicyTerms
    money: dict = dataclasses.field(default_factory=dict)  # currency id -> Money
    messages: dict = dataclasses.field(default_factory=dict)  # (kind, day) -> text


@dataclasses.dataclass
class LetterClaim:
    """What a letter claims: its fee lines (``dunning.letter.fee`` values), the values it sets
    on the letter, and their sums."""

    fees: list[dict]
    flags: dict
    interest: float
    other: float


class DunningClaim(models.AbstractModel):
    """The claim engine, a model so that another addon can add or adapt a legal regime."""

    _name = "dunning.claim"
    _description = "Claim Engine: Fees and Interest of Letters"

    @api.model
    def _claim_inputs(self, letters):
        """What the claims of stored ``letters`` are computed from, in a fixed number of
        queries."""
        letters.fetch(
            [
                "date",
                "channel",
                "currency_id",
                "company_id",
                "policy_id",
                "amount_credit",
                "partner_id",
            ]
        )
        letters.partner_id.fetch(["dunning_long_term_agreed", "dunning_regular_supply"])
        lines = letters.line_ids
        lines.fetch(["letter_id", "move_id", "date_due", "amount_residual"])
        lines.move_id.fetch(["invoice_date", "dunning_fee_letter_id"])
        by_letter = defaultdict(list)
        for line in lines:
            move = line.move_id
            by_letter[line.letter_id.id].append(
                ClaimLine(
                    line.id,
                    move.id,
                    line.date_due,
                    line.amount_residual,
                    move.invoice_date,
                    bool(move.dunning_fee_letter_id),
                )
            )
        return [
            ClaimLetter(
                letter.id,
                letter.date,
                letter.channel,
                letter.currency_id,
                letter.company_id,
                letter.policy_id,
                letter.amount_credit,
                by_letter[letter.id],
                letter.partner_id.id,
                ClaimPartner(
                    letter.partner_id.dunning_long_term_agreed,
                    letter.partner_id.dunning_regular_supply,
                ),
            )
            for letter in letters
        ]

    @api.model
    def _tables(self):
        """The rate and fee tables of every claim (ClaimTables), in three queries: a run
        reads them once for all its batches."""
        return ClaimTables(
            rates=self.env["dunning.legal.rate"]._periods([kind for kind, _label in RATE_KINDS]),
            scales=self.env["dunning.fee.scale"]._scales([kind for kind, _label in SCALE_KINDS]),
        )

    @api.model
    def _claims(self, inputs, as_of=None, tables=None):
        """``{letter id: LetterClaim}`` of the letters described by ``inputs`` (ClaimLetter),
        on ``as_of`` or each letter's date.

        :param tables: ClaimTables shared by the batches of a run (default: read now)
        """
        if tables is None:
            tables = self._tables()
        ctx = self._context_of(inputs, tables)
        claims = {}
        messages = tables.messages
        for letter in inputs:
            # the handlers see the policy and the currency as plain values
            letter = dataclasses.replace(
                letter,
                policy=self._terms(letter.policy, ctx),
                currency=self._money(letter.currency, ctx),
            )
            flags = {
                "is_first_reminder": False,
                "costs_from": False,
                "amount_fees_announced": 0.0,
                "fee_error": False,
            }
            try:
                lines, found = self._letter_claim(letter, as_of or letter.date, ctx)
            except MissingRateError as error:
                lines, found = [], {}
                # thousands of letters miss the same rate: one message per rate and day
                key = (error.kind, error.day)
                if key not in messages:
                    messages[key] = self._missing_rate_message(error)
                flags["fee_error"] = messages[key]
            flags.update(
                is_first_reminder=found.get("is_first_reminder", False),
                costs_from=found.get("costs_from", False),
                amount_fees_announced=found.get("announced", 0.0),
            )
            currency = letter.currency
            claims[letter.id] = LetterClaim(
                [dict(FEE_DEFAULTS, **vals, letter_id=letter.id) for vals in lines],
                flags,
                currency.round(sum(v["amount"] for v in lines if v["kind"] == "interest")),
                currency.round(sum(v["amount"] for v in lines if v["kind"] != "interest")),
            )
        return claims

    @api.model
    def _missing_rate_message(self, error):
        """What a collector reads on a letter held for ``error`` (MissingRateError)."""
        labels = dict(
            self.env["dunning.legal.rate"]._fields["kind"]._description_selection(self.env)
        )
        labels.update(
            self.env["dunning.fee.scale"]._fields["kind"]._description_selection(self.env)
        )
        return self.env._(
            'No rate or scale is known for "%(kind)s" on %(date)s: an administrator must add '
            "the published one under Collections > Configuration before this letter can "
            "claim fees and interest.",
            kind=labels.get(error.kind, error.kind or ""),
            date=format_date(self.env, error.day),
        )

    @api.model
    def _context_of(self, inputs, tables):
        """Everything the claims of a batch of letters need besides their own invoices and
        customers (ClaimLine, ClaimLetter) and the ``tables`` (ClaimTables), in one query
        per kind of context."""
        letter_ids = [letter.id for letter in inputs]
        move_ids = list({line.move_id for letter in inputs for line in letter.lines})
        paid_first, first_reminders = self._first_reminders_of(inputs, letter_ids)
        return {
            "payments": self._payments_of(move_ids),  # move id -> [(day, amount)]
            # regular supply: invoices whose first reminder was not free, and how many
            # invoices got their first reminder per (partner, company, year)
            "paid_first": paid_first,
            "first_reminders": first_reminders,
            # move id -> [(sent date, channel, letter id)], by date
            "reminders": self._reminders_of(move_ids, letter_ids),
            # [(kind, move id, {move ids of its letter}, amount)]
            "invoiced": self._booked_fees_of(move_ids, letter_ids),
            # looked up once per run (or call), not once per batch or invoice:
            "rates": tables.rates,
            "scales": tables.scales,
            "scale_on": tables.scale_on,  # (kind, day) -> (Money, minimum, maximum, bands)
            "fx": tables.fx,
            "terms": tables.terms,
            "money": tables.money,
            "nl_demanded": self._nl_demanded(inputs),
        }

    @api.model
    def _reminders_of(self, move_ids, letter_ids):
        """``{move id: [(sent date, channel, letter id)]}``, by date: the reminders sent on a
        durable medium for ``move_ids`` by letters other than ``letter_ids``, in one query."""
        self.env["dunning.letter"].flush_model(["channel", "sent_date"])
        self.env["dunning.letter.line"].flush_model(["letter_id", "move_id", "state"])
        reminders = defaultdict(list)
        for move_id, sent_date, channel, letter_id in self.env.execute_query(
            SQL(
                """
                SELECT ll.move_id, l.sent_date, l.channel, l.id
                  FROM dunning_letter_line ll
                  JOIN dunning_letter l ON l.id = ll.letter_id
                 WHERE ll.move_id = ANY(%s) AND ll.state = 'sent'
                   AND NOT l.id = ANY(%s)
                   AND l.channel IN %s AND l.sent_date IS NOT NULL
                """,
                move_ids,
                letter_ids,
                DURABLE_CHANNELS,
            )
        ):
            reminders[move_id].append((sent_date, channel, letter_id))
        for items in reminders.values():
            items.sort()
        return reminders

    @api.model
    def _booked_fees_of(self, move_ids, letter_ids):
        """``[(kind, move id, {move ids of its letter}, amount)]``: the fees that the posted
        fee invoices of letters other than ``letter_ids`` listing one of ``move_ids``
        already booked, so that they are not booked twice; in one query."""
        self.env["dunning.letter.fee"].flush_model(["letter_id", "move_id", "kind", "amount"])
        self.env["dunning.letter"].flush_model(["fee_move_id"])
        self.env["dunning.letter.line"].flush_model(["letter_id", "move_id"])
        self.env["account.move"].flush_model(["state"])
        return [
            (kind, move_id or False, set(letter_moves), amount)
            for kind, move_id, letter_moves, amount in self.env.execute_query(
                SQL(
                    """
                    SELECT f.kind, f.move_id,
                           ARRAY(SELECT ll.move_id FROM dunning_letter_line ll
                                  WHERE ll.letter_id = l.id),
                           f.amount
                      FROM dunning_letter_fee f
                      JOIN dunning_letter l ON l.id = f.letter_id
                      JOIN account_move fm ON fm.id = l.fee_move_id
                     WHERE fm.state = 'posted' AND f.kind != 'invoiced'
                       AND NOT l.id = ANY(%s)
                       AND EXISTS (SELECT 1 FROM dunning_letter_line ll
                                    WHERE ll.letter_id = l.id AND ll.move_id = ANY(%s))
                     ORDER BY f.letter_id, f.sequence, f.id
                    """,
                    letter_ids,
                    move_ids,
                )
            )
        ]

    @api.model
    def _payments_of(self, move_ids):
        """``{move id: [(day, amount)]}``: what was paid on each invoice and when, in the
        invoice's currency, from its reconciliations, in one query (docs/LEGAL.md §3.2).

        A credit note is left out: it says the amount was never owed, so it lowers the
        balance from the start, as the invoice's residual already does."""
        self.env["account.partial.reconcile"].flush_model(
            ["debit_move_id", "credit_move_id", "debit_amount_currency"]
        )
        self.env["account.move.line"].flush_model(["move_id", "date"])
        self.env["account.move"].flush_model(["move_type"])
        payments = defaultdict(list)
        for move_id, day, amount in self.env.execute_query(
            SQL(
                """
                SELECT dl.move_id, cl.date, SUM(pr.debit_amount_currency)
                  FROM account_partial_reconcile pr
                  JOIN account_move_line dl ON dl.id = pr.debit_move_id
                  JOIN account_move_line cl ON cl.id = pr.credit_move_id
                  JOIN account_move cm ON cm.id = cl.move_id
                 WHERE dl.move_id = ANY(%s) AND cm.move_type != 'out_refund'
                 GROUP BY dl.move_id, cl.date
                """,
                move_ids,
            )
        ):
            payments[move_id].append((day, amount))
        return payments

    @api.model
    def _first_reminders_of(self, inputs, letter_ids):
        """For Belgian consumers under a contract of regular supply (docs/LEGAL.md §5.7):
        the invoices whose first reminder was beyond the free ones of its calendar year, and
        ``{(partner id, company id, year): invoices first reminded}``; one query, only when
        the batch has such a consumer."""
        partner_ids = list(
            {
                letter.partner_id
                for letter in inputs
                if letter.customer.regular_supply and letter.policy.legal_regime == "be_b2c"
            }
        )
        if not partner_ids:
            return set(), {}
        self.env["dunning.letter"].flush_model(
            ["partner_id", "company_id", "channel", "sent_date", "state"]
        )
        self.env["dunning.letter.line"].flush_model(["letter_id", "move_id", "state"])
        firsts = defaultdict(list)
        for partner_id, company_id, move_id, due, sent_date in self.env.execute_query(
            SQL(
                """
                SELECT l.partner_id, l.company_id, ll.move_id, m.invoice_date_due,
                       MIN(l.sent_date)
                  FROM dunning_letter_line ll
                  JOIN dunning_letter l ON l.id = ll.letter_id
                  JOIN account_move m ON m.id = ll.move_id
                 WHERE l.partner_id = ANY(%s) AND ll.state = 'sent'
                   AND l.channel IN %s AND l.sent_date IS NOT NULL
                   AND NOT l.id = ANY(%s)
                 GROUP BY l.partner_id, l.company_id, ll.move_id, m.invoice_date_due
                """,
                partner_ids,
                DURABLE_CHANNELS,
                letter_ids,
            )
        ):
            firsts[partner_id, company_id, sent_date.year].append(
                (sent_date, due or date.min, move_id)
            )
        paid_first = set()
        for items in firsts.values():
            paid_first.update(
                move_id for *_key, move_id in sorted(items)[FREE_FIRST_REMINDERS_A_YEAR:]
            )
        return paid_first, {key: len(items) for key, items in firsts.items()}

    @api.model
    def _terms(self, policy, ctx):
        if policy.id not in ctx["terms"]:
            ctx["terms"][policy.id] = PolicyTerms(
                *(policy[f.name] for f in dataclasses.fields(PolicyTerms))
            )
        return ctx["terms"][policy.id]

    @api.model
    def _money(self, currency, ctx):
        if currency.id not in ctx["money"]:
            ctx["money"][currency.id] = Money(currency, currency.rounding)
        return ctx["money"][currency.id]

    @api.model
    def _convert(self, amount, from_money, to_money, company, day, ctx):
        """``res.currency._convert()``, with the rate looked up once per day."""
        if not amount:
            return 0.0
        key = (from_money.record.id, to_money.record.id, company.id, day)
        if key not in ctx["fx"]:
            ctx["fx"][key] = self.env["res.currency"]._get_conversion_rate(
                from_money.record, to_money.record, company, day
            )
        return to_money.round(amount * ctx["fx"][key])

    def _regimes(self):
        """The claim of each legal regime (``dunning.policy.legal_regime``); a regime not
        listed claims nothing."""
        return {
            "be_b2b": self._claim_be_b2b,
            "be_b2c": self._claim_be_b2c,
            "nl_b2b": self._claim_nl_b2b,
            "nl_b2c": self._claim_nl_b2c,
        }

    @api.model
    def _letter_claim(self, letter, day, ctx):
        """``(line values, flags)`` of one letter on ``day``, by its policy's legal regime."""
        lines = sorted(
            (ln for ln in letter.lines if not ln.fee_invoice),
            key=lambda ln: (ln.date_due or date.min, ln.id),
        )
        principal = self._principals(letter, lines)
        handler = self._regimes().get(letter.policy.legal_regime)
        if not handler or not principal:
            return [], {}
        claim, flags = handler(letter, day, principal, ctx)
        claim = [vals for vals in claim if not letter.currency.is_zero(vals["amount"])]
        return claim + self._already_invoiced(letter, claim, ctx), flags

    def _principals(self, letter, lines):
        """Amount each invoice still owes once the open credit notes are deducted, the oldest
        invoice first: the base of its interest is then the smallest."""
        credit = letter.amount_credit
        principal = {}
        for line in lines:
            used = min(credit, line.amount_residual)
            credit -= used
            if line.amount_residual - used > 0:
                principal[line] = line.amount_residual - used
        return principal

    # ------------------------------------------------------------------ regimes

    def _claim_be_b2b(self, letter, day, principal, ctx):
        """Law of 2 August 2002: interest from the day after the due date at the half-yearly
        rate, and the fixed recovery compensation for each invoice, both without notice."""
        claim = []
        for line, amount in principal.items():
            term_end = self._be_b2b_term_end(letter, line)
            claim += self._interest(
                letter, line, amount, term_end + timedelta(days=1), day, "be_late_payment", ctx
            )
            claim.append(
                self._scale_fee(letter, "recovery", "be_b2b_recovery", day, amount, ctx, line)
            )
        return claim, {}

    def _be_b2b_term_end(self, letter, line):
        """The invoice's due date, or the legal 60 days after its date when it gives longer
        without the customer's express agreement (docs/LEGAL.md §4.1)."""
        return be_b2b_term_end(line.invoice_date, line.date_due, letter.customer.long_term_agreed)

    def _claim_be_b2c(self, letter, day, principal, ctx):
        """Book XIX: the first reminder is free and announces the damages; nothing is due
        before its 14-day waiting period has ended."""
        policy = letter.policy
        chargeable, first = {}, False
        free_left = self._free_first_reminders(letter, day, ctx)
        paid_first = False  # a first reminder of this letter beyond the free ones of the year
        for line, amount in principal.items():
            sent = ctx["reminders"].get(line.move_id)
            if not sent:
                first = True
                if free_left is not None:
                    paid_first = paid_first or free_left <= 0
                    free_left -= 1
                continue
            start = be_b2c_costs_from(sent[0][0], sent[0][1])
            if day >= start:
                chargeable[line] = (amount, start)
        flags = {"is_first_reminder": first}
        total = sum(principal.values())
        if first:
            flags["costs_from"] = be_b2c_costs_from(day, letter.channel)
            if policy.fee_clause:
                flags["announced"] = self._be_b2c_damages(
                    letter, flags["costs_from"], total, 1, ctx
                )["amount"]
        claim = []
        if policy.fee_clause:
            cap = ctx["rates"]["be_late_payment"]
            rate = policy.contract_interest_rate
            periods = [(f, t, min(rate, r) if rate else r) for f, t, r in cap]
            kind = "be_late_payment"
        else:
            periods, kind = ctx["rates"]["be_legal"], "be_legal"
        for line, (amount, start) in chargeable.items():
            claim += self._interest(letter, line, amount, start, day, kind, ctx, periods=periods)
        # The reminder fee is also due for a first reminder that is not free; the lump sum
        # only after the waiting period, whatever the reminder (docs/LEGAL.md §5.7).
        per_reminder = policy.b2c_damages == "reminder"
        paid_before = any(line.move_id in ctx["paid_first"] for line in principal)
        if policy.fee_clause and (chargeable or (per_reminder and (paid_first or paid_before))):
            count = self._chargeable_reminders(
                letter, principal, chargeable, ctx, counts=bool(chargeable or paid_first)
            )
            # the lump sum is on what may be charged; a reminder fee on what is reminded
            base = sum(amount for amount, _start in chargeable.values()) or total
            claim.append(self._be_b2c_damages(letter, day, base, count, ctx))
        return claim, flags

    def _be_b2c_damages(self, letter, day, base, reminders, ctx):
        """The lump sum of the scale, or the capped fee for each reminder after the first:
        one or the other, never both (docs/LEGAL.md §5.5)."""
        if letter.policy.b2c_damages == "reminder":
            fee = self._scale_fee(letter, "reminder", "be_b2c_reminder", day, base, ctx)
            fee["amount"] = letter.currency.round(fee["amount"] * reminders)
            return fee
        return self._scale_fee(letter, "lump_sum", "be_b2c_lump_sum", day, base, ctx)

    def _chargeable_reminders(self, letter, principal, chargeable, ctx, counts=True):
        """This letter (when it ``counts``), the earlier reminders sent once the waiting
        period was over, and the first reminders that were not free (regular supply)."""
        letter_ids = {letter.id} if counts else set()
        for line, (_amount, start) in chargeable.items():
            for sent_date, _channel, letter_id in ctx["reminders"].get(line.move_id, [])[1:]:
                if sent_date >= start:
                    letter_ids.add(letter_id)
        for line in principal:
            if line.move_id in ctx["paid_first"]:
                letter_ids.add(ctx["reminders"][line.move_id][0][2])
        return len(letter_ids)

    def _free_first_reminders(self, letter, day, ctx):
        """How many more invoices may get a free first reminder this calendar year: None
        (no limit) unless the customer buys under a contract of regular supply."""
        if not letter.customer.regular_supply:
            return None
        used = ctx["first_reminders"].get((letter.partner_id, letter.company.id, day.year), 0)
        return FREE_FIRST_REMINDERS_A_YEAR - used

    def _claim_nl_b2c(self, letter, day, principal, ctx):
        """Art. 6:96 BW: collection costs of the WIK scale, over all the claims together, once
        the 14 days of the first letter (the veertiendagenbrief) have passed; statutory
        interest from the day after the due date."""
        claim, flags, chargeable = [], {}, {}
        first = False
        for line, amount in principal.items():
            claim += self._interest(
                letter, line, amount, line.date_due + timedelta(days=1), day, "nl_statutory", ctx
            )
            sent = ctx["reminders"].get(line.move_id)
            if not sent:
                first = True
            elif day >= nl_b2c_costs_from(sent[0][0], sent[0][1]):
                chargeable[line] = amount
        # lid 7: the costs are those of the customer's claims together (docs/LEGAL.md §7)
        if first:
            flags = {
                "is_first_reminder": True,
                "costs_from": nl_b2c_costs_from(day, letter.channel),
            }
            flags["announced"] = self._nl_wik(letter, day, principal, principal, ctx)["amount"]
        if chargeable:
            claim.append(self._nl_wik(letter, day, principal, chargeable, ctx))
        return claim, flags

    def _claim_nl_b2b(self, letter, day, principal, ctx):
        """Art. 6:96 lid 4 and 6:119a BW: collection costs of the WIK scale (at least EUR 40)
        for each invoice, and commercial interest from the day after the due date."""
        claim = []
        for line, amount in principal.items():
            claim += self._interest(
                letter, line, amount, line.date_due + timedelta(days=1), day, "nl_commercial", ctx
            )
            claim.append(self._scale_fee(letter, "collection", "nl_wik", day, amount, ctx, line))
        return claim, {}

    # ------------------------------------------------------------------ building blocks

    def _interest(self, letter, line, amount, start, day, kind, ctx, periods=None):
        # A policy that claims no interest needs no rate either.
        if not letter.policy.claim_interest:
            return []
        periods = ctx["rates"][kind] if periods is None else periods
        return [
            {
                "kind": "interest",
                "basis": kind,
                "move_id": line.move_id,
                "date_from": period.date_from,
                "date_to": period.date_to,
                "days": period.days,
                "rate": period.rate,
                "base_amount": period.base,
                "amount": period.amount,
                "sequence": 10,
            }
            for period in interest_through_time(
                amount,
                ctx["payments"].get(line.move_id, ()),
                start,
                day,
                periods,
                kind,
                compound_yearly=kind in COMPOUNDED_KINDS,
                rounding=letter.currency.round,
            )
        ]

    def _scale_fee(self, letter, kind, scale_kind, day, base, ctx, line=None):
        amount = 0.0
        if letter.policy.claim_fees:
            if (scale_kind, day) not in ctx["scale_on"]:
                scale = ctx["scales"][scale_kind]._on(day)
                ctx["scale_on"][scale_kind, day] = scale and (
                    self._money(scale.currency_id, ctx),
                    scale.minimum,
                    scale.maximum,
                    scale._bands(),
                )
            if not ctx["scale_on"][scale_kind, day]:
                raise MissingRateError(scale_kind, day)
            scale_money, minimum, maximum, bands = ctx["scale_on"][scale_kind, day]
            company, currency = letter.company, letter.currency
            if currency.record == scale_money.record:
                amount = scale_amount(bands, base, minimum, maximum)
            else:
                base_in_scale = self._convert(base, currency, scale_money, company, day, ctx)
                amount = self._convert(
                    scale_amount(bands, base_in_scale, minimum, maximum),
                    scale_money,
                    currency,
                    company,
                    day,
                    ctx,
                )
        return {
            "kind": kind,
            "basis": scale_kind,
            "move_id": line.move_id if line else False,
            "base_amount": base,
            "amount": letter.currency.round(amount),
            "sequence": 20,
        }

    def _already_invoiced(self, letter, claim, ctx):
        """One negative line for what earlier fee invoices already booked of this claim."""
        if not ctx["invoiced"]:
            return []
        moves = {line.move_id for line in letter.lines}
        booked = defaultdict(float)
        for kind, move_id, letter_moves, amount in ctx["invoiced"]:
            if kind in PER_INVOICE_KINDS:
                if move_id in moves:
                    booked[kind] += amount
            elif moves & letter_moves:
                booked[kind] += amount
        claimed = defaultdict(float)
        for vals in claim:
            claimed[vals["kind"]] += vals["amount"]
        deducted = sum(min(booked[kind], claimed[kind]) for kind in claimed)
        if letter.currency.is_zero(deducted):
            return []
        return [{"kind": "invoiced", "amount": letter.currency.round(-deducted), "sequence": 90}]

    # ------------------------------------------------------------------ art. 6:96 lid 7 BW

    @api.model
    def _nl_demanded(self, inputs):
        """``{(customer id, currency id): [(first reminder date, invoice id, residual)]}``:
        the open invoices of the Dutch consumers of ``inputs`` that a durable reminder
        already demanded, in one query; empty when no letter is under ``nl_b2c``."""
        letters = [ltr for ltr in inputs if ltr.policy.legal_regime == "nl_b2c"]
        if not letters:
            return {}
        self.env["account.move"].flush_model(
            [
                "commercial_partner_id",
                "company_id",
                "currency_id",
                "amount_residual",
                "dunning_fee_letter_id",
            ]
        )
        self.env["dunning.letter"].flush_model(["channel", "sent_date"])
        self.env["dunning.letter.line"].flush_model(["letter_id", "move_id", "state"])
        demanded = defaultdict(list)
        for partner_id, currency_id, move_id, residual, sent in self.env.execute_query(
            SQL(
                """
                SELECT m.commercial_partner_id, m.currency_id, m.id, m.amount_residual,
                       MIN(l.sent_date)
                  FROM dunning_letter_line ll
                  JOIN dunning_letter l ON l.id = ll.letter_id
                  JOIN account_move m ON m.id = ll.move_id
                 WHERE m.commercial_partner_id = ANY(%s) AND m.company_id = ANY(%s)
                   AND m.amount_residual > 0 AND m.dunning_fee_letter_id IS NULL
                   AND ll.state = 'sent' AND l.channel IN %s AND l.sent_date IS NOT NULL
                 GROUP BY m.id
                """,
                list({ltr.partner_id for ltr in letters}),
                list({ltr.company.id for ltr in letters}),
                DURABLE_CHANNELS,
            )
        ):
            demanded[partner_id, currency_id].append((sent, move_id, residual))
        return demanded

    def _nl_wik(self, letter, day, principal, charged, ctx):
        """The WIK costs of the ``charged`` claims of ``letter`` (``{line: principal}``).

        The scale applies once to all the customer's claims: in the order in which they were
        first demanded (the same day: the lower invoice id first), each claim costs what it
        adds to the scale of the claims before it, in this letter or in others. A claim
        that falls due after the fourteen-day letter gets no second minimum of its own, and
        the letters of one customer add up to the scale of its summed principal."""
        data = ctx["nl_demanded"]
        own = {
            line.move_id: (sent[0][0] if (sent := ctx["reminders"].get(line.move_id)) else day)
            for line in principal
        }
        charged = {line.move_id: amount for line, amount in charged.items()}
        queue = [((own[line.move_id], line.move_id), amount) for line, amount in principal.items()]
        if data:
            key = (letter.partner_id, letter.currency.record.id)
            queue += [
                ((sent, move_id), residual)
                for sent, move_id, residual in data.get(key, [])
                if move_id not in own
            ]

        def wik(base):
            return self._scale_fee(letter, "collection", "nl_wik", day, base, ctx)["amount"]

        before = total = 0.0
        for (_sent, move_id), amount in sorted(queue):
            if move_id in charged:
                total += wik(before + amount) - (wik(before) if before else 0.0)
            before += amount
        fee = self._scale_fee(letter, "collection", "nl_wik", day, 0.0, ctx)
        fee.update(base_amount=sum(charged.values()), amount=letter.currency.round(total))
        return fee
