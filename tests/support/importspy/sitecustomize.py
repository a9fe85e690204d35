"""Test helper (tests/test_caching.py), never used by the workflow itself.

Put on PYTHONPATH with GDLAB_IMPORT_SPY=<dir>, every Python process records at exit
its argv and the files of the ``gdlab`` modules it imported, as <dir>/<pid>.json.
"""

import atexit
import json
import os
import sys


def _record():
    out = os.environ.get("GDLAB_IMPORT_SPY")
    if not out:
        return
    files = sorted(
        m.__file__
        for name, m in list(sys.modules.items())
        if (name == "gdlab" or name.startswith("gdlab.")) and getattr(m, "__file__", None)
    )
    with open(os.path.join(out, f"{os.getpid()}.json"), "w") as fh:
        json.dump({"argv": sys.argv, "files": files}, fh)


atexit.register(_record)
