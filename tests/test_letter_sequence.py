"""Letter references come from the ir.sequence 'dunning.letter', drawn in one block per run."""

from odoo.exceptions import UserError

from .common import DunningCase, d

DUE = d("2026-03-02")
RUN_DAY = d("2026-03-09")


class TestLetterSequence(DunningCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sequence = cls.env.ref("smart_dunning.seq_dunning_letter")

    def setUp(self):
        super().setUp()
        # a known start, whatever other tests drew before (a PostgreSQL sequence does not
        # roll back)
        self.sequence.number_next_actual = 700

    def customers_with_an_invoice(self, count, tag):
        partners = self.env["res.partner"]
        for number in range(count):
            partner = self.make_partner(f"Klant {tag}-{number:02d} BV")
            self.make_invoice(partner, 100.0 + number, DUE)
            partners |= partner
        return partners

    def manual_letter(self, company, on_date=None):
        policy = company.dunning_policy_b2b_id
        vals = {
            "partner_id": self.customer.id,
            "company_id": company.id,
            "currency_id": company.currency_id.id,
            "policy_id": policy.id,
            "level_id": policy.level_ids.sorted("sequence")[:1].id,
            "channel": "email",
        }
        if on_date:
            vals["date"] = on_date
        return self.env["dunning.letter"].create(vals)

    def test_a_run_numbers_its_letters_in_one_block_then_a_manual_letter_follows(self):
        customers = self.customers_with_an_invoice(5, "seq")
        letters = self.run_dunning(RUN_DAY).letter_ids.sorted("id")
        self.assertEqual(letters.partner_id, customers)
        self.assertEqual(
            letters.mapped("name"), [f"DUN/2026/{number:06d}" for number in range(700, 705)]
        )
        # outside Belgium the customer pays with the letter's reference
        self.assertNotEqual(self.company.country_id.code, "BE")
        self.assertEqual(letters.mapped("payment_reference"), letters.mapped("name"))
        manual = self.manual_letter(self.company, on_date=d("2025-12-31"))
        self.assertEqual(manual.name, "DUN/2025/000705", "the year is the letter's")
        later = self.customers_with_an_invoice(2, "seq2")
        second = self.run_dunning(d("2026-03-10")).letter_ids.filtered(
            lambda ltr: ltr.partner_id in later
        )
        self.assertEqual(sorted(second.mapped("name")), ["DUN/2026/000706", "DUN/2026/000707"])
        everything = self.env["dunning.letter"].search([("name", "like", "DUN/%")])
        self.assertEqual(len(everything), len(set(everything.mapped("name"))), "no name twice")

    def test_a_company_with_its_own_sequence_uses_it(self):
        other = self.setup_other_company(name="Coop NL")["company"]
        self.env["ir.sequence"].create(
            {
                "name": "Letters of Brouwerij",
                "code": "dunning.letter",
                "prefix": "BRW/%(year)s/",
                "padding": 4,
                "company_id": self.company.id,
                "implementation": "no_gap",
            }
        )
        self.customers_with_an_invoice(3, "own")
        letters = self.run_dunning(RUN_DAY).letter_ids.sorted("id")
        self.assertEqual(
            letters.mapped("name"), ["BRW/2026/0001", "BRW/2026/0002", "BRW/2026/0003"]
        )
        self.assertEqual(self.manual_letter(self.company).name[:9], "BRW/2026/")
        # the other company keeps the shared sequence, where it stood
        self.assertEqual(self.manual_letter(other, on_date=RUN_DAY).name, "DUN/2026/000700")

    def test_no_sequence_is_a_clear_error(self):
        self.sequence.active = False
        with self.assertRaisesRegex(UserError, "No sequence numbers the dunning letters"):
            self.manual_letter(self.company)

    def test_letters_numbered_by_id_before_the_sequence_keep_their_reference(self):
        letter = self.manual_letter(self.company)
        self.sequence.number_next_actual = 1
        self.env["dunning.letter"]._sequence_after_id_references()
        self.assertEqual(self.sequence.number_next_actual, letter.id + 1)
        # the next update moves nothing
        self.sequence.number_next_actual = letter.id + 5
        self.env["dunning.letter"]._sequence_after_id_references()
        self.assertEqual(self.sequence.number_next_actual, letter.id + 5)

    def test_a_run_draws_its_references_with_the_same_queries_for_2_or_20_letters(self):
        def queries(count, tag, day):
            customers = self.customers_with_an_invoice(count, tag)
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            run = self.run_dunning(day)
            self.env.cr.flush()
            spent = self.env.cr.sql_log_count - before
            letters = run.letter_ids.filtered(lambda ltr: ltr.partner_id in customers)
            self.assertEqual(len(letters), count)
            self.assertEqual(len(set(letters.mapped("name"))), count)
            return spent

        few = queries(2, "few", RUN_DAY)
        many = queries(20, "many", d("2026-03-10"))
        self.assertLessEqual(many, few)
