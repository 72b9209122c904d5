"""Before the first install: say clearly what is missing to build the Python dependencies.

Runs with the system Python (no venv yet) and only the standard library.
"""

import shutil
import sys
import sysconfig
from pathlib import Path

problems = []
if sys.version_info < (3, 10) or sys.version_info >= (3, 13):
    problems.append(f"Python 3.10–3.12 is needed; `python3` is {sys.version.split()[0]}.")
if not (shutil.which("cc") or shutil.which("gcc")):
    problems.append(
        "No C compiler (cc/gcc): psycopg2 and other dependencies build from source. "
        "Install one: `apt-get install build-essential`."
    )
include = sysconfig.get_paths().get("include", "")
if not Path(include, "Python.h").exists():
    problems.append(
        f"Python headers are missing ({include}/Python.h). "
        "Install them: `apt-get install python3-dev`."
    )
try:
    import ensurepip  # noqa: F401
    import venv  # noqa: F401
except ImportError:
    problems.append("The venv module (with ensurepip) is missing: `apt-get install python3-venv`.")
if problems:
    print("Cannot install ckanext-publicservices' development environment:", file=sys.stderr)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)
    sys.exit(1)
