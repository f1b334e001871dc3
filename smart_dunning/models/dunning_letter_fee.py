from collections import defaultdict
from datetime import date, timedelta
from typing import Any, NamedTuple

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_is_zero, float_round

from .bulk import bulk_create
from .dunning_fee_scale import SCALE_KINDS
from .dunning_fees import (
    MissingRateError,
    be_b2c_costs_from,
    interest,
    nl_b2c_costs_from,
    scale_amount,
)
from .dunning_legal_rate import RATE_KINDS

FEE_KINDS = [
    ("interest", "Interest"),
    ("recovery", "Fixed recovery compensation"),
    ("lump_sum", "Lump-sum damages"),
    ("reminder", "Reminder fee"),
    ("collection", "Collection costs"),
    ("invoiced", "Already invoiced"),
]
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


class ClaimLine(NamedTuple):
    """An invoice of a letter, as its claim needs it."""

    id: int
    move_id: int
    date_due: date
    amount_residual: float


class ClaimLetter(NamedTuple):
    """A letter, stored or about to be, as its claim needs it: a run computes the claims of
    its letters from these before it inserts them."""

    id: int
    date: date
    channel: str
    currency: Any  # res.currency; the regimes' handlers get its Money
    company: Any  # res.company
    policy: Any  # dunning.policy; the regimes' handlers get its PolicyTerms
    amount_credit: float
    lines: list  # [ClaimLine]


class PolicyTerms(NamedTuple):
    """The terms of a policy a claim reads for every invoice, as plain values."""

    legal_regime: str
    claim_interest: bool
    claim_fees: bool
    fee_clause: bool
    contract_interest_rate: float
    b2c_damages: str


class Money(NamedTuple):
    """A currency as a claim uses it, for every invoice: its rounding, read once."""

    record: Any  # res.currency
    rounding: float

    def round(self, amount):
        return float_round(amount, precision_rounding=self.rounding)

    def is_zero(self, amount):
        return float_is_zero(amount, precision_rounding=self.rounding)


class LetterClaim(NamedTuple):
    """What a letter claims: its fee lines, the values it sets on the letter, and their sums."""

    fees: list
    flags: dict
    interest: float
    other: float


class DunningLetterFee(models.Model):
    """A fee or an interest period a letter claims, with its legal basis.

    The lines are the letter's claim to date: they are computed again whenever the letter
    is about to go out, and frozen once it is sent.
    """

    _name = "dunning.letter.fee"
    _description = "Fee or Interest Claimed in a Letter"
    _order = "letter_id, sequence, id"
    # A run inserts a hundred thousand of these: the letter has the log, the company and the
    # currency, each of which would be one more foreign key checked per row.
    _log_access = False

    letter_id = fields.Many2one("dunning.letter", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="letter_id.company_id")
    currency_id = fields.Many2one(related="letter_id.currency_id")
    sequence = fields.Integer(default=10)
    kind = fields.Selection(FEE_KINDS, required=True)
    basis = fields.Selection(
        RATE_KINDS + SCALE_KINDS, string="Legal Basis", help="The rate or scale applied."
    )
    # Deleting an invoice must not rewrite what a sent letter claimed on it.
    move_id = fields.Many2one(
        "account.move", string="Invoice", ondelete="restrict", help="Empty for a letter-wide fee."
    )
    date_from = fields.Date()
    date_to = fields.Date()
    days = fields.Integer()
    rate = fields.Float(string="Rate (%)", digits=(16, 2))
    base_amount = fields.Monetary(string="On Amount")
    amount = fields.Monetary()

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sent_letter(self):
        # Fee lines of letters still to send are computed again; those sent are frozen.
        sent = self.letter_id.filtered(lambda ltr: ltr._dunning_is_evidence())
        if sent:
            raise UserError(
                self.env._(
                    "Letter %(letter)s went out to the customer: the fees and interest it "
                    "claimed are kept as evidence and cannot be deleted.",
                    letter=sent[0].name,
                )
            )

    # ------------------------------------------------------------------ computation

    @api.model
    def _dunning_compute(self, letters, as_of=None):
        """Replace the fee lines of ``letters`` by their claim on ``as_of`` (default: each
        letter's date) and set what the first reminder must announce.

        :return: the ids of the letters whose fees cannot be computed because a rate or
            scale is missing; they get no fee line and say why in ``fee_error``.
        """
        letters = letters.filtered(lambda ltr: ltr.state in ("draft", "to_approve"))
        if not letters:
            return set()
        claims = self._dunning_claims(self._dunning_claim_inputs(letters), as_of)
        by_flags = defaultdict(list)  # one write per distinct set of values
        for letter_id, claim in claims.items():
            by_flags[tuple(sorted(claim.flags.items()))].append(letter_id)
        for flags, letter_ids in by_flags.items():
            self.env["dunning.letter"].browse(letter_ids).write(dict(flags))
        letters.fee_line_ids.unlink()
        # A run claims fees on tens of thousands of invoices: one COPY, not create().
        bulk_create(self, [vals for claim in claims.values() for vals in claim.fees])
        return {letter_id for letter_id, claim in claims.items() if claim.flags["fee_error"]}

    @api.model
    def _dunning_claim_inputs(self, letters):
        """What the claims of ``letters`` are computed from, read in a fixed number of queries."""
        letters.fetch(
            ["date", "channel", "currency_id", "company_id", "policy_id", "amount_credit"]
        )
        lines = letters.line_ids
        lines.fetch(["letter_id", "move_id", "date_due", "amount_residual"])
        by_letter = defaultdict(list)
        for line in lines:
            by_letter[line.letter_id.id].append(
                ClaimLine(line.id, line.move_id.id, line.date_due, line.amount_residual)
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
            )
            for letter in letters
        ]

    @api.model
    def _dunning_claims(self, inputs, as_of=None, messages=None):
        """``{letter id: LetterClaim}`` of the letters described by ``inputs`` (ClaimLetter),
        on ``as_of`` or each letter's date. Nothing is written: a run computes the claims of
        letters it has not inserted yet, and inserts them with their final amounts.

        :param messages: ``{(kind, day): text}`` of missing rates already worded, shared by
            the batches of a run
        """
        ctx = self._dunning_context(inputs)
        claims = {}
        messages = {} if messages is None else messages
        for letter in inputs:
            # the handlers see the policy and the currency as plain values
            letter = letter._replace(
                policy=self._dunning_terms(letter.policy, ctx),
                currency=self._dunning_money(letter.currency, ctx),
            )
            flags = {
                "is_first_reminder": False,
                "costs_from": False,
                "amount_fees_announced": 0.0,
                "fee_error": False,
            }
            try:
                lines, found = self._dunning_letter_claim(letter, as_of or letter.date, ctx)
            except MissingRateError as error:
                lines, found = [], {}
                # thousands of letters miss the same rate: one message per rate and day
                key = (error.kind, error.day)
                if key not in messages:
                    messages[key] = self.env["dunning.letter"]._dunning_missing_rate_message(error)
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
    def _dunning_context(self, inputs):
        """Everything the claims of a batch of letters need, in a fixed number of queries."""
        letter_ids = [letter.id for letter in inputs]
        move_ids = list({line.move_id for letter in inputs for line in letter.lines})
        # fee invoices of earlier letters are not charged interest or fees again
        fee_moves = self.env["account.move"].search(
            [("id", "in", move_ids), ("dunning_fee_letter_id", "!=", False)]
        )
        sent_lines = self.env["dunning.letter.line"].search_fetch(
            [
                ("move_id", "in", move_ids),
                ("state", "=", "sent"),
                ("letter_id", "not in", letter_ids),
            ],
            ["move_id", "letter_id"],
        )
        sent_lines.letter_id.fetch(["sent_date", "channel"])
        reminders = defaultdict(list)  # move id -> [(sent date, channel, letter id)], by date
        for line in sent_lines:
            letter = line.letter_id
            if letter.channel in DURABLE_CHANNELS and letter.sent_date:
                reminders[line.move_id.id].append((letter.sent_date, letter.channel, letter.id))
        for items in reminders.values():
            items.sort()
        # Fees already booked on the fee invoices of earlier letters are not booked twice.
        invoiced = self.search_fetch(
            [
                ("letter_id", "not in", letter_ids),
                ("letter_id.fee_move_id.state", "=", "posted"),
                ("letter_id.move_ids", "in", move_ids),
                ("kind", "!=", "invoiced"),
            ],
            ["letter_id", "move_id", "kind", "amount"],
        )
        invoiced.letter_id.fetch(["move_ids"])
        return {
            "fee_move_ids": set(fee_moves.ids),
            "reminders": reminders,
            "invoiced": [
                (fee.kind, fee.move_id.id, set(fee.letter_id.move_ids.ids), fee.amount)
                for fee in invoiced
            ],
            "rates": self.env["dunning.legal.rate"]._dunning_periods(
                [kind for kind, _label in RATE_KINDS]
            ),
            "scales": self.env["dunning.fee.scale"]._dunning_scales(
                [kind for kind, _label in SCALE_KINDS]
            ),
            # looked up once per batch, not once per invoice:
            "scale_on": {},  # (kind, day) -> (Money, minimum, maximum, bands) or None
            "fx": {},  # (from, to, company, day) -> conversion rate
            "terms": {},  # policy id -> PolicyTerms
            "money": {},  # currency id -> Money
            "nl_demanded": self._dunning_nl_demanded(inputs),
        }

    @api.model
    def _dunning_terms(self, policy, ctx):
        if policy.id not in ctx["terms"]:
            ctx["terms"][policy.id] = PolicyTerms(*(policy[f] for f in PolicyTerms._fields))
        return ctx["terms"][policy.id]

    @api.model
    def _dunning_money(self, currency, ctx):
        if currency.id not in ctx["money"]:
            ctx["money"][currency.id] = Money(currency, currency.rounding)
        return ctx["money"][currency.id]

    @api.model
    def _dunning_convert(self, amount, from_money, to_money, company, day, ctx):
        """``res.currency._convert()``, with the rate looked up once per day."""
        if not amount:
            return 0.0
        key = (from_money.record.id, to_money.record.id, company.id, day)
        if key not in ctx["fx"]:
            ctx["fx"][key] = self.env["res.currency"]._get_conversion_rate(
                from_money.record, to_money.record, company, day
            )
        return to_money.round(amount * ctx["fx"][key])

    @api.model
    def _dunning_letter_claim(self, letter, day, ctx):
        """``(line values, flags)`` of one letter on ``day``, by its policy's legal regime."""
        lines = sorted(
            (ln for ln in letter.lines if ln.move_id not in ctx["fee_move_ids"]),
            key=lambda ln: (ln.date_due or date.min, ln.id),
        )
        principal = self._dunning_principals(letter, lines)
        handler = getattr(self, f"_dunning_claim_{letter.policy.legal_regime}", None)
        if not handler or not principal:
            return [], {}
        claim, flags = handler(letter, day, principal, ctx)
        claim = [vals for vals in claim if not letter.currency.is_zero(vals["amount"])]
        return claim + self._dunning_already_invoiced(letter, claim, ctx), flags

    def _dunning_principals(self, letter, lines):
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

    def _dunning_claim_be_b2b(self, letter, day, principal, ctx):
        """Law of 2 August 2002: interest from the day after the due date at the half-yearly
        rate, and the fixed recovery compensation for each invoice, both without notice."""
        claim = []
        for line, amount in principal.items():
            claim += self._dunning_interest(
                letter, line, amount, line.date_due + timedelta(days=1), day, "be_late_payment", ctx
            )
            claim.append(
                self._dunning_scale_fee(
                    letter, "recovery", "be_b2b_recovery", day, amount, ctx, line
                )
            )
        return claim, {}

    def _dunning_claim_be_b2c(self, letter, day, principal, ctx):
        """Book XIX: the first reminder is free and announces the damages; nothing is due
        before its 14-day waiting period has ended."""
        policy = letter.policy
        chargeable, first = {}, False
        for line, amount in principal.items():
            sent = ctx["reminders"].get(line.move_id)
            if not sent:
                first = True
                continue
            start = be_b2c_costs_from(sent[0][0], sent[0][1])
            if day >= start:
                chargeable[line] = (amount, start)
        flags = {"is_first_reminder": first}
        total = sum(principal.values())
        if first:
            flags["costs_from"] = be_b2c_costs_from(day, letter.channel)
            if policy.fee_clause:
                flags["announced"] = self._dunning_be_b2c_damages(
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
            claim += self._dunning_interest(
                letter, line, amount, start, day, kind, ctx, periods=periods
            )
        if chargeable and policy.fee_clause:
            count = self._dunning_chargeable_reminders(letter, chargeable, ctx)
            claim.append(
                self._dunning_be_b2c_damages(
                    letter, day, sum(amount for amount, _start in chargeable.values()), count, ctx
                )
            )
        return claim, flags

    def _dunning_be_b2c_damages(self, letter, day, base, reminders, ctx):
        """The lump sum of the scale, or the capped fee for each reminder after the first:
        one or the other, never both (docs/LEGAL.md §5.5)."""
        if letter.policy.b2c_damages == "reminder":
            fee = self._dunning_scale_fee(letter, "reminder", "be_b2c_reminder", day, base, ctx)
            fee["amount"] = letter.currency.round(fee["amount"] * reminders)
            return fee
        return self._dunning_scale_fee(letter, "lump_sum", "be_b2c_lump_sum", day, base, ctx)

    def _dunning_chargeable_reminders(self, letter, chargeable, ctx):
        """This letter and the earlier reminders sent once the waiting period was over."""
        letter_ids = {letter.id}
        for line, (_amount, start) in chargeable.items():
            for sent_date, _channel, letter_id in ctx["reminders"].get(line.move_id, [])[1:]:
                if sent_date >= start:
                    letter_ids.add(letter_id)
        return len(letter_ids)

    def _dunning_claim_nl_b2c(self, letter, day, principal, ctx):
        """Art. 6:96 BW: collection costs of the WIK scale, over all the claims together, once
        the 14 days of the first letter (the veertiendagenbrief) have passed; statutory
        interest from the day after the due date."""
        claim, flags, chargeable = [], {}, {}
        first = False
        for line, amount in principal.items():
            claim += self._dunning_interest(
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
            flags["announced"] = self._dunning_nl_wik(letter, day, principal, principal, ctx)[
                "amount"
            ]
        if chargeable:
            claim.append(self._dunning_nl_wik(letter, day, principal, chargeable, ctx))
        return claim, flags

    def _dunning_claim_nl_b2b(self, letter, day, principal, ctx):
        """Art. 6:96 lid 4 and 6:119a BW: collection costs of the WIK scale (at least EUR 40)
        for each invoice, and commercial interest from the day after the due date."""
        claim = []
        for line, amount in principal.items():
            claim += self._dunning_interest(
                letter, line, amount, line.date_due + timedelta(days=1), day, "nl_commercial", ctx
            )
            claim.append(
                self._dunning_scale_fee(letter, "collection", "nl_wik", day, amount, ctx, line)
            )
        return claim, {}

    # ------------------------------------------------------------------ building blocks

    def _dunning_interest(self, letter, line, amount, start, day, kind, ctx, periods=None):
        # A policy that claims no interest needs no rate either.
        if not letter.policy.claim_interest:
            return []
        periods = ctx["rates"][kind] if periods is None else periods
        currency = letter.currency
        return [
            {
                "kind": "interest",
                "basis": kind,
                "move_id": line.move_id,
                "date_from": date_from,
                "date_to": date_to,
                "days": days,
                "rate": rate,
                "base_amount": amount,
                "amount": currency.round(value),
                "sequence": 10,
            }
            for date_from, date_to, days, rate, value in interest(amount, start, day, periods, kind)
        ]

    def _dunning_scale_fee(self, letter, kind, scale_kind, day, base, ctx, line=None):
        amount = 0.0
        if letter.policy.claim_fees:
            if (scale_kind, day) not in ctx["scale_on"]:
                scale = ctx["scales"][scale_kind]._on(day)
                ctx["scale_on"][scale_kind, day] = scale and (
                    self._dunning_money(scale.currency_id, ctx),
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
                base_in_scale = self._dunning_convert(
                    base, currency, scale_money, company, day, ctx
                )
                amount = self._dunning_convert(
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

    def _dunning_already_invoiced(self, letter, claim, ctx):
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
    def _dunning_nl_demanded(self, inputs):
        """``{(customer id, currency id): [(first reminder date, invoice id, residual)]}``:
        the open invoices of the Dutch consumers of ``inputs`` that a durable reminder
        already demanded, in two queries; empty when no letter is under ``nl_b2c``."""
        letters = [ltr for ltr in inputs if ltr.policy.legal_regime == "nl_b2c"]
        if not letters:
            return {}
        moves = self.env["account.move"].browse(
            {line.move_id for letter in letters for line in letter.lines}
        )
        moves.fetch(["commercial_partner_id"])
        lines = self.env["dunning.letter.line"].search_fetch(
            [
                ("move_id.commercial_partner_id", "in", moves.commercial_partner_id.ids),
                ("move_id.company_id", "in", list({ltr.company.id for ltr in letters})),
                ("move_id.amount_residual", ">", 0),
                ("move_id.dunning_fee_letter_id", "=", False),
                ("state", "=", "sent"),
                ("letter_id.channel", "in", DURABLE_CHANNELS),
            ],
            ["move_id", "letter_id"],
        )
        lines.move_id.fetch(["commercial_partner_id", "currency_id", "amount_residual"])
        lines.letter_id.fetch(["sent_date"])
        first = {}
        for line in lines:
            sent = line.letter_id.sent_date
            if sent and (line.move_id not in first or sent < first[line.move_id]):
                first[line.move_id] = sent
        demanded = defaultdict(list)
        for move, sent in first.items():
            key = (move.commercial_partner_id.id, move.currency_id.id)
            demanded[key].append((sent, move.id, move.amount_residual))
        return {
            "partner": {move.id: move.commercial_partner_id.id for move in moves},
            "demanded": demanded,
        }

    def _dunning_nl_wik(self, letter, day, principal, charged, ctx):
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
            key = (data["partner"][next(iter(own))], letter.currency.record.id)
            queue += [
                ((sent, move_id), residual)
                for sent, move_id, residual in data["demanded"].get(key, [])
                if move_id not in own
            ]

        def wik(base):
            return self._dunning_scale_fee(letter, "collection", "nl_wik", day, base, ctx)["amount"]

        before = total = 0.0
        for (_sent, move_id), amount in sorted(queue):
            if move_id in charged:
                total += wik(before + amount) - (wik(before) if before else 0.0)
            before += amount
        fee = self._dunning_scale_fee(letter, "collection", "nl_wik", day, 0.0, ctx)
        fee.update(base_amount=sum(charged.values()), amount=letter.currency.round(total))
        return fee
