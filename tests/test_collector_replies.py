"""A customer's e-mail reply to a reminder reaches their collector."""

from odoo.tests import freeze_time

from .common import BelgianDunningCase, d

DUE = d("2026-03-02")
RUN_DAY = d("2026-03-09")


class TestRepliesRouted(BelgianDunningCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.collector = cls.make_user(
            "reply_collector", "base.group_user,smart_dunning.group_dunning_user", name="Rita Reply"
        )
        cls.customer.dunning_user_id = cls.collector
        cls.make_invoice(cls.customer, 300.0, DUE)

    def sent_letter(self):
        letter = self.run_dunning(RUN_DAY).letter_ids
        self.assertEqual(letter.channel, "email")
        with freeze_time(RUN_DAY):
            letter.action_send()
        self.assertEqual(letter.state, "sent")
        return letter

    def reply(self, letter, text, number=1):
        """The customer answers the reminder from their mailbox, through the mail gateway."""
        sent = letter.message_ids.filtered(lambda m: m.message_type == "comment")[:1]
        raw = (
            f"From: Brouwerij De Kroon <{self.customer.email}>\r\n"
            "To: collections@coop.example.com\r\n"
            f"Subject: Re: {letter.name}\r\n"
            f"Message-ID: <reply-{letter.id}-{number}@example.com>\r\n"
            f"In-Reply-To: {sent.message_id}\r\n"
            f"References: {sent.message_id}\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "\r\n"
            f"{text}\r\n"
        )
        with freeze_time("2026-03-10"):
            self.env["mail.thread"].message_process(False, raw)

    def test_the_collector_gets_the_reply_and_one_activity(self):
        letter = self.sent_letter()
        self.assertNotIn(self.collector.partner_id, letter.message_partner_ids)
        self.reply(letter, "We paid on Friday, see the attached proof.")
        reply = letter.message_ids.filtered(lambda m: m.message_type == "email")
        self.assertIn("We paid on Friday", reply.body, "the letter shows the reply")
        self.assertIn(self.collector.partner_id, letter.message_partner_ids)
        self.assertIn(self.collector.partner_id, self.customer.message_partner_ids)
        self.assertIn(
            self.collector.partner_id,
            reply.notification_ids.res_partner_id,
            "the collector is notified of the reply",
        )
        activity = letter.activity_ids
        self.assertEqual(
            (activity.activity_type_id, activity.user_id),
            (self.env.ref("smart_dunning.mail_activity_type_dunning_reply"), self.collector),
        )
        note = self.customer.message_ids[0]
        # in the language the mail gateway runs in
        self.assertIn("Brouwerij De Kroon", note.body)
        self.assertIn(letter.name, note.body)
        self.assertIn("We paid on Friday", note.body)
        # a second reply: one activity to read them
        self.reply(letter, "Did you get my mail?", number=2)
        self.assertEqual(len(letter.activity_ids), 1)

    def test_no_collector_no_activity_but_the_customer_thread_shows_it(self):
        letter = self.sent_letter()
        # nobody follows the customer (the run would have given it a collector)
        self.customer.dunning_user_id = False
        letter.user_id = False
        self.reply(letter, "Which invoice?")
        self.assertFalse(letter.activity_ids)
        self.assertIn("Which invoice?", self.customer.message_ids[0].body)

    def test_a_note_by_a_colleague_is_no_reply(self):
        letter = self.sent_letter()
        letter.with_user(self.collector).message_post(body="Checked", message_type="comment")
        self.assertFalse(letter.activity_ids)
