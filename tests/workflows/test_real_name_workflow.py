"""RealNameVerificationWorkflow on the time-skipping server: provider outages are retried, and a day-long
outage ends with a clear reason instead of a submission stuck in 审核中."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from api.context import AppContext
from domain.accounts import verification
from domain.accounts.schemas import VerificationIn
from domain.models import RealNameVerification, User
from integrations.errors import IntegrationError
from integrations.realname.base import RealNameResult
from tests.factories import user_row
from workers.runtime import build_worker
from workflows.real_name import RealNameVerificationWorkflow


class FlakyChecker:
    name, is_sandbox = "flaky", True

    def __init__(self, failures: int):
        self.failures, self.calls = failures, 0

    def check(self, legal_name: str, id_number: str) -> RealNameResult:
        self.calls += 1
        if self.calls <= self.failures:
            raise IntegrationError("realname_unavailable", "实名核验服务暂时不可用", status=503)
        return RealNameResult(verified=legal_name == "王小明" and id_number == "11010519491231002X")


def _submission(db: Session, ctx: AppContext) -> int:
    user = user_row(db, "13700000030")
    row = verification.submit(db, ctx.cipher, user, VerificationIn.model_validate(
        {"subject": "person", "legal_name": "王小明", "id_number": "11010519491231002X"}))
    db.commit()
    return row.id


async def _run(temporal_env, ctx: AppContext, checker: FlakyChecker, vid: int) -> str:  # type: ignore[no-untyped-def]
    queue = f"rn-{uuid.uuid4()}"
    worker = build_worker(temporal_env.client, ctx.settings, ctx.database_url, checker=checker, task_queue=queue)
    async with worker:
        return str(await temporal_env.client.execute_workflow(
            RealNameVerificationWorkflow.run, vid, id=f"realname-test-{uuid.uuid4()}", task_queue=queue))


async def test_outage_is_retried_until_the_provider_answers(temporal_env, ctx: AppContext, db: Session):
    vid = _submission(db, ctx)
    checker = FlakyChecker(failures=3)
    assert await _run(temporal_env, ctx, checker, vid) == "verified"
    assert checker.calls == 4
    db.expire_all()
    row = db.get(RealNameVerification, vid)
    assert row is not None and row.status == "verified" and row.provider == "flaky"
    assert db.get(User, row.user_id).verification_status == "verified"  # type: ignore[union-attr]
    # Running it again decides nothing twice (idempotent activity).
    assert await _run(temporal_env, ctx, FlakyChecker(failures=0), vid) == "verified"


async def test_a_day_long_outage_asks_the_user_to_resubmit(temporal_env, ctx: AppContext, db: Session):
    vid = _submission(db, ctx)
    checker = FlakyChecker(failures=10**6)
    assert await _run(temporal_env, ctx, checker, vid) == "rejected"
    db.expire_all()
    row = db.get(RealNameVerification, vid)
    assert row is not None and row.reason == "实名核验服务暂时不可用，请稍后重新提交"
    assert checker.calls > 5
