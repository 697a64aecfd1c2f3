"""Language exchange: reciprocal one-to-one pairing over a general graph, with a certified gap.

The model
---------
Applicants are the vertices of one general (non-bipartite) graph: anyone may pair with anyone.
Row ``i`` and column ``j`` of every n x n array are the applicants sorted by key; every array is
symmetric and its diagonal is infeasible.

A pair ``{a, b}`` is feasible (an edge) when all of these hold:

* **language** - a teaches b a language b learns, at a level above b's level in it, *and* b
  teaches a a language a learns, above a's level (ranks beginner 0 < intermediate 1 < advanced 2
  < native 3);
* **format** - not one ``online`` with one ``in_person``.  The meeting is *online* when either
  side is online-only; *in person* when either side is in-person-only (then the travel time must
  be within both limits, else the pair is infeasible); when both said ``either`` they meet in
  person if the travel time is within both limits and online otherwise, so travel never makes an
  either/either pair infeasible;
* **travel** - as above; a missing station or limit means in person is impossible;
* **time slots** - at least one weekly slot in common;
* **gender** - each side's preference (``any``/``female``/``male``) is met by the other's gender;
* **not forbidden** - the coordinator forbade it, or the two declined each other before.

Score: each criterion gives a value in [0, 1]; a pair's score is sum(weight x value), in points
(the default weights sum to 100, so a score is in [0, 100]).  Criteria:

* ``level_fit`` - per direction, the best language's (teacher rank - learner rank) /
  (3 - learner rank): the share of the way to native that the teacher covers (a native speaker
  is always 1); the mean of both directions;
* ``shared_interests`` - Jaccard index of the interest sets;
* ``time_overlap`` - shared slots / slots of the side with fewer slots;
* ``travel`` - in person: 1 - minutes / shorter limit; online: 0.5 (neither gain nor loss);
* ``fairness`` - (min(times unplaced, 3) of both) / 6: people left over before come first.

Objective: the most people paired, then the highest total score (lexicographic).  Per connected
component of the feasibility graph (``connected_components``), ``linear_sum_assignment`` on the
symmetric matrix ``M + score`` (feasible), 0 (diagonal = stay unpaired), -BIG (infeasible)
gives a maximum cycle cover; with ``M`` above any matching's total score the lexicographic order
is kept.  Half its value bounds the optimum from above (every matching is a cover made of
2-cycles and fixed points), and ``floor(bound / M)`` bounds the number of pairs.

* A cover without odd cycles of length >= 3 is optimal as a matching: 2-cycles are pairs and an
  even cycle gives its better alternating half (both halves are worth half the cycle).
* Otherwise an odd cycle drops the vertex whose removal leaves the best alternating path, the
  dropped vertices are re-paired where a direct edge or a path through one pair allows, and if
  the pair count is still below ``floor(bound / M)`` (and ``n // 2``), Edmonds' augmenting
  paths with blossoms finish it: no augmenting path left means the most pairs (Berge).  The
  best score at that pair count is then an integer programme (``scipy.optimize.milp``, HiGHS,
  the pair count fixed by one equality row), certified by HiGHS's dual bound (exact when it
  finishes within ``MILP_TIME_LIMIT_S``).  A component with more than ``EXACT_EDGE_LIMIT`` edges
  runs the milp
  on candidate edges (the cover's and each applicant's best ``CANDIDATES_PER_APPLICANT``); its
  score bound is then the Lagrangian ``min_mu FM(score + mu) - mu * pairs`` (FM = half a cycle
  cover), searched by bisection on the cover's cardinality (a subgradient).

Stats: ``upper_bound`` bounds the total score of every matching with at least as many pairs as
the answer (and ``pairs_upper_bound`` the number of pairs); ``gap = (upper_bound - total) /
upper_bound``.  Pins (coordinator-fixed pairs) are checked against every rule and taken out of
the graph first.  Same input, same answer, whatever the input order (applicants are sorted by
key).  Values are single precision; scores and bounds are summed in double precision.
"""

from __future__ import annotations

from matching.solver.exchange.arrays import Arrays, Encoded, build_arrays, encode, travel_minutes
from matching.solver.exchange.engine import ComponentResult, solve_component
from matching.solver.exchange.model import (
    EXCHANGE_CRITERIA,
    EXCHANGE_DEFAULT_WEIGHTS,
    FORMATS,
    LEVEL_RANK,
    REASON_TEXT,
    RULE_ORDER,
    ExchangeApplicant,
    ExchangePair,
    ExchangePinError,
    ExchangeProblem,
    ExchangeResult,
    Reason,
    resolve_weights,
)
from matching.solver.exchange.solve import solve_exchange
from matching.solver.types import GENDER_PREFERENCES, LEVELS

__all__ = [
    "EXCHANGE_CRITERIA",
    "EXCHANGE_DEFAULT_WEIGHTS",
    "FORMATS",
    "GENDER_PREFERENCES",
    "LEVELS",
    "LEVEL_RANK",
    "REASON_TEXT",
    "RULE_ORDER",
    "Arrays",
    "ComponentResult",
    "Encoded",
    "ExchangeApplicant",
    "ExchangePair",
    "ExchangePinError",
    "ExchangeProblem",
    "ExchangeResult",
    "Reason",
    "build_arrays",
    "encode",
    "resolve_weights",
    "solve_component",
    "solve_exchange",
    "travel_minutes",
]
