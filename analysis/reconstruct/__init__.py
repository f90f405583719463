"""Synthesis of reference cohorts calibrated to the published aggregates.

Generic engine (no study names):

- :mod:`~analysis.reconstruct.allocation`: exact allocation of counts (joint tables by a
  stratum, exclusive categories, overlapping flags with an "at least one" total);
- :mod:`~analysis.reconstruct.sprite`: SPRITE-style search of values on a bounded
  scale with a mean, SD and bands of exact counts;
- :mod:`~analysis.reconstruct.dropout`: monotone dropout with n per visit;
- :mod:`~analysis.reconstruct.trajectories`: rank-coupled patient trajectories and
  count-preserving swaps (responders);
- :mod:`~analysis.reconstruct.transitions`: visit-to-visit transition tables calibrated
  to per-category McNemar p-values, and patients' paths through them;
- :mod:`~analysis.reconstruct.event_times`: event and censoring times from visit states;
- :mod:`~analysis.reconstruct.goals`, :mod:`~analysis.reconstruct.anneal`,
  :mod:`~analysis.reconstruct.fastfit`: what a search must hit, the margin-preserving
  annealing search, fast fits that steer it;
- :mod:`~analysis.reconstruct.write`: deterministic CSV with a synthetic-data README.

Study recipes: ``ferrucci2022*`` and ``matsutani2021``; each exposes ``SEED`` and
``build(seed, n) -> Dataset`` for ``dupitac synthesize``. A build that cannot make its
seed reproduce every published number within its budget (counted in iterations or
draws, never seconds) raises :class:`~analysis.reconstruct.goals.TargetsMissed`
naming the numbers missed; nothing is written.
"""
