"""fractal: its solver against a plain NumPy loop, and its counts against the paper's.

    python benchmarks/fractal.py [--k 16] [--repeat 3] [--paper DIR] [--json OUT]

* cost: for both forms of the paper's single setups (δ = 0.2, λ = 0.1, x₀ = 1) at
  2^k + 1 step sizes, times ``numerics.escape`` (the solver a job runs: blocks of
  :data:`numerics.CHUNK` runs, a diverged run leaving its block at once) and a plain
  NumPy loop of the same arithmetic over the whole axis at once (the same update,
  loss and bound test each step, the escaped runs dropped; no chunks, and sin and
  cos of each iterate computed where they are used, as the paper's code does), and
  reports ns per run-step (the runs' steps summed) and the ratio solver ÷ loop; both
  must give the same outcomes and steps.  Each time is the best of ``--repeat``.
* paper: with ``--paper DIR``, a checkout of the paper's repository
  (github.com/liuyz0/FractalBoundary; its ``exp-0-numB.mat`` multiplicative and
  ``exp-1-numB.mat`` additive counts at k = 32, read with scipy when it is installed),
  prints numB(j) of ours and the paper's for j ≤ k, their relative gap, and the slope
  of log₂ numB fitted over the same j on each side.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from gdlab.problems.fractal import boundary, numerics  # noqa: E402
from gdlab.problems.fractal.setups import Setup  # noqa: E402

MAX_STEPS, BOUND = 1000, 1.0e8
PAPER_FILES = {"multiplicative": "exp-0-numB.mat", "additive": "exp-1-numB.mat"}


def plain_loop(alpha: np.ndarray, s: Setup) -> tuple[np.ndarray, np.ndarray]:
    """The same arithmetic over the whole axis at once: each step the gradient, the
    update, the loss and the bound test, the escaped runs dropped (no chunks)."""
    x = np.full(alpha.size, s.x0)
    steps = np.full(alpha.size, MAX_STEPS, dtype=np.int64)
    diverged = np.zeros(alpha.size, dtype=bool)
    live, a = np.arange(alpha.size), alpha
    c = 2 * np.pi
    for step in range(1, MAX_STEPS + 1):
        arg = c * x / s.wavelength
        if s.form == "additive":
            g = 2 * x - c * s.delta * np.sin(arg) / s.wavelength
        else:
            g = (
                2 * x * (1 + s.delta * np.cos(arg))
                - c * (x * x) * s.delta * np.sin(arg) / s.wavelength
            )
        x = x - a * g
        cos = np.cos(c * x / s.wavelength)
        f = x * x + s.delta * cos if s.form == "additive" else x * x * (1 + s.delta * cos)
        out = ~(f <= BOUND)
        if out.any():
            steps[live[out]], diverged[live[out]] = step, True
            live, a, x = live[~out], a[~out], x[~out]
            if not live.size:
                break
    return diverged, steps


def best(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def cost(k: int, repeat: int) -> list[dict]:
    rows = []
    for form in ("multiplicative", "additive"):
        s = Setup(form, 0.2, 0.1, 1.0, k)
        alpha = s.alpha(np.arange(s.runs, dtype=np.float64))
        t_solver, (div, steps, _l, _x) = best(
            lambda s=s, a=alpha: numerics.escape(a, s, MAX_STEPS, BOUND), repeat
        )
        t_loop, (div_loop, steps_loop) = best(lambda s=s, a=alpha: plain_loop(a, s), repeat)
        run_steps = int(steps.sum())
        rows.append(
            {
                "form": form,
                "k": k,
                "runs": s.runs,
                "run_steps": run_steps,
                "solver_s": round(t_solver, 3),
                "loop_s": round(t_loop, 3),
                "solver_ns_per_run_step": round(1e9 * t_solver / run_steps, 2),
                "loop_ns_per_run_step": round(1e9 * t_loop / run_steps, 2),
                "ratio": round(t_solver / t_loop, 3),
                "same_outcomes_and_steps": bool(
                    np.array_equal(div, div_loop) and np.array_equal(steps, steps_loop)
                ),
            }
        )
    return rows


def paper(directory: Path, k: int) -> list[dict]:
    from scipy.io import loadmat

    rows = []
    for form, name in PAPER_FILES.items():
        theirs = loadmat(directory / name)["numB"].ravel()[: k + 1].astype(np.int64)
        s = Setup(form, 0.2, 0.1, 1.0, k)
        ours = boundary.counts(
            numerics.escape(s.alpha(np.arange(s.runs, dtype=float)), s, MAX_STEPS, BOUND)[0], k
        )
        fit_ours, fit_theirs = boundary.dimension(ours), boundary.dimension(theirs)
        for j in range(k + 1):
            rows.append(
                {
                    "form": form,
                    "j": j,
                    "numB": int(ours[j]),
                    "paper": int(theirs[j]),
                    "rel_gap": round(
                        abs(int(ours[j]) - int(theirs[j])) / max(int(theirs[j]), 1), 5
                    ),
                }
            )
        rows.append(
            {
                "form": form,
                "slope": round(fit_ours["dimension"], 4),
                "slope_se": round(fit_ours["dimension_se"], 4),
                "j_min": fit_ours["j_min"],
                "paper_slope_same_k": round(fit_theirs["dimension"], 4),
                "paper_j_min": fit_theirs["j_min"],
            }
        )
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--k", type=int, default=16)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--paper", type=Path, help="a checkout of liuyz0/FractalBoundary")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    out = {"machine": platform.processor() or platform.machine(), "numpy": np.__version__}
    out["cost"] = cost(args.k, args.repeat)
    for row in out["cost"]:
        print(json.dumps(row))
    if args.paper:
        out["paper"] = paper(args.paper, args.k)
        for row in out["paper"]:
            print(json.dumps(row))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
