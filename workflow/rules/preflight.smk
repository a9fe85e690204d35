# Runs before `configfile:` loads config/config.yaml: a YAML syntax error there is
# reported with its line and column (Snakemake's own message names neither the
# file's line nor the problem), and nothing is created.  The rest of the
# validation is in common.smk, once the configuration is merged.
import sys
from pathlib import Path

sys.path.insert(0, str(Path(workflow.basedir) / "src"))

from gdlab import config as gdconfig

_syntax = gdconfig.check_files(["config/config.yaml"])
if _syntax:
    gdconfig.fail(_syntax)
