"""The next-best-action policy: what to do about each open case today.

- :mod:`~mahnwerk.ml.nba.views` – what the policy sees of a case, and its actions;
- :mod:`~mahnwerk.ml.nba.features` – the inputs (a whitelist, checked for protected
  attributes);
- :mod:`~mahnwerk.ml.nba.bayes` – small Bayesian models that learn online;
- :mod:`~mahnwerk.ml.nba.policy` – the policy (Thompson sampling over reach, payment and
  complaint models) and its online learner;
- :mod:`~mahnwerk.ml.nba.offline` – inverse propensity and doubly robust evaluation;
- :mod:`~mahnwerk.ml.nba.session` – the JSON Lines conversation of ``mahnwerk nba session``;
- :mod:`~mahnwerk.ml.nba.training` – the policy in the simulator's contact world, and the
  shipped prior (``prior.npz``).
"""
