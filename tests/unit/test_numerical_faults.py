"""Numerical faults: every problem, for α up to 1e6 (and beyond) and starting points
up to 1e300, classifies divergence without crashing and without RuntimeWarnings.

Direct calls run under ``np.errstate(over/invalid/divide="raise")`` with warnings
turned into errors (the solvers silence overflow only where they classify it); the
workflow run checks that no job log contains a warning.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import yaml

from conftest import REPO
from gdlab import descent, grid, problems, solve
from gdlab.problems.conv_huber import numerics as conv_huber
from gdlab.problems.lsq_gd import numerics as lsq_gd
from gdlab.problems.quadratic import numerics as quadratic
from gdlab.problems.quadratic import theory as quadratic_theory
from gdlab.problems.sharp_wide import numerics as sharp_wide

STRICT = {"over": "raise", "invalid": "raise", "divide": "raise"}
TEST_CONFIG = yaml.safe_load((REPO / "config/test.yaml").read_text())
# every problem run by GD (the registry's iterative ones), in registry order
ITERATIVE = [p for p in problems.names() if problems.spec(p).iterative]


@pytest.fixture(autouse=True)
def strict_numerics():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(**STRICT):
            yield


def models(runs: int = 2):
    """Hand-made models (problem data drawn here) of the problems, for direct calls: the
    model, its dimension and a step that contracts.  A problem without one here is
    still proved by its solver jobs (the last tests of this file take every iterative
    problem of the registry)."""
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((runs, 30, 5)), rng.standard_normal((runs, 30))
    star = np.stack([np.linalg.lstsq(x, y, rcond=None)[0] for x, y in zip(X, Y, strict=True)])
    k, b = rng.standard_normal((runs, 3)), rng.standard_normal((runs, 18))
    return {
        "quadratic": (quadratic.Model(), 1, 0.5),
        "lsq_gd": (lsq_gd.Model(X, Y, star), 5, 1e-3),
        "sharp_wide": (sharp_wide.Model(), 1, 0.3),
        "conv_huber": (conv_huber.Model(k, b, 0.1), 20, 0.5),
    }


HAND_MADE = list(models())


@pytest.mark.parametrize("problem", HAND_MADE)
@pytest.mark.parametrize("start", [1e300, -1e300, 1e200, 1.0])
@pytest.mark.parametrize("factor", [1e6, 1e300])
def test_huge_step_diverges_from_any_start(problem, start, factor):
    model_, dim, _ = models()[problem]
    trace = descent.descend(
        model_,
        np.full((2, dim), start),
        1e6,
        max_steps=5000,
        tolerance=1e-8,
        divergence_factor=factor,
        record=descent.record_steps(5000),
    )
    assert trace.outcome == ["diverged", "diverged"]
    assert (trace.steps < 5000).all()
    trace.rate_empirical()  # no warning either


@pytest.mark.parametrize("problem", HAND_MADE)
@pytest.mark.parametrize("start", [1e300, -1e300])
def test_a_contracting_step_from_1e300_is_not_taken_for_divergence(problem, start):
    """‖θ‖ ≈ 1e300·√d overflows when squared: the norms are computed without overflow,
    so a finite, contracting iterate is not classified as diverged."""
    model_, dim, alpha = models()[problem]
    trace = descent.descend(
        model_,
        np.full((2, dim), start),
        alpha,
        max_steps=200,
        tolerance=1e-8,
        divergence_factor=1e6,
        record=descent.record_steps(200),
    )
    assert "diverged" not in trace.outcome
    assert np.isfinite(trace.grad_norm).all() and np.isfinite(trace.theta).all()


def test_row_norms_do_not_overflow():
    a = np.array([[3e300, 4e300], [3.0, 4.0], [1e308, 1e308], [np.inf, 1.0], [np.nan, 1.0]])
    norms = descent.row_norms(a)
    np.testing.assert_allclose(norms[:3], [5e300, 5.0, np.sqrt(2) * 1e308], rtol=1e-15)
    assert np.isinf(norms[3]) and np.isnan(norms[4])
    np.testing.assert_array_equal(descent.row_norms(np.array([[-2.0], [np.inf]])), [2.0, np.inf])


# Overrides of the test config's solver settings (the rest comes from config/test.yaml):
# starts up to ±1e300 where the start is configured.
OVERRIDES = {
    "lsq_gd": {"shape": [30, 5]},
    "sharp_wide": {"start_interval": [-1.0e300, 1.0e300]},
}


@pytest.mark.parametrize("problem", ITERATIVE)
@pytest.mark.parametrize("alpha", [1e6, 1e300, 1e308])
@pytest.mark.parametrize("factor", [1.5, 1e6, 1e300])
def test_every_solver_job_classifies_huge_steps_as_diverged(problem, alpha, factor):
    """Without a warning: a method's theory at a step near the largest float (Nesterov's
    companion matrix overflows there) is an infinite rate, not an error."""
    g = problems.spec(problem).grid
    # a pair grid's points: each name at β = 0.99, the huge step its second number
    values = [(n, 0.99, alpha) for n in g.names] if g.kind == "pair" else [alpha]
    for value in values:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            _diverges(problem, grid.setting(problem, value), factor)


def _diverges(problem: str, setting: str, factor: float) -> None:
    settings = {
        **grid.solver_settings(TEST_CONFIG, problem),
        "max_steps": 3000,
        "tolerance": 1e-8,
        "divergence_factor": factor,
        "root_seed": 3,
        **OVERRIDES.get(problem, {}),
    }
    table = solve.solve(problem, setting, 0, 5, settings).to_pydict()
    last = [
        o for o, k, s in zip(table["outcome"], table["step"], table["steps"], strict=True) if k == s
    ]
    assert last == ["diverged"] * 6


def test_sharp_wide_from_1e300_reaches_the_wide_minimum():
    """x_0 near ±1e300 with a stable step: finite all the way, converged at the wide minimum."""
    settings = {
        "max_steps": 5000,
        "tolerance": 1e-6,
        "divergence_factor": 1e6,
        "root_seed": 3,
        "start_interval": [1.0e299, 1.0e300],
    }
    df = solve.solve("sharp_wide", "alpha_0.3", 0, 3, settings).to_pandas()
    last = df[df["step"] == df["steps"]]
    assert (last["outcome"] == "converged").all() and (last["minimum"] == "wide").all()


def test_sharp_wide_derivative_without_overflow_or_nan():
    """f' is finite wherever it is representable (|x| ≤ 1e300: |f'| ≤ 20|x|); beyond, ±inf
    (f' ≈ 20x really exceeds the floats), never NaN and never a warning."""
    x = np.array([-1e300, -1e10, -300.0, 0.0, 3.0, 300.0, 1e10, 1e300])
    assert np.isfinite(sharp_wide.fprime(x)).all()
    extreme = np.array([-1e308, 1e308])
    assert not np.isnan(sharp_wide.fprime(extreme)).any()
    assert not np.isnan(sharp_wide.f(np.concatenate([x, extreme]))).any()


def test_closed_form_check_ignores_subnormal_iterates():
    """A tolerance near the smallest float lets θ_k = θ_0/2^k reach subnormal numbers,
    which carry fewer digits: the quadratic check compares normal floats only."""
    settings = {"max_steps": 1200, "tolerance": 1e-320, "divergence_factor": 1e6, "root_seed": 3}
    df = solve.solve("quadratic", "alpha_0.5", 0, 3, settings).to_pandas()
    for col in ("setting", "outcome"):
        df[col] = df[col].astype(str)
    assert (df["x"].abs() < np.finfo(float).tiny).any()  # subnormal iterates were recorded
    assert quadratic_theory.closed_form_error(df) <= 1e-12


def test_a_job_out_of_memory_ends_in_one_line_naming_what_to_lower(monkeypatch, capsys, tmp_path):
    """A solver job (and any job run by gdlab.script) that runs out of memory: one
    line naming the keys to lower, a non-zero exit, no traceback, no file."""
    import argparse

    from gdlab import script, solve

    def no_memory(*_args, **_kwargs):
        raise MemoryError

    monkeypatch.setattr(solve, "solve_block", no_memory)
    out = tmp_path / "seeds_0-1.parquet"
    argv = ["--problem", "quadratic", "--setting", "alpha_0.5", "--seeds", "0-1"]
    argv += ["--settings", "{}", "--out", str(out)]
    assert solve.main(argv) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "out of memory" in err[0] and "seeds_per_job" in err[0], err
    assert not out.exists()
    with pytest.raises(SystemExit) as exc:
        script.run("table", argparse.Namespace(), no_memory)
    err = capsys.readouterr().err.strip().splitlines()
    assert exc.value.code == 1 and len(err) == 1 and "out of memory" in err[0], err
