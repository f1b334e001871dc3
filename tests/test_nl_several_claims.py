"""Art. 6:96 lid 7 BW: a Dutch consumer's claims share one fourteen-day letter and one WIK
scale (docs/LEGAL.md section 7)."""

from .common import d
from .test_fees import FeeCase


class TestDutchSeveralClaims(FeeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.nl_b2c = cls.policy_b2c.copy({"name": "NL consumers", "legal_regime": "nl_b2c"})
        cls.dutch_consumer = cls.make_partner(
            "Sanne de Vries", is_company=False, lang="nl_NL", dunning_policy_id=cls.nl_b2c.id
        )
        # Levels of the consumer policy: first reminder 7 days after the due date (5 grace
        # days), the second 25 days after it.
        cls.a = cls.make_invoice(cls.dutch_consumer, 100.0, d("2025-03-03"))
        cls.b = cls.make_invoice(cls.dutch_consumer, 100.0, d("2025-03-05"))
        cls.c = cls.make_invoice(cls.dutch_consumer, 100.0, d("2025-03-07"))

    def collection(self, letter):
        return sum(letter.fee_line_ids.filtered(lambda f: f.kind == "collection").mapped("amount"))

    def fourteen_day_letter(self):
        letter = self.letter_on("2025-03-10", self.dutch_consumer)
        letter._dunning_send(sent_date=d("2025-03-10"))
        return letter

    def test_claims_overdue_at_the_fourteen_day_letter_go_in_it(self):
        letter = self.fourteen_day_letter()
        # B and C are overdue on 10 March although not due for a reminder of their own yet.
        self.assertEqual(letter.move_ids, self.a | self.b | self.c)
        self.assertTrue(letter.is_first_reminder)
        self.assertEqual(letter.amount_fees_announced, 45.0, "WIK on 300, not 3 x 40")
        self.assertEqual(letter.costs_from, d("2025-03-25"))
        for day in ("2025-03-12", "2025-03-14"):
            run = self.run_dunning(d(day))
            self.assertFalse(
                run.letter_ids.filtered(lambda ltr: ltr.partner_id == self.dutch_consumer),
                "no second fourteen-day letter, with its own costs, for B or C",
            )
        second = self.letter_on("2025-04-01", self.dutch_consumer)
        self.assertEqual(second.move_ids, self.a | self.b | self.c)
        self.assertEqual(self.collection(second), 45.0)
        self.assertEqual(second.fee_line_ids.filtered("basis").mapped("basis").count("nl_wik"), 1)

    def test_a_claim_due_after_the_letter_adds_only_what_the_scale_adds(self):
        self.fourteen_day_letter()
        later = self.make_invoice(self.dutch_consumer, 100.0, d("2025-03-12"))
        own = self.letter_on("2025-03-19", self.dutch_consumer)
        self.assertEqual(own.move_ids, later)
        self.assertTrue(own.is_first_reminder, "it still needs its own fourteen days")
        # WIK on 400 (60) minus the 45 already announced on 300: 15, not a minimum of 40.
        self.assertEqual(own.amount_fees_announced, 15.0)
        own._dunning_send(sent_date=d("2025-03-19"))
        first_three = self.letter_on("2025-04-01", self.dutch_consumer)
        first_three._dunning_send(sent_date=d("2025-04-01"))
        last = self.letter_on("2025-04-06", self.dutch_consumer)
        self.assertEqual(last.move_ids, later)
        self.assertEqual(
            (self.collection(first_three), self.collection(last)),
            (45.0, 15.0),
            "together 60: the WIK scale on the summed principal of 400",
        )

    def test_letters_split_by_the_schedule_share_one_scale(self):
        self.fourteen_day_letter()
        # The second reminders fall on 28 March, 30 March and 1 April: three letters.
        letters = self.env["dunning.letter"]
        for day in ("2025-03-28", "2025-03-30", "2025-04-01"):
            letters |= self.letter_on(day, self.dutch_consumer)
        self.assertEqual([ltr.move_ids for ltr in letters], [self.a, self.b, self.c])
        self.assertEqual([self.collection(ltr) for ltr in letters], [40.0, 0.0, 5.0])

    def test_a_paid_claim_leaves_the_sum(self):
        self.fourteen_day_letter()
        self.pay(self.a, 100.0, d("2025-03-20"))
        second = self.letter_on("2025-04-01", self.dutch_consumer)
        self.assertEqual(second.move_ids, self.b | self.c)
        self.assertEqual(self.collection(second), 40.0, "WIK on the 200 still owed")
