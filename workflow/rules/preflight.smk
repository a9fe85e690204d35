# Runs before `configfile:` loads the default config: a YAML syntax error there is
# reported with its line and column (Snakemake's own message names neither the
# file's line nor the problem), and nothing is created.  The rest of the
# validation is in common.smk, once the configuration is merged.
#
# GDLAB_ROOT is the workflow's own folder (this file's grandparent), wherever it
# runs from: not workflow.basedir (the host's folder when gdlab is a module of
# another workflow) nor the working directory (--directory).  Its src/ is put
# first on sys.path, so parse time uses this checkout's gdlab, installed or not.
import sys
from pathlib import Path

GDLAB_ROOT = Path(workflow.current_basedir).parents[1]
sys.path.insert(0, str(GDLAB_ROOT / "src"))

from gdlab import config as gdconfig

# config/config.yaml of the working directory, else the default study beside the
# Snakefile (a run with --directory ELSEWHERE and no config there)
DEFAULT_CONFIGFILE = gdconfig.default_configfile(GDLAB_ROOT)
_syntax = gdconfig.check_files([DEFAULT_CONFIGFILE])
if _syntax:
    gdconfig.fail(_syntax)
# a `results` that is a file: one line, not Snakemake's traceback of a scandir
_workplace = gdconfig.workplace_messages()
if _workplace:
    gdconfig.fail_workplace(_workplace)
