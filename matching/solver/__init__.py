"""Engawa's matching solver: students x host-family seats, pure numpy/scipy (no Django).

Model
-----
*Row* = one student application (``StudentIn``).  *Column* = one host family (``HostIn``); a
family offers *slots* -- (family, programme date) with 1..3 free seats -- and every seat of a
slot is the same to a student.  A student gets at most one seat per round.

*Infeasible cells* (hard rules, a boolean mask over all students x families, then per date):
no shared date on which the family still has a free seat; a cat or dog the student is allergic
to; a smoking household for a student who needs a smoke-free home; a diet of the student the
family does not cater for; a food allergen the family cannot keep out; the family's guest gender
preference (female -> only female guests, male -> only male, any -> all); a door-to-door travel
time above the student's limit; a pair the coordinator forbade (or declined / met before / bad
feedback).  Travel time = 10 min + great-circle km x 1.3 / 0.95 km/min: the Chuo rapid line does
Kichijoji -> Shinjuku (11.1 km straight, 12.4 km of track) in 15 min, cross-line trips detour
via a hub (x1.3), and walking, waiting and the walk at the far end cost ~10 min even for the
same station -- so 0 km -> 10 min, Kichijoji -> Shinjuku -> 25 min, Tachikawa -> Shinjuku -> 46.
Categorical sets are uint64 bitsets; each rule is evaluated once per distinct profile and
gathered for blocks of 1 024 students x all families (``tables``), never pair by pair in Python.

*Score* of a feasible pair = sum over the criteria of weight x raw, raw in [0, 1], in *points*
(a criterion's weight is the most points it can give; defaults sum to 100).  ``language``:
best level both speak (0.7) plus Japanese practice -- the family speaks ja and the student is
not a native speaker (0.3).  ``interests``: shared interests, 3 or more = full.  ``travel``:
(limit - minutes) / (limit - 10).  ``household``: a family with children for a student who
lists children/kids (0.6) plus household size (0.4).  ``fairness_student``: rounds of the
programme already left unplaced (3 = full).  ``fairness_host``: 1 / (1 + times hosted) and
rounds left without a guest.  Every score is >= 0 and the breakdown sums to the score.

Assignment (``mode="optimal"``)
-------------------------------
Objective, lexicographic: first the most students placed (a maximum-cardinality b-matching),
then the highest total score.  Scores are integerised to ``quantum`` = 0.001 points (coarser
only if needed for exactness, see ``solve.choose_quantum``); a placed pair is worth M + w with
M = 1 + sum over students of their best w.  Any matching with k + 1 pairs is worth at least
(k + 1) M, any with k pairs less than k M + M, so maximising M x placed + score is exactly the
lexicographic order; costs stay below 2**52, so float64 arithmetic in scipy is exact.

Min-cost flow view: student -> slot (cost -(M + w), capacity 1), slot -> sink (cost 0,
capacity = seats), student -> sink directly ("unplaced", cost 0) -- so an infeasible pair is
never forced.  Pinned students have only the edges to their family and no "unplaced" edge.

Speed: the feasible graph has tens of millions of pairs at 10 000 students, far too many for
one exact solve.  We solve a *restricted* problem -- each student's K best families plus each
family's L best students -- and then prove, or repair, optimality for the full graph:

1. Restricted solve: the graph is split into connected components
   (``scipy.sparse.csgraph.connected_components``); each is a rectangular assignment problem
   solved exactly by ``min_weight_full_bipartite_matching`` (LAPJVsp): rows = students, columns
   = seats (a slot is expanded only to min(seats, students that can reach it) identical
   columns) plus one private "unplaced" column per unpinned student.
2. Dual certificate: the minimal competitive price of every slot is its shortest distance to
   the sink in the residual graph of that optimum (vectorised Bellman-Ford; no negative cycle
   exists because the restricted solution is optimal).  With prices p, a student's utility is
   u_s = w(s, its slot) - p(its slot) (-M if unplaced), and (u + M, p) is an optimal dual of
   the restricted LP.
3. Pricing: every pair of the *full* graph is checked in one vectorised pass: if no pair has
   w_sj - p_j > u_s, the dual is feasible for the full problem, so by LP duality (the
   b-matching LP is totally unimodular) the restricted optimum is optimal for the full problem.
   Otherwise the most violated pairs (``K_ADD`` per student) join the restricted problem and
   only the components they touch are solved again.  Each round adds pairs, so this ends; in
   practice after a few rounds.

Ties are broken by the fixed order of the input (rows, then slots by date and family): the same
input gives the same output.

Stable mode (``mode="stable"``)
-------------------------------
Students-proposing deferred acceptance with seat capacities on the same mask.  Students rank
by ``language + interests + travel`` (their own view), families rank by ``language + household
+ interests``; fairness counts for neither side (it is the association's goal for the round, not
a wish of either party).  Ties: earlier date, lower row.  The result has no blocking pair on
these preferences; it may place fewer students than the optimal mode.

Explanations and measures: see ``explain`` and ``metrics``.
"""

from .metrics import hard_rule_violations, list_hard_rule_violations
from .score import CRITERIA, DEFAULT_WEIGHTS, HOST_VIEW, STUDENT_VIEW
from .solve import solve
from .types import (
    Assignment,
    HostIn,
    PinError,
    Problem,
    Reason,
    Result,
    SolverInputError,
    StudentIn,
    Unplaced,
)

__all__ = [
    "CRITERIA",
    "DEFAULT_WEIGHTS",
    "HOST_VIEW",
    "STUDENT_VIEW",
    "Assignment",
    "HostIn",
    "PinError",
    "Problem",
    "Reason",
    "Result",
    "SolverInputError",
    "StudentIn",
    "Unplaced",
    "hard_rule_violations",
    "list_hard_rule_violations",
    "solve",
]
