"""Use cases of enforcement and title monitoring: the forms of a stored case, the measure
proposal and its approval, outcomes, the monitoring schedule in the daily run, insolvency
notices (import, review, effects) and the Forderungsanmeldung.

Each use case is a plain function taking the session of one transaction and the acting
:class:`~mahnwerk.services.actor.Actor`.
"""
