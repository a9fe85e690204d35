"""Promises about the job processes themselves, each proved in a fresh interpreter: what
the Snakefile imports at parse time, what a solver job imports, that no figure needs a
display, that a missing piece of a problem folder is one line before any import."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO
from gdlab import codedeps, problems
from support.edits import append_statement, edit_docstring

NAMES = problems.names()


def test_no_figure_needs_a_display():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["MPLBACKEND"] = "TkAgg"  # what a desktop might set; the style must override it
    code = "import gdlab.style, matplotlib; print(matplotlib.get_backend().lower())"
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "PYTHONPATH": str(REPO / "src")},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "agg"


def test_solver_imports_no_pandas_matplotlib_or_arrow_compute(tmp_path):
    """A solver job, its run file and its summary written, imports neither pandas nor
    matplotlib nor pyarrow.compute (0.05 s of CPU a job: its summary is gathered by
    NumPy, gdlab.schema.take)."""
    import subprocess
    import sys

    code = (
        "import sys, gdlab.solve as s;"
        f"s.main(['--problem','quadratic','--setting','alpha_0.5','--seeds','0-1','--settings','{{\"max_steps\":50,\"tolerance\":1e-8,\"divergence_factor\":1e6,\"root_seed\":1}}','--out',r'{tmp_path / 'q.parquet'}','--summary-out',r'{tmp_path / 's.parquet'}']);"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pandas','matplotlib') or m == 'pyarrow.compute'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
    assert (tmp_path / "s.parquet").stat().st_size > 0


def _registry_in(src: Path, code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        env={"PYTHONPATH": str(src), "PATH": ""},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_registry_is_pure_python():
    """The Snakefile reads every spec, the merged schema and every job's params and
    code fingerprint at parse time (again in every cluster job): no NumPy there."""
    schema_path = REPO / "workflow/schemas/config.schema.yaml"
    config_path = REPO / "config/config.yaml"
    proc = _registry_in(
        REPO / "src",
        "import sys, yaml\n"
        "from gdlab import config, fingerprints, plan, problems\n"
        f"cfg = yaml.safe_load(open({str(config_path)!r}))\n"
        f"assert config.messages(cfg, config.load_schema({str(schema_path)!r})) == []\n"
        "outputs = plan.all_outputs(cfg)\n"
        "for n in problems.names():\n"
        "    fingerprints.solver_code(n), fingerprints.table_code(n), plan.runs_of(cfg, n)\n"
        "    [plan.job_params(cfg, f) for f in problems.spec(n).figures]\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'numpy', 'pandas', 'pyarrow', 'matplotlib'})\n"
        "print(len(problems.names()), len(outputs) > 0, heavy)",
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"{len(NAMES)} True []"


def test_a_missing_piece_is_one_line_naming_the_file(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(REPO / "src", src, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    pdir = src / "gdlab/problems"
    # a folder with a spec but no numerics and no captions
    (pdir / "halfway").mkdir()
    (pdir / "halfway/__init__.py").write_text(
        "from gdlab.spec import Grid, Problem, gd_section, ref\n"
        "from gdlab.theory import Threshold\n"
        "SPEC = Problem(name='halfway', title='t', order=9, grid=Grid('alphas', 'alpha'),\n"
        "               schema=gd_section('d', ('alphas', ref('step_sizes'))),\n"
        "               theory=Threshold(critical=1.0))\n"
    )
    # a folder with no spec at all
    (pdir / "nospec").mkdir()
    (pdir / "nospec/__init__.py").write_text('"""Nothing yet."""\n')
    proc = _registry_in(
        src, "from gdlab import problems\nprint('\\n'.join(problems.problems_missing()))"
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert lines == [
        "src/gdlab/problems/halfway/numerics.py is missing: add run(settings, value, seeds) -> columns",
        "src/gdlab/problems/halfway/captions/table.rst is missing: the report caption of table",
        "src/gdlab/problems/nospec/__init__.py defines no SPEC: add SPEC = gdlab.spec.Problem(...) "
        "(see docs/adding-a-problem.md)",
    ]


# ---- gdlab.codedeps ----------------------------------------------------------------------
def _copy_src(dest: Path) -> Path:
    shutil.copytree(REPO / "src", dest / "src", ignore=shutil.ignore_patterns("*.egg-info"))
    return dest


def test_fingerprint_ignores_formatting_but_not_edits(tmp_path):
    entries = ("src/gdlab/solve.py", "src/gdlab/problems/quadratic/numerics.py")
    base = codedeps.fingerprint(_copy_src(tmp_path / "a"), *entries)
    assert set(base) == set(codedeps.closure(REPO, *entries))
    assert base == codedeps.fingerprint(REPO, *entries)  # no path inside

    formatted = _copy_src(tmp_path / "b")
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is not installed: pip install -e '.[test]'"
    subprocess.run(
        [ruff, "format", "--quiet", "--line-length", "50", str(formatted / "src")], check=True
    )
    quad = formatted / "src/gdlab/problems/quadratic/numerics.py"
    quad.write_text("# comment\n\n\n" + quad.read_text() + "\n\n# end   \n")
    assert codedeps.fingerprint(formatted, *entries) == base

    for name, edit in (("c", append_statement), ("d", edit_docstring)):
        edited = _copy_src(tmp_path / name)
        quad = edited / "src/gdlab/problems/quadratic/numerics.py"
        quad.write_text(edit(quad.read_text()))
        changed = codedeps.fingerprint(edited, *entries)
        assert {k for k in base if base[k] != changed[k]} == {
            "src/gdlab/problems/quadratic/numerics.py"
        }
