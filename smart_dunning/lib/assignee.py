"""The language an activity is written in: its assignee's.

Jobs work in the company's language (``res.company._dunning_lang()``), and so do the chatter
notes they leave on records, which everyone reads. An activity has one reader, the user it
is assigned to: a French-speaking collector of a Flemish company reads French.
"""


def assignee_env(env, user):
    """``env`` in the language of ``user`` (a ``res.users``), to write the summary and the
    note of an activity assigned to that user; ``env`` itself when the user has no language
    or already shares it."""
    lang = user.sudo().lang if user else False
    if not lang or lang == env.lang:
        return env
    return env(context=dict(env.context, lang=lang))
