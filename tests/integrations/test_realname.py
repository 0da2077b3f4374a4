"""Real-name check (name + mainland ID number): the ID number rules, the Tencent Cloud adapter against
its loopback fake, the sandbox, and the settings-driven choice between them."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from domain.settings import Settings
from integrations.errors import IntegrationError
from integrations.realname.base import RealNameResult
from integrations.realname.factory import realname_checker_from_settings
from integrations.realname.idcard import is_plausible_legal_name, mask_id_number, validate_id_number
from integrations.realname.sandbox import SandboxRealNameChecker
from integrations.realname.tencent import TencentRealNameChecker
from tests.fakes.tencent_cloud import FakeTencentCloud

# Check characters computed by hand from GB 11643 (weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, mod 11).
WANG_ID = "11010519491231002X"
LI_ID = "440304198510104513"
LEAP_DAY_ID = "320106198802291239"
NAME = "王小明"

ID_INVALID = "非法身份证号，请核对后重新填写"
NAME_INVALID = "姓名格式不正确，请填写身份证上的姓名"


# --- ID number rules


@pytest.mark.parametrize("id_number", [WANG_ID, WANG_ID.lower(), f" {WANG_ID} ", LI_ID, LEAP_DAY_ID,
                                       "650102200001010012", "810000199001010019"])
def test_valid_id_numbers(id_number: str) -> None:
    assert validate_id_number(id_number, today=date(2026, 1, 1))


@pytest.mark.parametrize(("id_number", "why"), [
    ("110105194912310021", "wrong check character"),
    ("440304198510104514", "wrong check character"),
    ("11010519491231002", "17 characters"),
    ("11010519491231002XX", "19 characters"),
    ("1101051949123100X2", "X not at the end"),
    ("11010519491231002Y", "not a digit or X"),
    ("320106198902291236", "29 February in a common year"),
    ("00010119900101001X", "no province 00"),
    ("990101199001010019", "no province 99"),
    ("11010118991231001X", "born before 1900"),
    ("11010121000101001X", "born in the future"),
    ("", "empty"),
])
def test_invalid_id_numbers(id_number: str, why: str) -> None:
    assert not validate_id_number(id_number, today=date(2026, 1, 1)), why


def test_birth_date_is_judged_against_today() -> None:
    born_2020 = "110105202001010015"
    assert validate_id_number(born_2020, today=date(2020, 1, 1))
    assert not validate_id_number(born_2020, today=date(2019, 12, 31))


@pytest.mark.parametrize(("name", "plausible"), [
    ("王小明", True), ("欧阳娜娜", True), ("阿依古丽·买买提", True), ("张", False), ("Zhang San", False),
    ("王小明1", False), ("·王小明", False), ("王··明", False), ("王" * 20, True), ("王" * 21, False),
])
def test_legal_name_shapes(name: str, plausible: bool) -> None:
    assert is_plausible_legal_name(name) is plausible


def test_mask_id_number_keeps_only_both_ends() -> None:
    assert mask_id_number(WANG_ID) == "11**************2X"


# --- Tencent Cloud IdCardVerification


@pytest.fixture
def faceid() -> Iterator[FakeTencentCloud]:
    with FakeTencentCloud(identities={WANG_ID: NAME}) as fake:
        yield fake


def checker(fake: FakeTencentCloud, **overrides: Any) -> TencentRealNameChecker:
    options: dict[str, Any] = dict(secret_id=fake.secret_id, secret_key=fake.secret_key, endpoint=fake.url)
    options.update(overrides)
    return TencentRealNameChecker(**options)


def test_tencent_matching_name_is_verified(faceid: FakeTencentCloud) -> None:
    result = checker(faceid).check(NAME, WANG_ID.lower())

    assert result == RealNameResult(verified=True, reason=None, provider_code="0")
    assert faceid.idcard_checks == [(WANG_ID, NAME)]  # normalised before it leaves
    assert faceid.requests[-1].header("X-TC-Action") == "IdCardVerification"


@pytest.mark.parametrize(("name", "id_number", "result", "reason"), [
    ("王大明", WANG_ID, "-1", "姓名和身份证号不一致"),
    ("A王", WANG_ID, "-3", NAME_INVALID),
    ("李四", LI_ID, "-5", "证件库中无此身份证记录，请到户籍所在地核实"),
])
def test_tencent_definite_refusals(faceid: FakeTencentCloud, name: str, id_number: str, result: str,
                                   reason: str) -> None:
    assert checker(faceid).check(name, id_number) == RealNameResult(verified=False, reason=reason,
                                                                     provider_code=result)


def test_tencent_illegal_id_number_from_the_authority(faceid: FakeTencentCloud) -> None:
    faceid.force_idcard_result(LI_ID, "-2")

    assert checker(faceid).check("李四", LI_ID) == RealNameResult(False, ID_INVALID, "-2")


def test_tencent_bad_check_character_is_refused_without_a_paid_call(faceid: FakeTencentCloud) -> None:
    result = checker(faceid).check(NAME, "110105194912310021")

    assert result == RealNameResult(verified=False, reason=ID_INVALID)
    assert faceid.requests == []


@pytest.mark.parametrize("result", ["-4", "-6", "-99"])
def test_tencent_outage_results_are_retriable(faceid: FakeTencentCloud, result: str) -> None:
    faceid.force_idcard_result(WANG_ID, result)

    with pytest.raises(IntegrationError) as exc:
        checker(faceid).check(NAME, WANG_ID)

    assert (exc.value.code, exc.value.status, exc.value.message) == (
        "realname_unavailable", 503, "实名核验服务暂时不可用，请稍后重试")
    assert exc.value.provider_code == result


def test_tencent_daily_limit_says_try_tomorrow(faceid: FakeTencentCloud) -> None:
    faceid.force_idcard_result(WANG_ID, "-7")

    with pytest.raises(IntegrationError) as exc:
        checker(faceid).check(NAME, WANG_ID)

    assert (exc.value.code, exc.value.status, exc.value.message) == (
        "realname_rate_limited", 429, "今日实名核验次数已达上限，请明天再试")


@pytest.mark.parametrize("code", ["InternalError", "RequestLimitExceeded", "UnauthorizedOperation.Arrears"])
def test_tencent_service_errors_are_unavailable(faceid: FakeTencentCloud, code: str) -> None:
    faceid.fail_action("IdCardVerification", code)

    with pytest.raises(IntegrationError) as exc:
        checker(faceid).check(NAME, WANG_ID)

    assert (exc.value.code, exc.value.status, exc.value.provider_code) == ("realname_unavailable", 503, code)


def test_tencent_wrong_secret_is_rejected_by_the_signature_check(faceid: FakeTencentCloud) -> None:
    with pytest.raises(IntegrationError) as exc:
        checker(faceid, secret_key="not-the-key").check(NAME, WANG_ID)

    assert (exc.value.code, exc.value.status) == ("realname_unavailable", 503)
    assert exc.value.provider_code == "AuthFailure.SignatureFailure"
    assert faceid.idcard_checks == []


def test_tencent_unreachable_is_unavailable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(IntegrationError) as exc:
        TencentRealNameChecker(secret_id="id", secret_key="key", endpoint=f"http://127.0.0.1:{port}").check(
            NAME, WANG_ID)

    assert (exc.value.code, exc.value.status) == ("realname_unavailable", 503)


def test_tencent_logs_never_hold_the_name_or_the_full_number(faceid: FakeTencentCloud,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    checker(faceid).check(NAME, WANG_ID)
    faceid.force_idcard_result(WANG_ID, "-4")
    with pytest.raises(IntegrationError):
        checker(faceid).check(NAME, WANG_ID)

    assert "11**************2X" in caplog.text
    assert WANG_ID not in caplog.text and NAME not in caplog.text


# --- sandbox


@pytest.mark.parametrize(("name", "id_number", "expected"), [
    (NAME, WANG_ID, RealNameResult(verified=True)),
    ("阿依古丽·买买提", LI_ID, RealNameResult(verified=True)),
    (NAME, "110105194912310021", RealNameResult(verified=False, reason=ID_INVALID)),
    ("Wang", WANG_ID, RealNameResult(verified=False, reason=NAME_INVALID)),
    ("王测试不符", WANG_ID, RealNameResult(verified=False, reason="姓名与身份证号不一致")),
])
def test_sandbox_answers_from_the_format_alone(name: str, id_number: str, expected: RealNameResult) -> None:
    sandbox = SandboxRealNameChecker()

    assert sandbox.check(name, id_number) == expected
    assert (sandbox.name, sandbox.is_sandbox) == ("sandbox", True)


def test_sandbox_log_says_sandbox_and_hides_the_person(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="integrations.realname")

    SandboxRealNameChecker().check(NAME, WANG_ID)

    assert "沙箱" in caplog.text
    assert WANG_ID not in caplog.text and NAME not in caplog.text


# --- choice by settings


def settings(**values: Any) -> Settings:
    """Only what the test says: no .env, and explicit None over any environment variable."""
    return Settings(_env_file=None, **{"tencent_faceid_secret_id": None, "tencent_faceid_secret_key": None,
                                       **values})


def test_factory_without_keys_is_the_sandbox() -> None:
    assert isinstance(realname_checker_from_settings(settings(allow_sandbox=True)), SandboxRealNameChecker)


def test_factory_with_half_the_keys_stays_in_the_sandbox() -> None:
    checker_ = realname_checker_from_settings(settings(tencent_faceid_secret_id="AKIDonly", allow_sandbox=True))

    assert checker_.is_sandbox


def test_factory_with_keys_checks_through_tencent(faceid: FakeTencentCloud) -> None:
    checker_ = realname_checker_from_settings(settings(
        tencent_faceid_secret_id=faceid.secret_id, tencent_faceid_secret_key=faceid.secret_key,
        tencent_faceid_endpoint=faceid.url))

    assert isinstance(checker_, TencentRealNameChecker)
    assert not checker_.is_sandbox
    assert checker_.check(NAME, WANG_ID).verified
    assert faceid.idcard_checks == [(WANG_ID, NAME)]
