"""Sandbox adapters that let someone in (WeChat login and phone, SMS codes, real-name checks) accept anything:
the sandbox WeChat login takes any code and binds any phone. They run only where the operator said so:
`make run` (devstack) sets ALLOW_SANDBOX=true for its children, a developer may set it; production never does,
so an unconfigured service stops start-up instead of opening a login to any account."""

from __future__ import annotations

from domain.settings import Settings


class SandboxNotAllowed(RuntimeError):
    """Start-up refused: a sandbox adapter would be chosen and ALLOW_SANDBOX is not set."""


def require_sandbox_allowed(settings: Settings, service_zh: str, service_en: str, needs: str) -> None:
    """`needs` names the settings that configure the real service (environment variable names)."""
    if settings.allow_sandbox:
        return
    raise SandboxNotAllowed(
        f"{service_zh}未配置（需要设置 {needs}）；沙箱会接受任意凭据，只能在开发环境通过 ALLOW_SANDBOX=true 启用。"
        f" {service_en} is not configured (set {needs}); its sandbox accepts any credentials and runs only with"
        " ALLOW_SANDBOX=true, for development."
    )
