"""Window actions built one way: the buttons of the models and wizards open lists and forms
through these two helpers."""


def list_action(env, xmlid, domain, context=None):
    """The shipped window action ``xmlid`` narrowed to ``domain``; ``context``, when given,
    replaces the action's own (``{"create": False}`` where records are made elsewhere)."""
    action = env["ir.actions.act_window"]._for_xml_id(xmlid)
    action["domain"] = domain
    if context is not None:
        action["context"] = context
    return action


def form_action(model, res_id=False, *, name=None, dialog=False, context=None):
    """The form of record ``res_id`` of ``model``, or of a new one without ``res_id``;
    ``dialog`` opens it over the current screen (wizards, quick creation)."""
    action = {
        "type": "ir.actions.act_window",
        "res_model": model,
        "view_mode": "form",
        "views": [(False, "form")],
    }
    if res_id:
        action["res_id"] = res_id
    if name:
        action["name"] = name
    if dialog:
        action["target"] = "new"
    if context:
        action["context"] = context
    return action
