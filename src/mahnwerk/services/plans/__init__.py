"""Payment plans from affordability: proposals from what the debtor states, the choice,
the agent's decision and the checks (``offers``); the plan-completion model's versions and
scores (``completion``)."""
