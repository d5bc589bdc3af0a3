"""Point Chainlit at a throwaway app root before anything imports it.

Importing chainlit reads `.env` and creates `.chainlit/` and `.files/` in CHAINLIT_APP_ROOT (the
working directory by default), and the app keeps its database under MOCK_INTERVIEW_HOME. Test
modules that import chainlit import this first, so tests never touch the repository or a
developer's history.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from tests.e2e.support import prepare_app_root

APP_ROOT = prepare_app_root(Path(tempfile.mkdtemp(prefix="mock-interview-app-")))
os.environ["CHAINLIT_APP_ROOT"] = str(APP_ROOT)
os.environ["MOCK_INTERVIEW_HOME"] = str(APP_ROOT / "var")
for _name in ("MOCK_INTERVIEW_USERS", "MOCK_INTERVIEW_USERS_FILE", "DATABASE_URL", "MOCK_INTERVIEW_DB"):
    os.environ.pop(_name, None)
atexit.register(shutil.rmtree, APP_ROOT, True)
