"""The comparison with the homework's reference value, shared by the check and the figure."""


def relative_error(computed: float, reference: float) -> float:
    """|computed − reference| / |reference|; the absolute error for a reference of 0."""
    gap = abs(computed - reference)
    return gap / abs(reference) if reference else gap
