"""Activities of real-name verification. Idempotent: a decided submission is left as it is."""

from __future__ import annotations

import logging

from temporalio import activity
from temporalio.exceptions import ApplicationError

from domain.accounts import verification
from domain.accounts.crypto import FieldCipher
from domain.accounts.messages import GIVE_UP_REAL_NAME, VERIFY_REAL_NAME
from domain.artists import changes
from domain.artists.search_sync import index_writer
from domain.db import session_scope
from domain.models import RealNameVerification
from integrations.realname.base import RealNameChecker, RealNameResult
from search.base import ArtistSearch

log = logging.getLogger(__name__)


class RealNameActivities:
    def __init__(self, database_url: str, cipher: FieldCipher, checker: RealNameChecker, search: ArtistSearch):
        self.database_url, self.cipher, self.checker, self.search = database_url, cipher, checker, search

    @activity.defn(name=VERIFY_REAL_NAME.name)
    def verify_real_name(self, verification_id: int) -> str:
        with session_scope(self.database_url) as session:
            row = session.get(RealNameVerification, verification_id, with_for_update=True)
            if row is None:
                # The API starts the workflow before its commit; a retry finds the row.
                raise ApplicationError(f"verification {verification_id} not committed yet")
            if row.status != "pending":
                return row.status
            name, id_number = verification.decrypted_identity(self.cipher, row)
            result = self.checker.check(name, id_number)  # IntegrationError -> retried by Temporal
            verification.record_result(session, row, result, self.checker.name)
            changes.on_commit(session, index_writer(self.search))  # the 已实名 badge, in this transaction
            log.info("real-name verification %s decided: %s (%s)", verification_id, row.status,
                     self.checker.name)
            return row.status

    @activity.defn(name=GIVE_UP_REAL_NAME.name)
    def give_up_real_name(self, verification_id: int) -> str:
        with session_scope(self.database_url) as session:
            row = session.get(RealNameVerification, verification_id, with_for_update=True)
            if row is None:
                return "missing"
            verification.record_result(
                session, row, RealNameResult(False, "实名核验服务暂时不可用，请稍后重新提交"), self.checker.name)
            return row.status
