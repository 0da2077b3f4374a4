"""What a worker process runs: every workflow and activity of the platform on one task queue."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from temporalio.client import Client
from temporalio.worker import Worker

from activities.backups import BackupActivities
from activities.bookings import BookingActivities
from activities.contract_documents import DocumentMaker
from activities.failures import PermanentFailures
from activities.legacy_inputs import LegacyPositionalInputs
from activities.notifications import NotificationActivities, NotificationDispatchPlugin
from activities.payment_reconciliation import PaymentReconciler, PaymentReconciliationPlugin
from activities.real_name import RealNameActivities
from activities.reconciliation import ReconciliationActivities
from activities.search import SearchOutboxActivities, SearchOutboxDrainPlugin
from activities.storage import StorageCleanupPlugin
from domain.accounts.crypto import field_cipher_from_settings
from domain.contracts.documents import ContractPapers
from domain.notifications.delivery import Channels, channels_from_settings
from domain.payments.factory import payment_gateways_from_settings
from domain.payments.gateway import PaymentGateway
from domain.payments.registry import Gateways
from domain.payouts.channel import PayoutChannel
from domain.settings import Settings
from integrations.realname.base import RealNameChecker
from integrations.realname.factory import realname_checker_from_settings
from search.factory import artist_search_from_settings
from storage.factory import storage_from_settings
from workers.schedules import SchedulesPlugin
from workflows.backups import DailyBackupWorkflow
from workflows.booking import BookingWorkflow
from workflows.notifications import NotificationDeliveryWorkflow
from workflows.real_name import RealNameVerificationWorkflow
from workflows.reconciliation import DailyReconciliationWorkflow

WORKFLOWS = [RealNameVerificationWorkflow, BookingWorkflow, DailyReconciliationWorkflow, DailyBackupWorkflow,
             NotificationDeliveryWorkflow]


# Custom search attributes operators filter bookings by in the Temporal UI. `make run` registers them when it
# starts the dev server; tests and fresh clusters call register_search_attributes().
SEARCH_ATTRIBUTES = {"BookingStatus": "Keyword", "ArtistId": "Int", "ClientId": "Int",
                     "PerformanceDate": "Datetime", "InquiryId": "Int"}


async def register_search_attributes(client: Client, namespace: str) -> None:
    from temporalio.api.enums.v1 import IndexedValueType
    from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest

    types = {"Keyword": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD, "Int": IndexedValueType.INDEXED_VALUE_TYPE_INT,
             "Datetime": IndexedValueType.INDEXED_VALUE_TYPE_DATETIME}
    await client.operator_service.add_search_attributes(AddSearchAttributesRequest(
        namespace=namespace, search_attributes={k: types[v] for k, v in SEARCH_ATTRIBUTES.items()}))


def build_worker(client: Client, settings: Settings, database_url: str, *,
                 checker: RealNameChecker | None = None, gateway: PaymentGateway | Gateways | None = None,
                 task_queue: str | None = None, payout_channel: PayoutChannel | None = None,
                 channels: Channels | None = None, documents: DocumentMaker | None = None) -> Worker:
    search = artist_search_from_settings(settings, database_url)
    real_name = RealNameActivities(database_url, field_cipher_from_settings(settings),
                                   checker or realname_checker_from_settings(settings), search)
    gateways = Gateways.of(gateway) if gateway is not None else payment_gateways_from_settings(
        settings, database_url=database_url)
    bookings = BookingActivities(database_url, gateways,
                                 papers=ContractPapers.from_settings(settings, storage_from_settings(settings)))
    bookings.payout_channel = payout_channel  # None: the configured one (PAYOUT_CHANNEL)
    bookings.payout_cipher = field_cipher_from_settings(settings)  # the payee's name and bank account
    bookings.documents = documents  # None: contract PDFs made inside the send_contract / countersign steps
    outbox = SearchOutboxActivities(database_url, search)
    reconciliation = ReconciliationActivities(database_url, gateways)
    backups = BackupActivities(database_url, storage_from_settings(settings), settings)
    notifications = NotificationActivities(database_url, channels or channels_from_settings(settings))
    return Worker(
        client,
        task_queue=task_queue or settings.temporal_task_queue,
        workflows=WORKFLOWS,
        activities=[real_name.verify_real_name, real_name.give_up_real_name, *bookings.all(), outbox.drain_outbox,
                    *reconciliation.all(), *backups.all(), *notifications.all()],
        # Writes queued search documents to the index every few seconds while the worker runs.
        # And removes uploads abandoned before `/complete` (no `uploads` row) every 10 minutes.
        # Creates (or updates) the daily reconciliation and backup schedules as the worker starts.
        plugins=[SchedulesPlugin(client, settings, task_queue or settings.temporal_task_queue),
                 SearchOutboxDrainPlugin(database_url, search),
                 # Starts a delivery workflow per pending notification channel (sends sandbox ones itself); writes the
                 # day-before reminders.
                 NotificationDispatchPlugin(client, database_url, task_queue or settings.temporal_task_queue,
                                            notifications.channels),
                 StorageCleanupPlugin(database_url, storage_from_settings(settings)),
                 # Asks the gateways about payments whose callback never came (and refunds still processing).
                 PaymentReconciliationPlugin(
                     PaymentReconciler(database_url, gateways, settings.payment_reconcile_after_minutes),
                     settings.payment_reconcile_interval_seconds)],
        # Activities use blocking SQLAlchemy and SDK calls: run them on threads.
        activity_executor=ThreadPoolExecutor(max_workers=16),
        # An activity error that can never succeed stops retrying and flags the booking (activities.failures);
        # tasks scheduled with positional arguments before the activities took one dataclass still run.
        interceptors=[PermanentFailures(), LegacyPositionalInputs()],
    )
