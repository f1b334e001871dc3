from odoo import api, models


class IrModuleModule(models.Model):
    _inherit = "ir.module.module"

    @api.model
    def _load_module_terms(self, modules, langs, overwrite=False):
        result = super()._load_module_terms(modules, langs, overwrite=overwrite)
        # Loading a language translates the shipped policies only (they have an XML id): the
        # companies' copies take their translations from them.
        self.env["res.company"].sudo().search([])._dunning_sync_translations()  # pylint: disable=no-search-all
        return result
