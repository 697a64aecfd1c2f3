"""The solver's vocabulary of diets, allergens and pets, read from accounts' reference data:
the one list the Diet and Allergen tables, the Pet choices and the profile checks also come
from. Pure Python (no Django import), so the benchmarks and the solver's tests use it too."""

from __future__ import annotations

from accounts import reference_data as rd
from matching.solver.types import Vocabulary

REFERENCE_VOCABULARY = Vocabulary(
    diets=tuple(d.code for d in rd.DIETS),
    food_allergens=tuple(a.code for a in rd.ALLERGENS if a.kind == "food"),
    pet_allergens=tuple(a.code for a in rd.ALLERGENS if a.kind == "pet"),
    pets=tuple(p.code for p in rd.PETS),
    diet_implies=rd.DIET_IMPLIES,
)
