"""Most pairs, then the best total score, on one connected component of the feasibility graph:
the cycle-cover bound, its repair, Edmonds' augmenting paths, the score milp and the
Lagrangian bound (see the package docstring)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linear_sum_assignment, milp

from matching.solver.exchange.model import Bool, Float, Int

# Components (with odd cycles in their cover) of at most this many edges get the score milp on
# all their edges; larger ones on candidate edges only.  Measured on 2 cores: the score milp
# takes ~0.6 s at 3k edges, ~4 s at 20k, ~10 s at 100k.
EXACT_EDGE_LIMIT = 40_000
CANDIDATES_PER_APPLICANT = 12
# Only a milp that hits this limit makes the answer depend on the machine's speed; the result
# then keeps its certified bound, and the component's method says "milp_time_limit".
MILP_TIME_LIMIT_S = 20.0
LAGRANGE_STEPS = 10
LAGRANGE_TOLERANCE = 1e-5


@dataclass
class ComponentResult:
    pairs: list[tuple[int, int]]  # local indices
    pairs_bound: int
    score_bound: float
    method: str


def _cycles(successor: Int) -> list[list[int]]:
    seen = np.zeros(len(successor), dtype=bool)
    cycles: list[list[int]] = []
    for start in range(len(successor)):
        if seen[start]:
            continue
        cycle = []
        v = start
        while not seen[v]:
            seen[v] = True
            cycle.append(v)
            v = int(successor[v])
        cycles.append(cycle)
    return cycles


def _cover_to_matching(cycles: list[list[int]], weight: Float) -> list[tuple[int, int]]:
    """2-cycles are pairs; an even cycle gives its better alternating half; an odd cycle loses
    the one vertex whose removal leaves the best alternating path."""
    pairs: list[tuple[int, int]] = []
    for cycle in cycles:
        length = len(cycle)
        if length < 2:
            continue
        nodes = np.array(cycle)
        edge = weight[nodes, np.roll(nodes, -1)]  # edge[i] joins cycle[i] and cycle[i + 1]
        if length == 2:
            pairs.append((cycle[0], cycle[1]))
            continue
        if length % 2 == 0:
            start = 0 if edge[0::2].sum() >= edge[1::2].sum() else 1
        else:
            # Dropping vertex r keeps edges r+1, r+3, ..., r+L-2 (all indices mod L).
            steps = np.arange(0, length - 1, 2)
            value = edge[(np.arange(length)[:, None] + 1 + steps[None, :]) % length].sum(axis=1)
            start = (int(np.argmax(value)) + 1) % length
        count = length // 2
        for k in range(count):
            i = (start + 2 * k) % length
            pairs.append((cycle[i], cycle[(i + 1) % length]))
    return pairs


def _cover(weight_matrix: Float) -> tuple[Int, float]:
    rows, cols = linear_sum_assignment(weight_matrix, maximize=True)
    successor = np.empty(len(rows), dtype=np.int64)
    successor[rows] = cols
    return successor, float(weight_matrix[rows, cols].sum())


def _best_score_milp(
    m: int, ei: Int, ej: Int, score: Float, pairs: int
) -> tuple[list[tuple[int, int]], float, bool]:
    """The best total score over matchings of exactly ``pairs`` pairs on edges (ei, ej), as an
    integer programme (HiGHS).  Returns the pairs, HiGHS's score bound and whether it finished
    (then the answer is optimal on those edges)."""
    n_edges = len(ei)
    columns = np.arange(n_edges)
    incidence = sparse.csr_array(
        (np.ones(2 * n_edges), (np.concatenate([ei, ej]), np.concatenate([columns, columns]))),
        shape=(m, n_edges),
    )
    ones = np.ones(n_edges)
    found = milp(
        -score,
        constraints=[
            LinearConstraint(incidence, 0, 1),
            LinearConstraint(ones[None, :], pairs, pairs),
        ],
        integrality=ones,
        bounds=Bounds(0, 1),
        options={"mip_rel_gap": 0.0, "time_limit": MILP_TIME_LIMIT_S, "presolve": True},
    )
    if found.x is None:
        return [], math.inf, False
    chosen = found.x > 0.5
    matched = list(zip(ei[chosen].tolist(), ej[chosen].tolist(), strict=True))
    return matched, float(-found.mip_dual_bound), found.status == 0


def _lagrangian_bound(
    feasible: Bool,
    score: Float,
    pairs: int,
    allow_negative: bool,
    big_m: float,
    achieved: float = math.inf,
) -> float:
    """min over mu of FM(score + mu) - mu * pairs, FM being the best fractional matching (half a
    cycle cover).  Valid for every matching with exactly ``pairs`` pairs (any mu), or with at
    least ``pairs`` pairs (mu >= 0).  Convex in mu; the cover's cardinality is a subgradient."""
    m = len(score)
    s_max = float(score.max(initial=0.0))
    big = -4.0 * (m + 1) * (s_max + big_m + 1.0)
    best = math.inf

    def evaluate(mu: float) -> int:
        nonlocal best
        matrix = np.where(feasible, score + mu, big)
        np.fill_diagonal(matrix, 0.0)
        successor, value = _cover(matrix)
        best = min(best, value / 2.0 - mu * pairs)
        return int((successor != np.arange(m)).sum())

    low = -s_max - 1.0 if allow_negative else 0.0
    high = s_max + 1.0
    # Past the point where the cover reaches the target cardinality, the bound only grows.
    while evaluate(high) < 2 * pairs and high < big_m:
        low, high = high, min(high * 4.0, big_m)
    for _ in range(LAGRANGE_STEPS):
        if best - achieved <= LAGRANGE_TOLERANCE * abs(best):
            break  # close enough to the answer: more steps would not change the report
        mu = (low + high) / 2.0
        moved = evaluate(mu)
        if moved == 2 * pairs:
            break
        if moved > 2 * pairs:
            high = mu
        else:
            low = mu
    return best


def _augment(pairs: list[tuple[int, int]], feasible: Bool, score: Float) -> list[tuple[int, int]]:
    """Cheap repairs of the vertices that odd cycles left alone: pair two of them directly, or
    through one matched pair (u - a = b - v becomes u = a, b = v), best gain first."""
    m = len(score)
    mate = np.full(m, -1, dtype=np.int64)
    for a, b in pairs:
        mate[a], mate[b] = b, a
    while True:
        free = np.flatnonzero(mate < 0)
        if len(free) < 2:
            break
        direct = feasible[np.ix_(free, free)]
        if direct.any():
            gain = np.where(direct, score[np.ix_(free, free)], -np.inf)
            row, col = np.unravel_index(int(np.argmax(gain)), gain.shape)
            a, b = int(free[row]), int(free[col])
            mate[a], mate[b] = b, a
            continue
        heads = np.flatnonzero(mate >= 0)
        tails = mate[heads]
        # reach[h, f]: free vertex f can take matched vertex h; then h's mate needs another one.
        reach_head = feasible[np.ix_(heads, free)]
        reach_tail = feasible[np.ix_(tails, free)]
        both = (reach_head.sum(axis=1) > 0) & (reach_tail.sum(axis=1) > 0)
        # The two free vertices must differ: at least one of them has a second choice.
        ok = both & ~(
            (reach_head.sum(axis=1) == 1)
            & (reach_tail.sum(axis=1) == 1)
            & (reach_head.argmax(axis=1) == reach_tail.argmax(axis=1))
        )
        if not ok.any():
            break
        h = int(np.flatnonzero(ok)[0])
        a, b = int(heads[h]), int(tails[h])
        u_choices = free[reach_head[h]]
        tail_choices = free[reach_tail[h]]
        if len(tail_choices) == 1:
            u_choices = u_choices[u_choices != tail_choices[0]]
        first = int(u_choices[np.argmax(score[a, u_choices])])
        v_choices = free[reach_tail[h] & (free != first)]
        second = int(v_choices[np.argmax(score[b, v_choices])])
        mate[a], mate[first], mate[b], mate[second] = first, a, second, b
    return [(int(a), int(mate[a])) for a in range(m) if mate[a] > a]


def _maximum_cardinality(pairs: list[tuple[int, int]], feasible: Bool) -> list[tuple[int, int]]:
    """Grow ``pairs`` to a maximum-cardinality matching by Edmonds' augmenting paths (odd
    cycles shrunk into blossoms); by Berge's theorem the result has the most pairs possible.

    One search per free vertex.  A search that finds no path leaves a tree that no later
    augmentation can use (Edmonds), so its vertices are dropped from the remaining searches.
    The start is the cover's matching, a few pairs short at most, so searches are few."""
    m = len(feasible)
    graph = sparse.csr_array(feasible)
    indptr, indices = graph.indptr.tolist(), graph.indices.tolist()
    adj = [indices[indptr[v] : indptr[v + 1]] for v in range(m)]
    mate = [-1] * m
    for a, b in pairs:
        mate[a], mate[b] = b, a
    dead = [False] * m

    def search(root: int) -> tuple[int, list[int], list[bool]]:
        parent = [-1] * m
        base = list(range(m))
        seen = [False] * m
        seen[root] = True
        queue = [root]

        def common_base(a: int, b: int) -> int:
            on_path = [False] * m
            while True:
                a = base[a]
                on_path[a] = True
                if mate[a] == -1:
                    break
                a = parent[mate[a]]
            while True:
                b = base[b]
                if on_path[b]:
                    return b
                b = parent[mate[b]]

        def mark(v: int, stop: int, child: int, blossom: list[bool]) -> None:
            while base[v] != stop:
                blossom[base[v]] = blossom[base[mate[v]]] = True
                parent[v] = child
                child = mate[v]
                v = parent[mate[v]]

        head = 0
        while head < len(queue):
            v = queue[head]
            head += 1
            for w in adj[v]:
                if dead[w] or base[v] == base[w] or mate[v] == w:
                    continue
                if w == root or (mate[w] != -1 and parent[mate[w]] != -1):
                    # An odd cycle: shrink it into a blossom with base ``top``.
                    top = common_base(v, w)
                    blossom = [False] * m
                    mark(v, top, w, blossom)
                    mark(w, top, v, blossom)
                    for u in range(m):
                        if blossom[base[u]]:
                            base[u] = top
                            if not seen[u]:
                                seen[u] = True
                                queue.append(u)
                elif parent[w] == -1:
                    parent[w] = v
                    if mate[w] == -1:
                        return w, parent, seen
                    seen[mate[w]] = True
                    queue.append(mate[w])
        return -1, parent, seen

    for root in range(m):
        if mate[root] != -1 or dead[root]:
            continue
        end, parent, seen = search(root)
        if end == -1:
            # The whole tree: outer (seen) and inner (reached, with a parent) vertices.
            for u in range(m):
                if seen[u] or parent[u] != -1:
                    dead[u] = True
            continue
        while end != -1:
            previous = parent[end]
            following = mate[previous]
            mate[end], mate[previous] = previous, end
            end = following
    return [(a, mate[a]) for a in range(m) if mate[a] > a]


def solve_component(feasible: Bool, score: Float) -> ComponentResult:
    """Most pairs, then best total score, on one connected component (local indices)."""
    m = len(score)
    if m < 2:
        return ComponentResult([], 0, 0.0, "single")
    s_max = float(score[feasible].max(initial=0.0))
    big_m = (m // 2 + 1) * (s_max + 1.0)
    big = -4.0 * (m + 1) * (big_m + s_max)
    combined = np.where(feasible, score + big_m, big)
    np.fill_diagonal(combined, 0.0)
    successor, value = _cover(combined)
    upper = value / 2.0
    pairs_bound = min(math.floor(upper / big_m + 1e-9), m // 2)
    cycles = _cycles(successor)
    pairs = _cover_to_matching(cycles, combined)
    if all(len(c) <= 2 or len(c) % 2 == 0 for c in cycles):
        achieved = sum(score[a, b] for a, b in pairs)
        return ComponentResult(
            pairs, len(pairs), max(achieved, upper - big_m * len(pairs)), "cover"
        )
    if len(pairs) < pairs_bound:
        pairs = _augment(pairs, feasible, score)
    if len(pairs) < pairs_bound:
        # Odd cycles can hide a larger matching only behind blossoms: Edmonds settles it.
        pairs = _maximum_cardinality(pairs, feasible)
        pairs_bound = len(pairs)

    ei, ej = np.nonzero(np.triu(feasible, 1))
    # From here on len(pairs) is the most pairs possible; the milp maximises the score.
    method = "candidates"
    if len(ei) <= EXACT_EDGE_LIMIT:
        method = "milp_time_limit"
        found, score_bound, finished = _best_score_milp(m, ei, ej, score[ei, ej], len(pairs))
        if len(found) == len(pairs):
            if finished:
                return ComponentResult(found, pairs_bound, score_bound, "milp")
            if sum(score[a, b] for a, b in found) > sum(score[a, b] for a, b in pairs):
                pairs = found
    else:
        # Candidate edges: the cover's and each applicant's best few.
        ranked = np.where(feasible, combined, -np.inf)
        top = np.argsort(-ranked, axis=1, kind="stable")[:, :CANDIDATES_PER_APPLICANT]
        rows = np.repeat(np.arange(m), top.shape[1])
        keep = np.zeros((m, m), dtype=bool)
        keep[rows, top.ravel()] = True
        cover_rows = np.arange(m)
        keep[cover_rows, successor] = True
        for a, b in pairs:  # the matching found so far, so its cardinality stays reachable
            keep[a, b] = True
        keep &= feasible
        keep |= keep.T
        ci, cj = np.nonzero(np.triu(keep, 1))
        found, _, _ = _best_score_milp(m, ci, cj, score[ci, cj], len(pairs))
        if len(found) == len(pairs) and sum(score[a, b] for a, b in found) > sum(
            score[a, b] for a, b in pairs
        ):
            pairs = found
    achieved = sum(score[a, b] for a, b in pairs)
    bound = _lagrangian_bound(feasible, score, len(pairs), True, big_m, achieved)
    return ComponentResult(pairs, pairs_bound, max(achieved, bound), method)
