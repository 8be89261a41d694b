"""Who decides an approval (issue 20, "Roles"): only a team lead, never the one who proposed
the step; compliance, administrators, agents and creditors are refused. Every approval path
(workflow, court, enforcement, the lead's page) asks :func:`approval_refusal`."""

from __future__ import annotations

import pytest

from mahnwerk.services.actor import SYSTEM, Actor, approval_refusal

REFUSED = "nur die Teamleitung entscheidet Freigaben (Rolle teamlead)"


@pytest.mark.parametrize("role", ["compliance", "admin", "agent", "creditor"])
def test_only_a_team_lead_decides(role):
    assert approval_refusal(Actor("user", "9", role), "user:3") == REFUSED
    assert approval_refusal(Actor("apikey", "9", role), "user:3") == REFUSED


def test_a_team_lead_decides_but_not_what_they_proposed_and_never_the_system():
    lead = Actor("user", "7", "teamlead")
    assert approval_refusal(lead, "user:3") is None
    assert approval_refusal(lead, "user:7") is not None
    assert approval_refusal(SYSTEM) == "Freigaben entscheidet ein Mensch, nicht das System"
