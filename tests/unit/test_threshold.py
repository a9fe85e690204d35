"""The threshold experiment (gdlab.threshold): the stable/unstable decision on linear maps
whose spectral radius is known, the bisection, each problem's theory, the table's check
and figure, and the config keys.  Problems come from the registry; that every case's
bracket holds its theory is the contract's (tests/contract/checks.py)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import yaml

from conftest import REPO
from gdlab import config as gdconfig
from gdlab import plan, problems, threshold, threshold_table
from gdlab.plots import thresholds as thresholds_plot

CONFIGS = {
    name: yaml.safe_load((REPO / "config" / name).read_text())
    for name in ("config.yaml", "test.yaml")
}
SCHEMA = gdconfig.load_schema(REPO / "workflow/schemas/config.schema.yaml")
WITH = tuple(p for p in problems.names() if problems.spec(p).thresholds is not None)


class Linear:
    """f(x) = ½xᵀHx per case: the GD map is exactly x ↦ (I − αH)x."""

    def __init__(self, H):
        self.H = np.asarray(H, dtype=float)  # (cases, d, d)

    def gradient(self, x):
        return np.einsum("rij,rj->ri", self.H, x)


def linear_cases(eigenvalues, x_star=0.0, direction=None, rotate=True) -> threshold.Cases:
    """H = Q diag(λ) Qᵀ per case (Q random orthogonal, or I: ``direction`` is then in
    the eigenbasis)."""
    lam = np.asarray(eigenvalues, dtype=float)  # (cases, d)
    rng = np.random.default_rng(7)
    Q = np.stack(
        [
            np.linalg.qr(rng.standard_normal((lam.shape[1],) * 2))[0]
            if rotate
            else np.eye(lam.shape[1])
            for _ in lam
        ]
    )
    H = np.einsum("rij,rj,rkj->rik", Q, lam, Q)
    x = np.full(lam.shape, float(x_star))

    class Shifted(Linear):  # minimum at x_star, not at 0
        def gradient(self, y):
            return super().gradient(y - x)

    return threshold.Cases(
        names=[f"case={i}" for i in range(len(lam))],
        model=Shifted(H),
        x_star=x,
        theory=2.0 / lam.max(axis=1),
        direction=direction,
    )


# ---- the decision --------------------------------------------------------------------
@pytest.mark.parametrize("x_star", [0.0, 10.0])
def test_growth_is_the_spectral_radius_of_the_linear_map(x_star):
    eig = np.array([[1.0, 3.0, 10.0], [0.5, 0.5, 2.0], [4.0, 4.5, 5.0]])
    cases = linear_cases(eig, x_star)
    for alpha in (0.05, 0.19, 0.21, 0.3):
        g, _ = threshold.growth(cases, np.full(3, alpha), 400)
        radius = np.abs(1.0 - alpha * eig).max(axis=1)
        assert g == pytest.approx(radius, rel=1e-9), alpha


def test_renormalising_keeps_a_fast_growth_finite_and_a_fast_decay_nonzero():
    cases = linear_cases([[1.0, 2.0]])
    big, _ = threshold.growth(cases, np.array([500.0]), 400)  # |1 − 1000| per step
    assert big[0] == pytest.approx(999.0, rel=1e-12)  # 999^200 would overflow unrenormalised
    small, _ = threshold.growth(cases, np.array([0.4999]), 400)  # 1 − 0.4999·2 = 2e-4
    assert 0 < small[0] < 1


@pytest.mark.parametrize("lam", [1.0, 20.0, 0.3])
def test_unstable_exactly_above_two_over_lambda_max(lam):
    cases = linear_cases([[lam / 3, lam]] * 3)
    critical = 2.0 / lam
    alpha = critical * np.array([1 - 1e-7, 1.0, 1 + 1e-7])
    up, g, _ = threshold.unstable(cases, alpha, 400)
    assert list(up) == [False, bool(g[1] > 1), True]
    assert g[0] < 1 < g[2]
    assert g[1] == pytest.approx(1.0, abs=1e-12)  # at the threshold: marginal


def test_a_step_onto_the_minimum_is_stable_and_leaving_the_floats_unstable():
    cases = linear_cases([[1.0]] * 2)
    up, g, _ = threshold.unstable(cases, np.array([1.0, 1e308]), 40)
    assert g[0] == 0 and not up[0]  # 1 − α = 0: e maps onto x* at once
    assert up[1]


def test_a_run_s_numbers_do_not_depend_on_the_other_cases():
    eig = np.array([[1.0, 9.0], [2.0, 3.0], [0.1, 0.2]])
    every = threshold.bisect(linear_cases(eig), (0.01, 50.0), 1e-6, 200)
    one = threshold.bisect(linear_cases(eig[1:2]), (0.01, 50.0), 1e-6, 200)
    # the same direction for row 1 when it is alone: pass it explicitly
    d = linear_cases(eig).direction
    alone = threshold.bisect(linear_cases(eig[1:2], direction=d[1:2]), (0.01, 50.0), 1e-6, 200)
    assert alone["lo"][0] == every["lo"][1] and alone["hi"][0] == every["hi"][1]
    assert one["agrees"].all()


def test_a_slow_subdominant_mode_needs_a_longer_window():
    """λ₂/λ₁ = 0.999: near α = 2/λ₁ the second mode decays by only ≈ 0.998 per step
    relative to the first.  Started almost along it, a window of 400 steps cannot let the
    top mode dominate: the growth is under-estimated, so the measured bracket lies above
    the theory (never below: the error is always towards "stable").  1000 steps do it."""
    lam = np.array([[0.999, 1.0]])
    direction = np.array([[1.0, 1e-3]])  # mostly along the slow mode, in the eigenbasis
    cases = linear_cases(lam, direction=direction, rotate=False)
    short = threshold.bisect(cases, (0.5, 4.0), 1e-6, 400)
    assert not short["agrees"].any() and (short["lo"] > short["theory"]).all()
    assert threshold.bisect(cases, (0.5, 4.0), 1e-6, 1000)["agrees"].all()


# ---- the bisection -------------------------------------------------------------------
def test_bisection_brackets_a_known_threshold_to_rtol():
    eig = np.array([[1.0, 2.0], [3.0, 7.0], [0.25, 0.5]])
    for rtol in (1e-3, 1e-6, 1e-9):
        r = threshold.bisect(linear_cases(eig), (0.01, 20.0), rtol, 400)
        assert r["agrees"].all(), rtol
        assert (r["rel_width"] < rtol).all() and (r["rel_width"] > rtol / 2.01).all()
        assert (r["growth_lo"] <= 1).all() and (r["growth_hi"] > 1).all()
        assert (r["lo"] <= r["theory"]).all() and (r["theory"] <= r["hi"]).all()


@pytest.mark.parametrize(
    ("bracket", "end"),
    [((1.5, 3.0), "lo = 1.5"), ((0.1, 1.0), "hi = 1.0"), ((0.9, 3.0), "lo = 0.9")],
)
def test_a_bracket_that_does_not_straddle_is_refused_naming_the_end(bracket, end):
    cases = linear_cases([[1.0, 4.0], [1.0, 1.0]])  # thresholds 0.5 and 2.0
    with pytest.raises(threshold.BracketError, match="does not straddle") as err:
        threshold.bisect(cases, bracket, 1e-6, 100)
    assert end in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(threshold.BracketError, match="0 < lo < hi"):
        threshold.bisect(cases, (2.0, 1.0), 1e-6, 100)


# ---- the table, the check and the figure ----------------------------------------------
def _rows(**change) -> list[dict[str, str]]:
    row = {c: "" for c in threshold.COLUMNS}
    row.update(
        problem="p",
        case="seed=0",
        theory="2.0",
        lo="1.9999995",
        hi="2.0000001",
        lo_axis="1.9999995",
        hi_axis="2.0000001",
        agrees="True",
        rtol="1e-06",
    )
    row.update(change)
    return [row]


def test_the_columns_are_described():
    assert list(threshold_table.COLUMNS) == list(threshold.COLUMNS)


def test_the_check_passes_a_good_table_only():
    assert threshold_table.check(_rows(), {"p": 1})["passed"]
    bad = threshold_table.check(_rows(theory="2.1"), {"p": 1})
    assert not bad["passed"] and "lies above the measured bracket" in bad["failures"][0]
    # never passes on missing rows, damaged numbers or a wide bracket
    assert not threshold_table.check([], {"p": 1})["passed"]
    assert not threshold_table.check(_rows(), {"p": 2})["passed"]
    assert not threshold_table.check(_rows(), {"p": 1, "q": 1})["passed"]
    assert not threshold_table.check(_rows(lo="nan"), {"p": 1})["passed"]
    assert not threshold_table.check(_rows(lo_axis="1.0", lo="1.0"), {"p": 1})["passed"]
    # a theory outside the bracket fails whatever the agrees cell says
    assert not threshold_table.check(_rows(theory="1.5", agrees="True"), {"p": 1})["passed"]


def test_both_verdict_tables_are_held_to_the_config_by_one_rule():
    """The thresholds table and the convergence tables share one row-count rule
    (gdlab.checks.verdict): a problem short of rows, one the config does not run and no
    rows at all fail alike, each naming its unit."""
    import pandas as pd

    from gdlab import checks

    table = pd.DataFrame({"setting": ["alpha_1.0"], "prediction": ["converged"], "agrees": [True]})
    for report, unit in (
        (threshold_table.check(_rows(), {"p": 2}), "2 cases"),
        (checks.convergence({"p": table}, {"p": 2}), "2 grid points"),
    ):
        assert report["failures"] == [f"p: the table has 1 rows, the configuration has {unit}"]
    extra = "rows of ['p'], which the configuration does not run"
    assert extra in threshold_table.check(_rows(), {"q": 1})["failures"]
    assert extra in checks.convergence({"p": table}, {"q": 1})["failures"]
    assert "the table has no rows" in threshold_table.check([], {})["failures"]
    assert "the table has no rows" in checks.convergence({}, {})["failures"]


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda text: text[: len(text) * 2 // 3], "lacks a value or has one too many"),
        (
            lambda text: "\n".join(
                x + ",7" if i == 1 else x for i, x in enumerate(text.split("\n"))
            ),
            "lacks a value or has one too many",
        ),
        (lambda text: text.split("\n")[0] + "\n", "holds no rows"),
        (lambda text: "", "not a threshold table of this gdlab"),
        (lambda text: text.replace("theory", "thoery", 1), "not a threshold table of this gdlab"),
        (lambda text: "\udcff" + text, "not a readable threshold table"),
    ],
    ids=["cut", "extra_cell", "header_only", "empty", "other_header", "not_utf8"],
)
def test_a_damaged_threshold_csv_is_refused_in_one_line(tmp_path, damage, message):
    path = tmp_path / "p.csv"
    rows = [{c: (v or "1.0") for c, v in r.items()} for r in _rows() + _rows(case="seed=1")]
    threshold.write_csv(path, rows)
    assert threshold_table.read_rows(path) == rows  # the good file reads back exactly
    path.write_bytes(damage(path.read_text()).encode("utf-8", "surrogateescape"))
    with pytest.raises(threshold_table.ResultFileError, match=message) as err:
        threshold_table.read_rows(path)
    assert "\n" not in str(err.value) and f"delete {path} and rerun" in str(err.value)


def test_the_figure_draws_good_bad_and_exact_rows(tmp_path):
    rows = _rows() + _rows(theory="2.1") + _rows(theory="1.9999995")
    paths = [str(tmp_path / "t.png"), str(tmp_path / "t.svg")]
    thresholds_plot.figure(rows, paths, 60)
    assert all((tmp_path / f"t.{e}").stat().st_size > 0 for e in ("png", "svg"))
    assert "OUTSIDE" in (tmp_path / "t.svg").read_text()


def test_the_csv_reads_back_exactly(tmp_path):
    r = threshold.bisect(linear_cases([[1.0, 3.0]]), (0.01, 5.0), 1e-6, 100)
    rows = [{"problem": "p", "case": "c", "method": "gd", "beta": 0.0, "axis": "α"}]
    rows[0].update(rtol=1e-6, window=100)
    rows[0].update({k: v[0].item() for k, v in r.items()})
    threshold.write_csv(tmp_path / "p.csv", rows)
    back = threshold_table.read_rows(tmp_path / "p.csv")
    assert float(back[0]["lo"]) == r["lo"][0] and back[0]["agrees"] == "True"
    assert threshold_table.check(back, {"p": 1})["passed"]


# ---- the config ---------------------------------------------------------------------
def _config(change) -> list[str]:
    cfg = json.loads(json.dumps(CONFIGS["test.yaml"]))
    change(cfg)
    return gdconfig.messages(cfg, SCHEMA)


def test_both_configs_set_every_threshold_key():
    for cfg in CONFIGS.values():
        assert set(cfg["thresholds"]) == {"rtol", "window"}
        for p in WITH:
            assert "bracket" in cfg["problems"][p]["threshold"], p


@pytest.mark.parametrize("rtol", [0.0, 1e-10, 0.5, -1e-6])
def test_rtol_out_of_range_is_one_line_naming_the_key(rtol):
    found = _config(lambda c: c["thresholds"].update(rtol=rtol))
    assert len(found) == 1 and found[0].startswith("thresholds.rtol: "), found
    assert "out of range" in found[0]


@pytest.mark.parametrize("window", [5, 0, -1])
def test_window_out_of_range_is_one_line_naming_the_key(window):
    found = _config(lambda c: c["thresholds"].update(window=window))
    assert len(found) == 1 and found[0].startswith(f"thresholds.window: {window} "), found
    assert "out of range" in found[0]


def test_a_threshold_key_on_a_problem_without_one_is_an_unknown_key():
    without = [p for p in problems.names() if problems.spec(p).thresholds is None]
    if not without:
        pytest.skip("every problem has a threshold experiment")
    p = without[0]
    found = _config(lambda c: c["problems"][p].update(threshold={"bracket": [1.0, 2.0]}))
    assert len(found) == 1 and found[0].startswith(f"problems.{p}: unknown key 'threshold'")


@pytest.mark.parametrize("bracket", [[2.0, 1.0], [1.0, 1.0], [0.0, 1.0], [1.0]])
def test_an_empty_bracket_is_one_line_naming_the_key(bracket):
    p = WITH[0]
    found = _config(lambda c: c["problems"][p]["threshold"].update(bracket=bracket))
    assert len(found) == 1 and found[0].startswith(f"problems.{p}.threshold.bracket"), found


def test_the_keys_are_optional_with_documented_defaults():
    def drop(c):
        del c["thresholds"]
        for p in WITH:
            del c["problems"][p]["threshold"]

    assert _config(drop) == []
    cfg = json.loads(json.dumps(CONFIGS["test.yaml"]))
    drop(cfg)
    for p in WITH:
        got, full = (json.loads(plan.threshold_params(c, p)) for c in (cfg, CONFIGS["test.yaml"]))
        assert got["rtol"] == 1e-6 and got["window"] == (problems.spec(p).thresholds.window or 400)
        assert got["bracket"] == list(problems.spec(p).thresholds.bracket)
        assert got == full  # the config files write the defaults: nothing reruns


def test_a_threshold_job_reads_only_its_keys():
    cfg = CONFIGS["test.yaml"]
    for p in WITH:
        before = plan.threshold_params(cfg, p)
        changed = json.loads(json.dumps(cfg))
        changed["problems"][p]["max_steps"] += 1  # a solver setting
        changed["problems"][p]["threshold"]["bracket"][0] /= 2
        assert plan.solver_settings(changed, p) != plan.solver_settings(cfg, p)
        after = json.loads(plan.threshold_params(changed, p))
        assert after["cases"] == json.loads(before)["cases"]
        assert "threshold" not in json.loads(plan.solver_settings(changed, p))
        assert not math.isclose(after["bracket"][0], json.loads(before)["bracket"][0])


def test_a_theory_that_is_no_critical_step_stops_before_any_bisection():
    """conv_huber with λ the largest float: its Hessian's largest eigenvalue overflows
    to inf and 2/λ_max to 0, which no bracket can hold: a TheoryError (one line through
    the job), not a bisection; and a threshold table row with theory 0 fails the check
    with a sentence, not a division by zero."""
    from gdlab.problems.conv_huber import stability

    cases = threshold.Cases(**stability.cases(1, 3, 20, float(np.finfo(float).max)))
    assert cases.theory.tolist() == [0.0]
    with pytest.raises(threshold.TheoryError, match=r"seed=0 is 0\.0"):
        threshold.bisect(cases, (1e-320, 1e-300), 1e-6, 400)
    row = {
        "problem": "conv_huber",
        "case": "seed=0",
        "theory": "0.0",
        "lo": "1e-310",
        "hi": "2e-310",
        "lo_axis": "1e-310",
        "hi_axis": "2e-310",
        "rtol": "1.0",
    }
    report = threshold_table.check([row], {"conv_huber": 1})
    assert not report["passed"]
    assert "the theory 0.0 lies below the measured bracket" in report["failures"][0]
