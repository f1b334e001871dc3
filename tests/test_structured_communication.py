"""Structured communication check digits (LEGAL.md section 3)."""

from odoo.addons.smart_dunning.lib.structured_communication import format_ogm, is_valid_ogm

from .common import DunningCase


class TestStructuredCommunication(DunningCase):
    def test_known_vectors(self):
        self.assertEqual(format_ogm(1234567890), "+++123/4567/89002+++")
        self.assertEqual(format_ogm("0851927541"), "+++085/1927/54115+++")

    def test_remainder_zero_gives_97(self):
        self.assertEqual(format_ogm(0), "+++000/0000/00097+++")
        self.assertEqual(format_ogm(97), "+++000/0000/09797+++")

    def test_validation(self):
        self.assertTrue(is_valid_ogm("+++123/4567/89002+++"))
        self.assertFalse(is_valid_ogm("+++123/4567/89003+++"), "wrong check digits")
        self.assertFalse(is_valid_ogm("123/4567/89002"), "missing pluses")
        self.assertFalse(is_valid_ogm(""))

    def test_base_longer_than_ten_digits_is_refused(self):
        with self.assertRaises(ValueError):
            format_ogm(12345678901)
