"""A cluster on loopback: a throw-away PostgreSQL, N `chainlit run` workers and nginx (deploy/nginx.conf).

    python deploy/cluster.py up [--workers 2] [--port 8080] [--dir .cluster]   # returns once it serves
    python deploy/cluster.py down [--dir .cluster]                            # stops what `up` started
    python deploy/cluster.py restart [--dir .cluster]                         # rolling restart, one by one
    python deploy/cluster.py status [--dir .cluster]

`make cluster` / `make cluster-stop` run it; the tests (tests/e2e/test_cluster.py) and the load bench
(bench/load.py) import it. Postgres runs from Debian's `postgresql` package (initdb in the cluster folder,
as the unprivileged `postgres` user when run as root, listening on 127.0.0.1 only, password auth); nginx
runs the repository's nginx.conf with only the lines marked "# cluster:" rewritten for the ports and the
number of workers. The workers share the database and an auth secret file, nothing else.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from agent.web.serving import pid_alive  # the app's own check, for the processes this script starts

ROOT = Path(__file__).resolve().parents[1]
NGINX_CONF = ROOT / "deploy" / "nginx.conf"
DB_USER = "mock_interview"
DB_NAME = "mock_interview"


class ClusterError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def http_ok(url: str, timeout: float = 2.0) -> bool:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:  # loopback only
            return 200 <= r.status < 300
    except (urllib.error.URLError, OSError):
        return False


def wait_until(check, timeout: float, what: str, proc: subprocess.Popen | None = None, log: Path | None = None):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if check():
            return time.monotonic() - t0
        if proc is not None and proc.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
            raise ClusterError(f"{what}: the process exited ({proc.returncode})\n{tail}")
        time.sleep(0.1)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise ClusterError(f"{what}: not ready in {timeout:.0f} s\n{tail}")


# --- what is installed ------------------------------------------------------------------------------------


def postgres_bin() -> Path | None:
    """The folder holding initdb and pg_ctl (Debian keeps them in /usr/lib/postgresql/<v>/bin, off PATH)."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(os.path.realpath(found)).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(versions[-1]).parent if versions else None


def nginx_bin() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def missing_parts() -> list[str]:
    """What the cluster needs and this machine lacks (Debian packages)."""
    missing = []
    if postgres_bin() is None:
        missing.append("postgresql")
    if nginx_bin() is None:
        missing.append("nginx")
    try:
        import asyncpg  # noqa: F401
    except ImportError:
        missing.append("asyncpg (pip install -e '.[postgres]')")
    return missing


# --- PostgreSQL -------------------------------------------------------------------------------------------


def _run_as() -> tuple[list[str], int | None, int | None]:
    """Postgres refuses to run as root: as root, run it as the `postgres` user (or `nobody`)."""
    if os.geteuid() != 0:
        return [], None, None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            entry = pwd.getpwnam(name)
            return ["runuser", "-u", name, "--"], entry.pw_uid, entry.pw_gid
    raise ClusterError("running as root and no unprivileged user (postgres, nobody) to run PostgreSQL")


@dataclass
class Postgres:
    folder: Path
    port: int = 0
    password: str = ""
    fast: bool = False  # fsync off: for tests and benches, never for data you keep

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def log(self) -> Path:
        return self.folder / "postgres.log"

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://{DB_USER}:{self.password}@127.0.0.1:{self.port}/{DB_NAME}"

    def _cmd(self, tool: str, *args: str) -> list[str]:
        bindir = postgres_bin()
        if bindir is None:
            raise ClusterError("PostgreSQL is not installed (Debian: apt-get install postgresql)")
        return [*_run_as()[0], str(bindir / tool), *args]

    def start(self) -> Postgres:
        _, uid, gid = _run_as()
        self.folder.mkdir(parents=True, exist_ok=True)
        self.folder.chmod(0o755)  # the unprivileged server user must reach its data folder
        self.port = self.port or free_port()
        secret = self.folder / "db_password"
        if not secret.exists():
            shutil.rmtree(self.data, ignore_errors=True)  # a half-made one from a failed run
            self.password = secrets.token_urlsafe(24)
            self.data.mkdir(mode=0o700)
            pwfile = self.folder / "pwfile"
            pwfile.write_text(self.password + "\n")
            if uid is not None:
                os.chown(self.data, uid, gid or -1)
                os.chown(pwfile, uid, gid or -1)
            init = self._cmd(
                "initdb",
                "-D",
                str(self.data),
                "-U",
                DB_USER,
                "--pwfile",
                str(pwfile),
                "-E",
                "UTF8",
                "--no-locale",
                "--auth-local=scram-sha-256",
                "--auth-host=scram-sha-256",
            )
            if self.fast:
                init.append("--no-sync")
            done = subprocess.run(init, capture_output=True, text=True)
            pwfile.unlink(missing_ok=True)
            if done.returncode:
                raise ClusterError(f"initdb failed:\n{done.stdout}\n{done.stderr}")
            fd = os.open(secret, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(self.password + "\n")
        else:
            self.password = secret.read_text().strip()
        options = f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.data}"
        options += " -c max_connections=300"
        if self.fast:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        if uid is not None and not self.log.exists():
            self.log.touch()
            os.chown(self.log, uid, gid or -1)
        started = subprocess.run(
            self._cmd("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60", "start"),
            capture_output=True,
            text=True,
        )
        if started.returncode:
            raise ClusterError(f"PostgreSQL did not start:\n{started.stdout}{started.stderr}\n{self._log_tail()}")
        self._create_database()
        return self

    def _log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""

    def _create_database(self) -> None:
        import asyncio

        import asyncpg

        async def create() -> None:
            conn = await asyncpg.connect(
                host="127.0.0.1", port=self.port, user=DB_USER, password=self.password, database="postgres"
            )
            try:
                if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", DB_NAME):
                    await conn.execute(f'CREATE DATABASE "{DB_NAME}"')
            finally:
                await conn.close()

        asyncio.run(create())

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            subprocess.run(
                self._cmd("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop"),
                capture_output=True,
                text=True,
            )


# --- workers ----------------------------------------------------------------------------------------------


@dataclass
class Worker:
    name: str
    port: int
    app_root: Path
    env: dict[str, str]
    log: Path
    proc: subprocess.Popen | None = None
    pid: int | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def spawn(self) -> Worker:
        out = open(self.log, "ab")  # noqa: SIM115 - lives as long as the process
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "chainlit",
                "run",
                str(ROOT / "agent" / "app.py"),
                "--headless",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            cwd=self.app_root,
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        out.close()
        self.pid = self.proc.pid
        return self

    def wait_ready(self, timeout: float = 90) -> float:
        return wait_until(lambda: http_ok(f"{self.base}/health"), timeout, f"worker {self.name}", self.proc, self.log)

    def alive(self) -> bool:
        if self.proc is not None:
            return self.proc.poll() is None
        return bool(self.pid) and pid_alive(self.pid or 0)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.pid and self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, sig)

    def stop(self, timeout: float = 20) -> None:
        """SIGTERM, then SIGKILL if it lingers."""
        if not (self.pid and self.alive()):
            return
        self.kill(signal.SIGTERM)
        t0 = time.monotonic()
        while self.alive() and time.monotonic() - t0 < timeout:
            if self.proc is not None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.proc.wait(timeout=0.2)
            else:
                time.sleep(0.2)
        if self.alive():
            self.kill(signal.SIGKILL)
            if self.proc is not None:
                self.proc.wait(timeout=10)


# --- nginx ------------------------------------------------------------------------------------------------


def render_nginx(worker_ports: list[int], listen: int, text: str | None = None) -> str:
    """deploy/nginx.conf for these workers: each line marked `# cluster: each worker` once per worker
    (w1/8081 renamed), `# cluster: example` lines dropped, the `# cluster: listen` port replaced."""
    source = NGINX_CONF.read_text() if text is None else text
    out: list[str] = []
    for line in source.splitlines():
        if "# cluster: example" in line:
            continue
        if "# cluster: each worker" in line:
            for i, port in enumerate(worker_ports, start=1):
                row = line.replace("8081", str(port)).replace("mi_w1", f"mi_w{i}")
                row = re.sub(r"\bw1\b", f"w{i}", row)
                out.append(row)
            continue
        if "# cluster: listen" in line:
            line = line.replace("8080", str(listen))
        out.append(line)
    return "\n".join(out) + "\n"


@dataclass
class Nginx:
    folder: Path
    port: int
    worker_ports: list[int]
    proc: subprocess.Popen | None = None
    pid: int | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.folder / "logs" / "error.log"

    def write_config(self) -> Path:
        for sub in ("logs", "tmp"):
            (self.folder / sub).mkdir(parents=True, exist_ok=True)
        for path in (self.folder, self.folder / "logs", self.folder / "tmp"):
            path.chmod(0o755)  # nginx's own workers (nobody, when started as root) read and write here
        conf = self.folder / "nginx.conf"
        conf.write_text(render_nginx(self.worker_ports, self.port))
        conf.chmod(0o644)
        return conf

    def _cmd(self, *extra: str) -> list[str]:
        binary = nginx_bin()
        if binary is None:
            raise ClusterError("nginx is not installed (Debian: apt-get install nginx-light)")
        conf = self.folder / "nginx.conf"
        return [binary, "-p", f"{self.folder}/", "-c", str(conf), "-e", str(self.log), *extra]

    def start(self, timeout: float = 20) -> Nginx:
        self.write_config()
        test = subprocess.run(self._cmd("-t", "-q"), capture_output=True, text=True)
        if test.returncode:
            raise ClusterError(f"nginx -t failed:\n{test.stderr}")
        self.proc = subprocess.Popen(
            self._cmd("-g", "daemon off;"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.pid = self.proc.pid
        wait_until(lambda: http_ok(f"{self.base}/nginx-health"), timeout, "nginx", self.proc, self.log)
        return self

    def stop(self) -> None:
        if self.pid and pid_alive(self.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGQUIT)  # graceful: finish what is in flight
            t0 = time.monotonic()
            while pid_alive(self.pid) and time.monotonic() - t0 < 10:
                if self.proc is not None:
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        self.proc.wait(timeout=0.2)
                else:
                    time.sleep(0.2)
            if pid_alive(self.pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.pid, signal.SIGKILL)


# --- the whole cluster ------------------------------------------------------------------------------------


def worker_env(app_root: Path, home: Path, database_url: str, secret_file: Path, extra: dict[str, str]) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOCK_INTERVIEW_HOME", "MOCK_INTERVIEW_DB"))}
    for name in ("CI", "DATABASE_URL", "CHAINLIT_AUTH_SECRET"):  # CI=true makes chainlit fake an OpenAI key
        env.pop(name, None)
    env.update(
        CHAINLIT_APP_ROOT=str(app_root),
        MOCK_INTERVIEW_HOME=str(home),
        DATABASE_URL=database_url,
        MOCK_INTERVIEW_AUTH_SECRET_FILE=str(secret_file),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


@dataclass
class Cluster:
    folder: Path
    workers: int = 2
    port: int = 8080
    app_root: Path = ROOT
    worker_ports: list[int] = field(default_factory=list)
    extra_env: dict[str, str] = field(default_factory=dict)
    fast_db: bool = False
    postgres: Postgres | None = None
    nodes: list[Worker] = field(default_factory=list)
    nginx: Nginx | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def secret_file(self) -> Path:
        return self.folder / "auth_secret"

    def _secret(self) -> None:
        if not self.secret_file.exists():
            fd = os.open(self.secret_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48) + "\n")

    def _worker(self, i: int) -> Worker:
        assert self.postgres is not None
        name = f"w{i + 1}"
        home = self.folder / "workers" / name
        home.mkdir(parents=True, exist_ok=True)
        env = worker_env(self.app_root, home, self.postgres.url, self.secret_file, self.extra_env)
        return Worker(name, self.worker_ports[i], self.app_root, env, self.folder / f"{name}.log")

    def up(self) -> Cluster:
        missing = missing_parts()
        if missing:
            raise ClusterError("missing: " + ", ".join(missing))
        self.folder.mkdir(parents=True, exist_ok=True)
        self._secret()
        if not self.worker_ports:
            self.worker_ports = [free_port() for _ in range(self.workers)]
        try:
            self.postgres = Postgres(self.folder / "postgres", fast=self.fast_db).start()
            self.nodes = [self._worker(i) for i in range(self.workers)]
            # The first worker migrates the schema alone; the rest start together (the advisory lock would
            # serialise them anyway, this just keeps the log readable).
            self.nodes[0].spawn().wait_ready()
            for node in self.nodes[1:]:
                node.spawn()
            for node in self.nodes[1:]:
                node.wait_ready()
            self.nginx = Nginx(self.folder / "nginx", self.port, self.worker_ports).start()
            wait_until(lambda: http_ok(f"{self.base}/health"), 20, "the app through nginx")
        except BaseException:
            self.down()
            raise
        self.save_state()
        return self

    def save_state(self) -> None:
        assert self.postgres is not None and self.nginx is not None
        state = {
            "port": self.port,
            "postgres": {"folder": str(self.postgres.folder), "port": self.postgres.port},
            "workers": [{"name": w.name, "port": w.port, "pid": w.pid} for w in self.nodes],
            "nginx": {"pid": self.nginx.pid},
        }
        (self.folder / "state.json").write_text(json.dumps(state, indent=2) + "\n")

    @classmethod
    def load(cls, folder: Path) -> Cluster:
        state = json.loads((folder / "state.json").read_text())
        cluster = cls(folder=folder, workers=len(state["workers"]), port=state["port"])
        cluster.worker_ports = [w["port"] for w in state["workers"]]
        cluster.postgres = Postgres(Path(state["postgres"]["folder"]), port=state["postgres"]["port"])
        with contextlib.suppress(OSError):
            cluster.postgres.password = (cluster.postgres.folder / "db_password").read_text().strip()
        cluster.nodes = []
        for i, w in enumerate(state["workers"]):
            node = cluster._worker(i)
            node.pid = w["pid"]
            cluster.nodes.append(node)
        cluster.nginx = Nginx(folder / "nginx", state["port"], cluster.worker_ports, pid=state["nginx"]["pid"])
        return cluster

    def restart_worker(self, i: int, sig: int = signal.SIGTERM) -> float:
        """Stop worker i (SIGTERM, or `sig`), start it again on the same port; returns seconds to healthy."""
        node = self.nodes[i]
        if sig == signal.SIGTERM:
            node.stop()
        else:
            node.kill(sig)
            if node.proc is not None:
                node.proc.wait(timeout=10)
        t0 = time.monotonic()
        node.spawn().wait_ready()
        return time.monotonic() - t0

    def rolling_restart(self, pause: float = 1.0) -> list[float]:
        times = []
        for i in range(len(self.nodes)):
            times.append(self.restart_worker(i))
            time.sleep(pause)
        if self.nginx is not None and self.postgres is not None:
            self.save_state()
        return times

    def down(self) -> None:
        if self.nginx is not None:
            self.nginx.stop()
        for node in self.nodes:
            node.stop(timeout=10)
        if self.postgres is not None:
            self.postgres.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="deploy/cluster.py", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["up", "down", "restart", "status"])
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", "2")))
    parser.add_argument("--port", type=int, default=int(os.environ.get("CLUSTER_PORT", "8080")))
    parser.add_argument("--dir", type=Path, default=ROOT / ".cluster")
    args = parser.parse_args(argv)
    folder = args.dir.resolve()
    state = folder / "state.json"
    if args.command == "up":
        if state.exists():
            print(f"a cluster is already up (or was not stopped): make cluster-stop first ({state})", file=sys.stderr)
            return 1
        if port_open(args.port):
            print(f"port {args.port} is taken: set CLUSTER_PORT", file=sys.stderr)
            return 1
        ports = [args.port + 1 + i for i in range(args.workers)]
        taken = [p for p in ports if port_open(p)]
        try:
            cluster = Cluster(folder, args.workers, args.port, worker_ports=[] if taken else ports).up()
        except ClusterError as exc:
            print(f"cluster: {exc}", file=sys.stderr)
            return 1
        print(f"serving on {cluster.base} (nginx) with {args.workers} workers on ports {cluster.worker_ports}")
        print(f"Postgres on 127.0.0.1:{cluster.postgres.port if cluster.postgres else '?'}; logs in {folder}")
        print("stop it with: make cluster-stop")
        return 0
    if not state.exists():
        print("no cluster is up", file=sys.stderr)
        return 0 if args.command == "down" else 1
    cluster = Cluster.load(folder)
    if args.command == "down":
        cluster.down()
        state.unlink()
        print("cluster stopped")
    elif args.command == "restart":
        took = cluster.rolling_restart()
        print("rolling restart: " + ", ".join(f"{n.name} {t:.1f} s" for n, t in zip(cluster.nodes, took, strict=True)))
    else:
        for node in cluster.nodes:
            print(f"{node.name} :{node.port} pid {node.pid} {'up' if http_ok(node.base + '/health') else 'DOWN'}")
        print(f"nginx :{cluster.port} {'up' if http_ok(cluster.base + '/nginx-health') else 'DOWN'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
