import pandas as pd

from gdlab import tables


def test_rates_are_compared_only_for_runs_long_enough_to_have_one():
    runs = pd.DataFrame(
        {
            "rate_empirical": [1e-3, 1e-3, 0.9, 0.5],
            "rate_theory": [5e-6, 5e-6, 0.9, 0.9],
            "steps": [3, 30, 200, 200],
        }
    )
    ok = tables._rate_ok(runs, rtol=1e-3).tolist()
    assert ok == [True, False, True, False]  # a 3-step run is exempt, a 30-step run is not
    rates = tables.rates(runs, rtol=1e-3)
    assert not rates["rates_agree"]
    assert rates["rate_max_rel_err"] > 0.4  # the 200-step run's 0.5 vs 0.9 counts
