"""Error codes of the contract area."""

from __future__ import annotations

from domain.errors import AppError, NotFound, ServiceUnavailable


class ContractNotSent(AppError):
    status, code, message = 409, "contract_not_sent", "艺人尚未发送合同"


class TemplateNotFound(NotFound):
    code, message = "contract_template_not_found", "合同模板不存在"


class TemplateInvalid(AppError):
    status, code, message = 422, "contract_template_invalid", "合同模板有误"


class SignCodeRequired(AppError):
    status, code, message = 422, "sign_code_required", "请先获取短信验证码，并填写验证码后再签署"


class SignCodeInvalid(AppError):
    status, code, message = 400, "sign_code_invalid", "签署验证码错误或已过期，请重新获取"


class PhoneRequired(AppError):
    status, code, message = 422, "phone_required", "账号未绑定手机号，无法发送签署验证码，请先绑定手机号"


class NotASigner(AppError):
    status, code, message = 409, "not_your_turn_to_sign", "当前不是您签署合同的环节"


class PdfInvalid(AppError):
    status, code, message = 422, "pdf_invalid", "请上传PDF格式的合同文件"


class ContractFontMissing(ServiceUnavailable):
    code = "contract_font_missing"

    def __init__(self, path: str):
        super().__init__(f"合同字体文件不存在：{path}（请安装 fonts-noto-cjk 或配置 CONTRACT_FONT_PATH）")
