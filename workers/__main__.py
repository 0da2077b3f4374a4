"""`python -m workers`: one worker process; start as many as the load needs."""

from __future__ import annotations

import asyncio
import logging
import signal

from temporalio.client import Client

from activities.contract_documents import DocumentMaker
from domain import heap
from domain.db import database_url_from_settings
from domain.settings import get_settings
from workers.runtime import build_worker


async def main() -> None:
    settings = get_settings()
    database_url = database_url_from_settings(settings)
    address = settings.temporal_address or f"127.0.0.1:{settings.temporal_port}"
    client = await Client.connect(address, namespace=settings.temporal_namespace)
    # Contract PDFs in a process of their own, beside the booking steps (activities.contract_documents).
    documents = DocumentMaker(database_url)
    documents.prepare_font(settings)  # once per data directory, in the background
    worker = build_worker(client, settings, database_url, documents=documents)
    heap.freeze_startup()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    logging.info("worker polling task queue %s at %s", settings.temporal_task_queue, address)
    try:
        async with worker:
            await stop.wait()
    finally:
        documents.shutdown()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s worker %(levelname)s %(message)s")
    asyncio.run(main())
