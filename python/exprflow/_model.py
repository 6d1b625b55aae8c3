"""What a model's last read did."""

from typing import NamedTuple


class Recompute(NamedTuple):
    """What the last read of a model cell did, in formula cells: how many
    it evaluated, and how many of those its answer needs it reused as they
    were (early cutoff)."""

    recomputed: int
    reused: int
