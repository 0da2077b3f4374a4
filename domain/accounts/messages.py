"""The activities of the RealNameVerificationWorkflow by name (activities.real_name registers them under these
names), so the workflow schedules them without importing their implementation."""

from __future__ import annotations

from domain.activity_refs import ActivityRef

# Both take the verification id and return its status; the names are in recorded histories: never rename.
VERIFY_REAL_NAME = ActivityRef("verify_real_name", int, str)
GIVE_UP_REAL_NAME = ActivityRef("give_up_real_name", int, str)
