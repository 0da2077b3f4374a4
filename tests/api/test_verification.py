"""Real-name verification through the API and the workflow (time-skipping Temporal)."""

from __future__ import annotations

import io

import httpx
from PIL import Image
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from domain.models import RealNameVerification
from tests.helpers import V1, bearer, register_client

ID_OK = "11010519491231002X"


def _valid(body17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body17 + "10X98765432"[sum(int(d) * w for d, w in zip(body17, weights, strict=True)) % 11]


async def _wait_decided(temporal_env, verification_id: int) -> str:  # type: ignore[no-untyped-def]
    return str(await temporal_env.client.get_workflow_handle(f"realname-{verification_id}").result())


async def test_person_verification_is_encrypted_masked_and_decided_by_the_workflow(
        api_with_temporal: httpx.AsyncClient, db: Session, temporal_env):  # type: ignore[no-untyped-def]
    api = api_with_temporal
    token = await register_client(api, "13700000020")
    res = await api.post(f"{V1}/me/verification", headers=bearer(token),
                         json={"subject": "person", "legal_name": "王小明", "id_number": ID_OK.lower()})
    assert res.status_code == 200, res.text
    assert res.json() == {"status": "pending", "reason": None, "subject": "person", "legal_name": "王**",
                          "id_number": "1101**********002X"}
    row = db.scalar(select(RealNameVerification))
    assert row is not None
    raw = db.execute(text("SELECT row_to_json(v)::text FROM real_name_verifications v")).scalar_one()
    assert ID_OK not in raw and "王小明" not in raw and "19491231" not in raw
    assert await _wait_decided(temporal_env, row.id) == "verified"
    me = (await api.get(f"{V1}/me", headers=bearer(token))).json()
    assert me["verification"]["status"] == "verified" and me["can_book"] is True
    again = await api.post(f"{V1}/me/verification", headers=bearer(token),
                           json={"subject": "person", "legal_name": "王小明", "id_number": ID_OK})
    assert again.status_code == 409 and again.json()["code"] == "already_verified"

    other = await register_client(api, "13700000021")
    taken = await api.post(f"{V1}/me/verification", headers=bearer(other),
                           json={"subject": "person", "legal_name": "王小明", "id_number": ID_OK})
    assert taken.status_code == 409 and taken.json()["code"] == "id_number_taken"


async def test_mismatch_is_rejected_with_a_reason_and_can_be_resubmitted(
        api_with_temporal: httpx.AsyncClient, db: Session, temporal_env):  # type: ignore[no-untyped-def]
    api = api_with_temporal
    token = await register_client(api, "13700000022")
    res = await api.post(f"{V1}/me/verification", headers=bearer(token),
                         json={"subject": "person", "legal_name": "测试不符", "id_number": _valid("11010119900307123")})
    assert res.status_code == 200
    row_id = db.scalar(select(RealNameVerification.id))
    assert await _wait_decided(temporal_env, row_id) == "rejected"
    ver = (await api.get(f"{V1}/me/verification", headers=bearer(token))).json()
    assert ver["status"] == "rejected" and ver["reason"] == "姓名与身份证号不一致"
    retry = await api.post(f"{V1}/me/verification", headers=bearer(token),
                           json={"subject": "person", "legal_name": "李小红", "id_number": _valid("11010119900307123")})
    assert retry.status_code == 200


async def test_bad_id_numbers_and_organisation_licence(api_with_temporal: httpx.AsyncClient, db: Session):
    api = api_with_temporal
    token = await register_client(api, "13700000023")
    wrong_check = ID_OK[:-1] + "1"
    res = await api.post(f"{V1}/me/verification", headers=bearer(token),
                         json={"subject": "person", "legal_name": "王小明", "id_number": wrong_check})
    assert res.status_code == 422 and res.json()["code"] == "id_number_invalid"
    res = await api.post(f"{V1}/me/verification", headers=bearer(token),
                         json={"subject": "organisation", "legal_name": "王小明", "id_number": ID_OK})
    assert res.status_code == 422 and res.json()["message"] == "机构认证需要上传营业执照"
    fake = await api.post(f"{V1}/uploads/licence", headers=bearer(token),
                          files={"file": ("licence.png", b"%PDF-1.4 not an image", "image/png")})
    assert fake.status_code == 415 and "JPG" in fake.json()["message"]
    png = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(png, format="PNG")
    up = await api.post(f"{V1}/uploads/licence", headers=bearer(token),
                        files={"file": ("whatever.txt", png.getvalue(), "text/plain")})
    assert up.status_code == 200
    other = await register_client(api, "13700000024")
    licence = up.json()["upload_id"]
    stolen = await api.post(f"{V1}/me/verification", headers=bearer(other), json={
        "subject": "organisation", "legal_name": "李四", "id_number": ID_OK, "licence_upload_id": licence})
    assert stolen.status_code == 422 and stolen.json()["code"] == "licence_not_found"
    for licence_id in (licence, "no-such-upload"):  # a person sending a licence id: checked too, never a 500
        res = await api.post(f"{V1}/me/verification", headers=bearer(other), json={
            "subject": "person", "legal_name": "李四", "id_number": ID_OK, "licence_upload_id": licence_id})
        assert res.status_code == 422 and res.json()["code"] == "licence_not_found", res.text
    assert db.scalar(select(RealNameVerification.id)) is None
    ok = await api.post(f"{V1}/me/verification", headers=bearer(token), json={
        "subject": "organisation", "legal_name": "王小明", "id_number": ID_OK, "licence_upload_id": licence})
    assert ok.status_code == 200 and ok.json()["subject"] == "organisation"


async def test_temporal_down_saves_nothing(api: httpx.AsyncClient, db: Session):
    token = await register_client(api, "13700000025")
    res = await api.post(f"{V1}/me/verification", headers=bearer(token),
                         json={"subject": "person", "legal_name": "王小明", "id_number": ID_OK})
    assert res.status_code == 503 and res.json()["code"] == "temporal_unavailable"
    assert db.scalar(select(RealNameVerification.id)) is None
    me = (await api.get(f"{V1}/me", headers=bearer(token))).json()
    assert me["verification"]["status"] == "unverified"


async def test_a_pending_submission_cannot_be_repeated(api: httpx.AsyncClient, db: Session):
    token = await register_client(api, "13700000026")
    db.execute(text("UPDATE users SET verification_status = 'pending' WHERE phone = '13700000026'"))
    db.commit()
    res = await api.post(f"{V1}/me/verification", headers=bearer(token),
                         json={"subject": "person", "legal_name": "王小明", "id_number": ID_OK})
    assert res.status_code == 409 and res.json()["message"] == "实名认证正在审核中，请耐心等待结果"
