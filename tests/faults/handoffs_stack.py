"""The e2e Stack (tests/e2e/booking_stack.py) with what the hand-off fault tests need on top: the API killed with
SIGKILL and started again, several workers started at the same moment (so their start-up jobs race), each process
named to PostgreSQL (PGAPPNAME) so a test can tell whose connection wrote a row, the WeChat Pay fake as the
payment gateway, and who ran what according to Temporal's histories."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.e2e.booking_stack import Party, Stack
from tests.fakes.wechatpay import FakeWechatPay

OPENID = "oFault-client-openid"


class HandoffStack(Stack):
    def __init__(self, root: Path, wechatpay: FakeWechatPay, *, workers: int = 1,
                 extra_env: dict[str, str] | None = None, worker_env: dict[str, str] | None = None) -> None:
        keys = root / "keys"
        keys.mkdir(parents=True, exist_ok=True)
        # WeChat Pay is the gateway: its fake (this process) delivers callbacks and answers the reconciler's queries.
        # The reconciler looks every 5 s at orders open for over 10 minutes (the default): a test that wants it to
        # find an order ages the order; the others' redeliveries come long before.
        env = {**wechatpay.write_settings_files(keys), "PAYMENT_GATEWAY": "wechatpay",
               "PAYMENT_RECONCILE_INTERVAL_SECONDS": "5",
               **(extra_env or {})}
        super().__init__(root, extra_env=env)
        self.extra_env["PAYMENT_NOTIFY_BASE_URL"] = self.url
        self.initial_workers = workers
        self.before_workers: Callable[[], None] | None = None  # run once the database is ready, before the workers
        self.db_name = f"handoffs_{os.getpid()}_{int(time.time() * 1000) % 10**8}"
        self._app_name = "handoffs-test"
        self.worker_env = worker_env or {}  # settings only the workers get (e.g. an SMS provider for notifications)

    def env(self) -> dict[str, str]:
        env = super().env()
        env["PGAPPNAME"] = self._app_name  # libpq: every connection of the child carries its name
        if self._app_name.startswith("worker-"):
            env.update(self.worker_env)
        return env

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        self._app_name = name
        try:
            return super()._spawn(name, args)
        finally:
            self._app_name = "handoffs-test"

    # --- processes --------------------------------------------------------------------------------------------

    def _start_workers(self) -> None:
        if self.before_workers is not None:
            self.before_workers()
        self.start_workers(self.initial_workers)

    def start_workers(self, n: int) -> list[subprocess.Popen[bytes]]:
        """`n` worker processes spawned together, then waited for: their start-up jobs run at the same moment."""
        names, procs = [], []
        for _ in range(n):
            self.workers += 1
            name = f"worker-{self.workers}"
            names.append(name)
            procs.append(self._spawn(name, [sys.executable, "-m", "workers"]))
        for name, proc in zip(names, procs, strict=True):
            log = self.logs / f"{name}.log"
            self._wait(name, lambda log=log: "worker polling task queue" in log.read_text(errors="replace"),
                       proc, 90)
        return procs

    def kill_api(self) -> None:
        """kill -9 of the API's process group, then its database sessions ended the way PostgreSQL ends the
        session of a client that is gone (a kill can't send COMMIT, so nothing it had not committed is kept)."""
        super().kill_api()
        self.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                 "AND application_name = 'api'")
        deadline = time.monotonic() + 10
        while self.sql("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND application_name = 'api'")[0][0]:
            assert time.monotonic() < deadline, "the killed API's database sessions are still there"
            time.sleep(0.1)

    def restart_api(self) -> None:
        self.start_api()

    # --- what the fault tests look at -------------------------------------------------------------------------

    def worker_log(self, n: int) -> str:
        return (self.logs / f"worker-{n}.log").read_text(errors="replace")

    def worker_pids(self) -> dict[int, str]:
        return {proc.pid: name for name, proc in self.procs.items() if name.startswith("worker-")}

    def history_events(self, workflow_id: str) -> list[Any]:
        async def fetch(client: Any) -> list[Any]:
            history = await client.get_workflow_handle(workflow_id).fetch_history()
            return list(history.events)

        return self.temporal(fetch)

    def workers_of(self, workflow_id: str) -> tuple[set[str], set[str], list[Any]]:
        """(worker names that ran its activities, worker names that completed its workflow tasks, failed tasks) from
        the history's identities (`<pid>@<host>`, the SDK's default identity)."""
        pids = self.worker_pids()

        def who(identity: str) -> str:
            pid = int(identity.split("@", 1)[0]) if identity.split("@", 1)[0].isdigit() else -1
            return pids.get(pid, identity)

        activities, tasks, failed = set(), set(), []
        for e in self.history_events(workflow_id):
            if e.HasField("activity_task_started_event_attributes"):
                activities.add(who(e.activity_task_started_event_attributes.identity))
            elif e.HasField("workflow_task_completed_event_attributes"):
                tasks.add(who(e.workflow_task_completed_event_attributes.identity))
            elif e.HasField("workflow_task_failed_event_attributes"):
                failed.append(e.workflow_task_failed_event_attributes)
        return activities, tasks, failed

    @contextmanager
    def session(self) -> Iterator[Any]:
        from sqlalchemy.orm import Session

        assert self._engine is not None
        with Session(self._engine) as s:
            yield s


def bind_openid(stack: Stack, client: Party) -> None:
    """The client logged in through WeChat: JSAPI payments need the payer's openid."""
    stack.execute("UPDATE users SET wechat_openid = :o WHERE id = :u", o=f"{OPENID}-{client.id}", u=client.id)
