"""The solver's set operations on index arrays agree with numpy's."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from matching.solver.arrays import union, unique

indices = st.lists(st.integers(min_value=-(2**40), max_value=2**40), max_size=60)


@given(indices)
def test_unique_is_the_sorted_distinct_values(values: list[int]) -> None:
    a = np.array(values, dtype=np.int64)
    got = unique(a)
    assert got.dtype == np.int64
    assert got.tolist() == sorted(set(values))
    assert a.tolist() == values  # the input is left as it was


@given(indices, indices, indices)
def test_union_joins_any_number_of_arrays(a: list[int], b: list[int], c: list[int]) -> None:
    arrays = [np.array(x, dtype=np.int64) for x in (a, b, c)]
    assert union(*arrays).tolist() == sorted(set(a) | set(b) | set(c))
    assert union(arrays[0]).tolist() == sorted(set(a))
