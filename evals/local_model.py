"""Run a command against the local llama.cpp model server, then stop it.

    python evals/local_model.py -- mock-interview eval --engine openai --record evals/cassettes/llm.json

The command gets OPENAI_BASE_URL pointing at the server. `make eval-record` uses this to refresh the
replay cassette.
"""

from __future__ import annotations

import os
import subprocess
import sys

from agent.llm.local_server import serve


def main(argv: list[str]) -> int:
    if "--" not in argv or argv.index("--") == len(argv) - 1:
        print("usage: python evals/local_model.py -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    command = argv[argv.index("--") + 1 :]
    with serve() as base:
        env = {**os.environ, "OPENAI_BASE_URL": base, "OPENAI_API_KEY": os.environ.get("OPENAI_API_KEY", "local")}
        return subprocess.call(command, env=env)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
