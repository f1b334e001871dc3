from collections import Counter

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class DunningAssignmentRule(models.Model):
    """Which collector follows a customer that reaches its first level without one.

    The rules of the company are tried in sequence; the first whose conditions all hold (an
    empty condition holds for everyone) gives the collector. When none does, the customer goes
    to the company's collector with the fewest customers (round robin by workload)."""

    _name = "dunning.assignment.rule"
    _description = "Collector Assignment Rule"
    _order = "sequence, id"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one(
        "res.users",
        string="Collector",
        required=True,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
    )
    lang = fields.Selection(
        selection="_selection_lang",
        string="Language",
        help="Customers who read this language; empty: any language.",
    )
    customer_kind = fields.Selection(
        [("b2b", "Business"), ("b2c", "Consumer")],
        help="Businesses or consumers; empty: both.",
    )
    amount_min = fields.Monetary(
        string="From Amount", help="Overdue amount from which the rule applies (included)."
    )
    amount_max = fields.Monetary(
        string="Below Amount", help="Overdue amount below which the rule applies; 0: no limit."
    )
    salesperson_ids = fields.Many2many(
        "res.users",
        string="Salespeople",
        help="Customers of these salespeople (a sales team); empty: any salesperson.",
    )

    @api.model
    def _selection_lang(self):
        return self.env["res.lang"].get_installed()

    @api.constrains("amount_min", "amount_max")
    def _check_amounts(self):
        for rule in self:
            if rule.amount_min < 0 or rule.amount_max < 0:
                raise ValidationError(self.env._("The amounts of a rule cannot be negative."))
            if rule.amount_max and rule.amount_max <= rule.amount_min:
                raise ValidationError(
                    self.env._(
                        "Rule for %(collector)s: the upper amount must be above the lower one.",
                        collector=rule.user_id.name,
                    )
                )

    def _matches(self, partner, amount):
        self.ensure_one()
        return (
            (not self.lang or partner.lang == self.lang)
            and (not self.customer_kind or partner.dunning_customer_kind == self.customer_kind)
            and amount >= self.amount_min
            and (not self.amount_max or amount < self.amount_max)
            and (not self.salesperson_ids or partner.user_id in self.salesperson_ids)
        )

    @api.model
    def _assign(self, company, amounts):
        """Give a collector to the customers of ``amounts`` ({customer: overdue amount in
        company currency}) that have none; returns {customer: collector}."""
        rules = self.sudo().search([("company_id", "=", company.id)])
        pool = company.sudo()._dunning_collector_pool()
        if not rules and not pool:
            # nobody to assign: a company without collectors pays nothing for reading 30,000
            # customers
            return {}
        partners = (
            self.env["res.partner"]
            .concat(*amounts)
            .filtered(lambda partner: not partner.dunning_user_id)
        )
        if not partners:
            return {}
        workload = Counter()
        if pool:
            workload.update(
                {
                    user.id: count
                    for user, count in self.env["res.partner"]
                    .sudo()
                    .with_context(active_test=False)
                    ._read_group(
                        [("dunning_user_id", "in", pool.ids)], ["dunning_user_id"], ["__count"]
                    )
                }
            )
        assigned = {}
        # the largest debts first: they go to the least busy collectors
        for partner in partners.sorted(lambda p: (-amounts[p], p.id)):
            rule = next((r for r in rules if r._matches(partner, amounts[partner])), None)
            if rule:
                user = rule.user_id
            elif pool:
                user = min(pool, key=lambda u: (workload[u.id], u.id))
            else:
                continue
            workload[user.id] += 1
            assigned[partner] = user
        for user in set(assigned.values()):
            self.env["res.partner"].concat(
                *(partner for partner, collector in assigned.items() if collector == user)
            ).sudo().write({"dunning_user_id": user.id})
        return assigned
