"""Date filters at the ends of the calendar (0001-01-01, 9999-12-31) on the money lists and their exports: an
answer, never a 500 (the day after 9999-12-31 does not exist)."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.orm import Session

from tests.factories import verified_pair
from tests.helpers import V1, bearer, operator_token

EDGES = [{"start": "0001-01-01", "end": "9999-12-31"}, {"end": "9999-12-31"}, {"start": "9999-12-31"}]


@pytest.mark.parametrize("params", EDGES)
async def test_the_ends_of_the_calendar_are_answered(api: httpx.AsyncClient, db: Session,
                                                     params: dict[str, str]) -> None:
    _, artist, _ = await verified_pair(api, db, "13800000071", "13900000071")
    ops = bearer(await operator_token(api, db))
    for path, headers in [("/admin/money/payments", ops), ("/admin/money/refunds.xlsx", ops),
                          ("/admin/money/payouts", ops), ("/admin/money/commissions.xlsx", ops),
                          ("/me/artist/income/bookings", bearer(artist)),
                          ("/me/artist/income/bookings.xlsx", bearer(artist))]:
        res = await api.get(f"{V1}{path}", headers=headers, params=params)
        assert res.status_code == 200, (path, res.status_code, res.text[:200])
