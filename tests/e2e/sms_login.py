"""SMS login for the browser tests' API calls (the sandbox echoes the code).

The browser tests share one running platform, and the seeded accounts are few: another test may have sent the
same phone a code within the 60 s cooldown, so a 429 is waited out instead of failing the test."""

from __future__ import annotations

import time

import httpx

V1 = "/api/v1"


def sms_headers(http: httpx.Client, phone: str) -> dict[str, str]:
    """Bearer headers of the account behind `phone` (created on first login)."""
    sent = http.post(f"{V1}/auth/sms/send", json={"phone": phone})
    for _ in range(2):
        if sent.status_code != 429 or (sent.json().get("code") != "sms_too_frequent"):
            break
        time.sleep(int((sent.json().get("detail") or {}).get("retry_after", 60)) + 1)
        sent = http.post(f"{V1}/auth/sms/send", json={"phone": phone})
    assert sent.status_code == 200, sent.text
    login = http.post(f"{V1}/auth/sms/login", json={"phone": phone, "code": sent.json()["sandbox_code"]})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}
