import numpy as np
import pandas as pd
import pytest

from gdlab import checks, descent, tables, theory, trace
from gdlab.frames import median


def two_modes(slowest: float, following: float, weight: float, steps: int) -> tuple:
    """One converged run whose distance is slowest^k + weight·following^k, recorded as
    the solver records (``runs``: its summary with its theory and its rate window read
    from every row by gdlab.trace.windows; ``rows``: every row)."""
    k = np.array(sorted(descent.record_steps(steps)))
    d = slowest**k + weight * following**k
    rows = pd.DataFrame(
        {"setting": "alpha_0.1", "seed": 0, "step": k, "dist": d, "grad_norm": np.nan}
    )
    rows["steps"] = steps
    k0 = k[k <= steps // 2].max()
    runs = rows.tail(1).reset_index(drop=True)
    window = trace.windows(rows["seed"], rows["step"], rows["steps"], d)
    runs = runs.assign(
        **{c: window[c] for c in trace.WINDOW},
        dist_final=d[-1],
        grad_norm_final=np.nan,
        outcome="converged",
        rate_empirical=(d[-1] / d[k == k0][0]) ** (1 / (steps - k0)),
        rate_theory=slowest,
        rate_theory_next=following,
    )
    return runs, rows


def test_rates_are_compared_only_for_runs_long_enough_to_have_one():
    runs = pd.DataFrame(
        {
            "rate_empirical": [1e-3, 1e-3, 0.9, 0.5],
            "rate_theory": [5e-6, 5e-6, 0.9, 0.9],
            "steps": [3, 30, 200, 200],
            "outcome": ["converged"] * 4,
        }
    )
    ok = tables._rate_ok(runs, 1e-3, tables.compared(runs)).tolist()
    assert ok == [True, False, True, False]  # a 3-step run is exempt, a 30-step run is not
    rates = tables.rates(runs, rtol=1e-3)
    assert not rates["rates_agree"]
    assert rates["rate_max_rel_err"] > 0.4  # the 200-step run's 0.5 vs 0.9 counts


def test_only_runs_that_end_where_the_theory_is_taken_are_compared():
    """A converged run ends at the point its local theory describes; a diverged one
    does only where the Hessian is the same everywhere; a run that ran out of steps
    or settled on an orbit never does."""
    runs = pd.DataFrame(
        {
            "rate_empirical": [0.5, 3.0, 1.0, 1.0],
            "rate_theory": [0.9, 2.0, 0.5, 0.5],
            "steps": [200] * 4,
            "outcome": ["converged", "diverged", "max_steps", "cycle"],
        }
    )
    assert tables.compared(runs).tolist() == [True, False, False, False]
    assert tables.compared(runs, constant_hessian=True).tolist() == [True, True, False, False]
    assert not tables.rates(runs, 1e-3)["rates_agree"]  # the converged one is off
    fine = runs.assign(rate_empirical=[0.9, 3.0, 1.0, 1.0])
    assert tables.rates(fine, 1e-3)["rates_agree"]  # the others are not compared
    assert not tables.rates(fine, 1e-3, tables.compared(fine, True))["rates_agree"]


def test_a_row_with_no_compared_run_says_so_not_yes():
    """Without a compared run there is no evidence about rates: ``rates_agree`` is
    empty (None), ``rates_compared`` 0, and the row rests on its outcomes alone."""
    runs = pd.DataFrame(
        {
            "rate_empirical": [1.0, 1.0],
            "rate_theory": [0.5, 0.5],
            "steps": [200, 200],
            "outcome": ["max_steps", "cycle"],
        }
    )
    rates = tables.rates(runs, 1e-3)
    assert rates["rates_compared"] == 0 and rates["rates_agree"] is None
    one = runs.assign(outcome=["converged", "cycle"], rate_empirical=[0.5, 1.0])
    assert tables.rates(one, 1e-3)["rates_compared"] == 1
    assert tables.rates(one, 1e-3)["rates_agree"] is True


def test_the_convergence_check_refuses_a_yes_without_evidence():
    table = pd.DataFrame(
        {
            "setting": ["alpha_0.1", "alpha_0.2", "alpha_0.3"],
            "prediction": ["converged"] * 3,
            "agrees": [True, True, True],
            "rates_compared": [3, 0, 0],
            "rates_agree": [True, None, True],  # the last: a yes with no compared run
        }
    )
    report = checks.convergence({"quadratic": table}, {"quadratic": 3})
    assert not report["passed"]
    assert report["failures"] == [
        "quadratic alpha_0.3: says its rates agree, but no run's rate was compared"
    ]
    fixed = table.assign(rates_agree=[True, None, None])
    assert checks.convergence({"quadratic": fixed}, {"quadratic": 3})["passed"]


def test_next_rate_is_the_next_mode_not_a_rounding_of_the_same_one():
    assert theory.next_rate([0.5, 0.9, 0.9 * (1 - 1e-12), 0.3]) == 0.5
    assert np.isnan(theory.next_rate([0.9]))  # one dimension: no next mode
    assert np.isnan(theory.next_rate([0.9, 0.9 * (1 + 1e-13)]))  # one repeated eigenvalue
    assert np.isnan(theory.next_rate([0.9, float("nan")]))


@pytest.mark.parametrize(
    ("following", "resolved"),
    [(0.5, True), (0.98985, False)],  # faded by 0.5^400 by k0; by 0.9998^400 ≈ 0.94 only
)
def test_a_window_that_blends_two_modes_is_not_compared(following, resolved):
    """Nearly equal eigenvalues: over a window of 400 steps the next mode has not faded
    by the tolerance, so the measured rate is a blend, steady over the window yet off
    by more than the tolerance: the run is not compared (the theory is right).  The
    same run with a well separated next mode is, and its rate then agrees tightly."""
    runs, _rows = two_modes(0.99, following, 5.0, 800)
    window = tables.measurable(runs, 1e-4)
    assert window["resolved"].tolist() == [resolved]
    assert window["steady"].tolist() == [True]
    gap = abs(runs["rate_empirical"][0] / 0.99 - 1)
    assert (gap < 1e-12) if resolved else (gap > 1e-4)  # the blend is off by more


def test_a_window_too_short_to_halve_measures_nothing():
    """Fewer recorded steps than the halves need: not steady, so not compared (a check
    never passes on nothing)."""
    runs, _rows = two_modes(0.5, 0.1, 1.0, 2)
    assert tables.measurable(runs, 1e-3)["steady"].tolist() == [False]


def test_a_compared_run_without_a_theory_fails():
    runs = pd.DataFrame(
        {"rate_empirical": [0.5], "rate_theory": [np.nan], "steps": [200], "outcome": ["converged"]}
    )
    assert tables.rates(runs, 1e-3)["rates_agree"] is False


def test_the_prediction_never_rounds_two_grid_values_to_one_text():
    """c = 0.9999999, 1 and 1.0000001 near lsq_gd's threshold read as three values
    (``%g`` gave "1" for all three); values %g shows exactly keep their short text."""
    from gdlab import problems

    th = problems.theory("lsq_gd")
    texts = [th.describe(c) for c in (0.9999999, 1.0, 1.0000001)]
    assert len(set(texts)) == 3
    assert "0.9999999·" in texts[0] and "1.0000001·" in texts[2]
    assert th.describe(0.5) == "converged (α = 0.5·2/ρ(XᵀX))"
    assert f"{theory.Exact(2.0):g}" == "2" and f"{theory.Exact(0.1 + 0.2):g}" == repr(0.1 + 0.2)


def test_the_median_of_an_array_is_pandas_median_bit_for_bit():
    """The table's rows take medians of NumPy arrays (gdlab.tables.Columns): the same
    bits as pandas' Series.median, NaN skipped, of floats and of integer steps."""
    rng = np.random.default_rng(11)
    for _ in range(300):
        n = int(rng.integers(1, 30))
        values = rng.standard_normal(n) * 10.0 ** float(rng.integers(-8, 8))
        values[rng.random(n) < 0.2] = np.nan
        steps = rng.integers(0, 20_000, n)
        for v in (values, steps):
            expected, got = float(pd.Series(v).median()), median(v)
            assert np.isnan(expected) == np.isnan(got)
            assert np.isnan(got) or np.float64(got).tobytes() == np.float64(expected).tobytes()
    assert np.isnan(median(np.array([np.nan])))  # no values
    assert median(np.array([1.7e308, 1.7e308])) == 1.7e308  # no overflow to inf
