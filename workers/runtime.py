"""What a worker process runs: every workflow and activity of the platform on one task queue."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from temporalio.client import Client
from temporalio.worker import Worker

from activities.real_name import RealNameActivities
from domain.accounts.crypto import FieldCipher
from domain.settings import Settings
from integrations.realname.base import RealNameChecker
from integrations.realname.factory import realname_checker_from_settings
from workflows.real_name import RealNameVerificationWorkflow

WORKFLOWS = [RealNameVerificationWorkflow]


def field_cipher(settings: Settings) -> FieldCipher:
    return FieldCipher(settings.secret("id_encryption_key"), settings.secret("id_hash_key"))


def build_worker(client: Client, settings: Settings, database_url: str, *,
                 checker: RealNameChecker | None = None, task_queue: str | None = None) -> Worker:
    real_name = RealNameActivities(database_url, field_cipher(settings),
                                   checker or realname_checker_from_settings(settings))
    return Worker(
        client,
        task_queue=task_queue or settings.temporal_task_queue,
        workflows=WORKFLOWS,
        activities=[real_name.verify_real_name, real_name.give_up_real_name],
        # Activities use blocking SQLAlchemy and SDK calls: run them on threads.
        activity_executor=ThreadPoolExecutor(max_workers=16),
    )
