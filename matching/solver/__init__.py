"""Engawa's matching solver: students x host-family seats, pure numpy/scipy (no Django).

Model
-----
*Row* = one student application (``StudentIn``).  *Column* = one host family (``HostIn``); a
family offers *slots* -- (family, programme date) with 1..3 free seats -- and every seat of a
slot is the same to a student.  A student gets at most one seat per round.

*Infeasible cells* (hard rules, a boolean mask over all students x families, then per date;
``rules`` writes each one): no shared date on which the family still has a free seat; no
language shared at the programme's level (``LanguageRule``: both speak one language at that
level or better, or the student has some Japanese and the family offers easy Japanese; no rule
when ``Problem.language_rule`` is None); a pet the student is allergic to, or would rather not
live with; a smoking household for a student who needs a smoke-free home; a diet of the
student the family does not cater for (diets carry what they imply: ``Vocabulary.diet_implies``,
so a vegan kitchen hosts a vegetarian and halal food has no pork or alcohol); a food allergen
the family cannot keep out; a student who needs an alcohol-free home, step-free access or a
space for prayer and a home without it; the family's guest gender preference (female -> only
female guests, male -> only male, any -> all); the household the student asked for (who lives
there: a woman, only women, a man, only men; children or none); a door-to-door travel
time above the student's limit; a pair the coordinator forbade (or declined / met before / bad
feedback).  Travel time = 10 min + great-circle km x 1.3 / 0.95 km/min: the Chuo rapid line does
Kichijoji -> Shinjuku (11.1 km straight, 12.4 km of track) in 15 min, cross-line trips detour
via a hub (x1.3), and walking, waiting and the walk at the far end cost ~10 min even for the
same station -- so 0 km -> 10 min, Kichijoji -> Shinjuku -> 25 min, Tachikawa -> Shinjuku -> 46.
Categorical sets are uint64 bitsets over codes the caller gives (``Problem.vocabulary``: the
association's diets, allergens and pets); each rule is evaluated once per distinct profile and
gathered for blocks of 1 024 students x all families (``tables``), never pair by pair in Python.

*Score* of a feasible pair = sum over the criteria of weight x raw, raw in [0, 1], in *points*
(a criterion's weight is the most points it can give; defaults sum to 110).  ``language``:
best level both speak (0.7) plus Japanese practice -- the family speaks ja and the student is
not a native speaker but has some Japanese (0.3).  ``interests``: shared interests, 3 or more =
full.  ``travel``: (limit - minutes) / (limit - 10).  ``household``: a family with children for
a student who lists children/kids (the household's size earns nothing).  ``dates``: the
student's wish for the visit's day (first choice 1, then evenly less, a day not ranked 0; a
student who ranked no day gets 1).  So a placement's score depends on its day: a pair is
scored at the student's first choice and each (family, day) slot gives up what its day falls
short of that (``graph.slot_weights``); every mode optimises over slots, so it chooses the day
with the family.  ``fairness_student``: rounds of the programme already left unplaced (3 =
full).  ``fairness_host``: 1 / (1 + times hosted) and
rounds left without a guest.  ``reliability``: half for each side, 1 / (1 + its no-shows (a
student) or cancellations on the day (a family) in earlier visits).  Every score is >= 0 and
the breakdown sums to the score.

Assignment (``mode="optimal"``)
-------------------------------
Objective, lexicographic: first the most students placed (a maximum-cardinality b-matching),
then the highest total score.  Scores are integerised to ``quantum`` = 0.001 points (coarser
only if needed for exactness, see ``pipeline.choose_quantum``); a placed pair is worth M + w with
M = 1 + sum over students of their best w.  Any matching with k + 1 pairs is worth at least
(k + 1) M, any with k pairs less than k M + M, so maximising M x placed + score is exactly the
lexicographic order; costs stay below 2**52, so float64 arithmetic in scipy is exact.

Min-cost flow view: student -> slot (cost -(M + w), capacity 1), slot -> sink (cost 0,
capacity = seats), student -> sink directly ("unplaced", cost 0) -- so an infeasible pair is
never forced.  Pinned students have only the edges to their family and no "unplaced" edge.

Speed: the feasible graph has tens of millions of pairs at 10 000 students, far too many for
one exact solve.  We solve a *restricted* problem -- each student's K best families plus each
family's L best students -- and then prove, or repair, optimality for the full graph.  Ties
within those lists are spread (student s starts its tie-break at family s * m / n, family h at
student h * n / m): with identical profiles every score ties, and "the K best" must not be the
same lowest-numbered families for everybody.

1. Restricted solve: the graph is split into connected components
   (``scipy.sparse.csgraph.connected_components``); each is a rectangular assignment problem
   solved exactly by ``min_weight_full_bipartite_matching`` (LAPJVsp): rows = students, columns
   = seats (a slot is expanded only to min(seats, students that can reach it) identical
   columns) plus one private "unplaced" column per unpinned student -- unless Hopcroft-Karp
   (``maximum_bipartite_matching``, milliseconds) seats every student of the component, in
   which case the maximum cardinality is all of them and the dummy columns are left out.
   When seats are short it is the other way round: rows = seats, columns = students (plus a
   private "empty seat" column per seat unless every seat can be filled).  A row that ends on
   its dummy costs LAPJVsp a search of the whole component, so the side with fewer of them is
   the rows; the objective, sum over pairs of (M + w), is the same either way.
2. Dual certificate: the *minimal competitive prices* p of the slots -- the least p >= 0 with
   p_j >= p_a(s) + w_sj - w_s,a(s) for every placed student s and restricted slot j (nobody
   envies a slot at its price) and p_j >= M + w_sj for an unplaced student with an edge to j.
   A longest-path fixed point (Bellman-Ford, vectorised with ``np.maximum.reduceat``); it exists
   because the restricted solution has no improving cycle.  With u_s = M + w_s,a(s) - p_a(s)
   (0 if unplaced), (u, p) is dual feasible on the restricted edges, and complementary slackness
   (a slot with a free seat has price 0; nobody placed has u < 0) is checked explicitly.
3. Pricing: a pair (s, j) of the *full* graph breaks dual feasibility iff
   w_sj - p_j > w_s,a(s) - p_a(s).  Prices are >= 0, so only pairs with w_sj > utility can
   break it.  Each row starts with the student's 64 best pairs sorted (``graph.TOP``): a
   vectorised bisection finds the candidates there, and only a student whose whole sorted head
   beats its utility has the rest of its row read, in every round (the rest scores at most
   the head; when seats are short the unplaced have utility -M and their whole rows are read
   each round: a cheap scan that saves a whole exact solve).  If no
   pair breaks it, (u, p) is a feasible dual of the full LP with complementary slackness,
   so by LP duality (the b-matching LP is totally unimodular, integral optimum) the
   restricted optimum is optimal for the full problem.  Only when somebody is left unplaced
   are the pairs of reduced cost 0 read as well, for the fair ties (``AssignInfo.tight``):
   with ties everywhere and a seat for all they would be every pair.
   Otherwise the most violated pairs (``K_ADD`` per student) join the restricted problem,
   together with the pairs that are *nearly* violated (reduced cost below ``assign.NEAR``, 2
   points): the next solve moves the prices a little, and those pairs are the ones that would
   break next -- adding them early saves whole rounds (at 10 000 students 8 exact solves became
   3).  Only a real violation (reduced cost < 0) keeps the loop going, so the proof is the same.
   Each round adds pairs, so this ends; in practice after 2-4 rounds.
4. Local repair: after a round that added few pairs, only their neighbourhood (their students,
   the students sitting in the slots they reach, all those students' slots) is solved again
   with LAPJVsp, others keeping their seats.  That need not be optimal, but it needs no trust:
   the certificate of step 2 either holds (then it is optimal) or the price fixed point does
   not settle / slackness fails, and the whole restricted problem is solved exactly again.

Ties are broken by the fixed order of the input (rows, then slots by date and family): the same
input gives the same output.

Stable mode (``mode="stable"``)
-------------------------------
Students-proposing deferred acceptance with seat capacities on the same mask.  Students rank
by ``language + interests + travel`` (their own view), families rank by ``language + household
+ interests``; fairness counts for neither side (it is the association's goal for the round, not
a wish of either party).  Ties: earlier date, lower row.  The result has no blocking pair on
these preferences; it may place fewer students than the optimal mode.

Groups, "not alone" and fair ties
---------------------------------
A group (two friends or siblings) is placed on one family and day or not at all, and a
"not alone" student only where a second student shares the day: exact by a linear programme
(tightened by odd-set cuts) whose bound and reduced costs fix the pairs an integer programme
(``scipy.optimize.milp``) must consider (``groups``, ``programme``).  Among placements the
objective cannot tell apart, first-time visitors go first, then students left unplaced
before, then a lottery from the round's seed; the coordinator may seat students left
unplaced twice before anyone else (``priority``).  Stable mode: the hard
tier sits like pins, ties in a family's ranking follow the same order, and groups and "not
alone" students take the seats left after deferred acceptance, exactly as above.

Explanations and measures: see ``explain`` and ``metrics``.
"""

from .metrics import hard_rule_violations, list_hard_rule_violations
from .pipeline import solve
from .score import CRITERIA, DEFAULT_WEIGHTS, HOST_VIEW, STUDENT_VIEW
from .types import (
    Assignment,
    HostIn,
    LanguageRule,
    PinError,
    Problem,
    Reason,
    Result,
    SolverInputError,
    StudentIn,
    Unplaced,
    Vocabulary,
)

__all__ = [
    "CRITERIA",
    "DEFAULT_WEIGHTS",
    "HOST_VIEW",
    "STUDENT_VIEW",
    "Assignment",
    "HostIn",
    "LanguageRule",
    "PinError",
    "Problem",
    "Reason",
    "Result",
    "SolverInputError",
    "StudentIn",
    "Unplaced",
    "Vocabulary",
    "hard_rule_violations",
    "list_hard_rule_violations",
    "solve",
]
