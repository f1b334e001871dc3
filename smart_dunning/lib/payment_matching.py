"""Which open invoices a customer's payment pays, read from the reference it quotes.

A payment or a bank line may quote a payment plan, a letter, or invoices (their number or
their structured communication). Plans come first: their one reference is quoted on every
instalment, and it must never be mistaken for something else.
"""

import re

from .open_invoice import OPEN_PAYMENT_STATES
from .structured_communication import find_ogms

# Banks cut or join the communication freely: words are split on blanks and punctuation that
# never appears inside an invoice number.
_SEPARATORS = re.compile(r"[\s,;]+")


def reference_candidates(text):
    """What in a communication may be a reference: its structured communications, its words
    and the whole text, without duplicates."""
    text = (text or "").strip()
    words = [word.strip(".:()[]") for word in _SEPARATORS.split(text)]
    return list(dict.fromkeys(ref for ref in (*find_ogms(text), *words, text) if ref))


def find_documents(env, payments):
    """The plan, letter or invoices each payment quotes.

    :param payments: ``{key: (communication, partner, company)}``; the partner may be empty
        (a bank line of an unknown payer)
    :return: ``{key: (document, customer)}`` where ``document`` is a ``dunning.plan``, a
        ``dunning.letter`` or ``account.move`` invoices, all of the same customer and company
        as the payment
    """
    found = {}
    rest = dict(payments)
    for model in ("dunning.plan", "dunning.letter"):
        for key, document in env[model]._find_by_references(rest).items():
            found[key] = (document, document.partner_id)
            del rest[key]
    found.update(_find_invoices(env, rest))
    return found


def _find_invoices(env, payments):
    candidates = {key: reference_candidates(text) for key, (text, _p, _c) in payments.items()}
    references = {ref for refs in candidates.values() for ref in refs}
    if not references:
        return {}
    companies = {company.id for _t, _p, company in payments.values()}
    invoices = (
        env["account.move"]
        .sudo()
        .search_fetch(
            [
                ("company_id", "in", list(companies)),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", OPEN_PAYMENT_STATES),
                "|",
                ("name", "in", list(references)),
                ("payment_reference", "in", list(references)),
            ],
            ["name", "payment_reference", "company_id", "commercial_partner_id"],
        )
    )
    by_reference = {}
    for invoice in invoices:
        for ref in {invoice.name, invoice.payment_reference} - {False}:
            by_reference.setdefault((ref, invoice.company_id), invoice.browse())
            by_reference[ref, invoice.company_id] |= invoice
    found = {}
    for key, (_text, partner, company) in payments.items():
        quoted = env["account.move"].sudo()
        for ref in candidates[key]:
            quoted |= by_reference.get((ref, company), quoted.browse())
        customer = partner.commercial_partner_id if partner else quoted[:1].commercial_partner_id
        # A payment quoting invoices of several customers, or of another one, is left for a
        # person to match.
        if quoted and quoted.commercial_partner_id == customer:
            found[key] = (quoted.with_env(env), customer)
    return found


def reconcile_with_invoices(invoices, credit_lines):
    """Reconcile the payment's lines with the invoices' open receivable lines.

    Odoo's reconciliation takes the oldest due date first; what the payment does not cover
    stays open on the last invoices, and what it pays too much stays on the customer's account
    as a credit.

    :return: the invoices that got something, empty if nothing could be matched
    """
    moves = invoices.filtered(
        lambda m: m.state == "posted" and m.payment_state in OPEN_PAYMENT_STATES
    )
    account = credit_lines.account_id[:1]
    debit_lines = moves.line_ids.filtered(
        lambda line: line.account_id == account and not line.reconciled
    )
    if not (account and debit_lines):
        return invoices.browse()
    # The user's rights, not the document's (found as superuser), do the accounting.
    debit_lines = debit_lines.with_env(credit_lines.env)
    (credit_lines.filtered(lambda line: line.account_id == account) | debit_lines).reconcile()
    return debit_lines.move_id


def reconcile_document(document, credit_lines):
    """Reconcile the payment's lines with what ``find_documents`` found: a plan or a letter
    notes it on its chatter, invoices show the payment themselves."""
    if document._name == "account.move":
        return bool(reconcile_with_invoices(document, credit_lines))
    return document._reconcile(credit_lines)


def pick_by_reference(records, payments, candidates):
    """``{payment key: record}``: for each payment, the first of its candidate references that
    is the payment reference or the name of one of ``records`` (letters, plans) in the
    payment's company, and of the payment's customer when the payment names one."""
    by_reference = {}
    for record in records:
        by_reference[record.payment_reference, record.company_id] = record
        by_reference[record.name, record.company_id] = record
    found = {}
    for key, (_text, partner, company) in payments.items():
        for ref in candidates[key]:
            record = by_reference.get((ref, company))
            if record and (not partner or partner.commercial_partner_id == record.partner_id):
                found[key] = record
                break
    return found
