"""Pure helpers of the addon: no model is defined here, so they can be read and tested alone."""
