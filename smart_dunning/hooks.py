def post_init_hook(env):
    """Every existing company gets its default B2B and B2C policies."""
    env["res.company"].search([])._dunning_ensure_default_policies()
