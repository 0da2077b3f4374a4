"""Several payment gateways at once: the registry the API and the activities receive.

`gateways[name]` is the adapter an order was opened with (refunds and queries go back to it); `default` serves a
payment when the client doesn't choose; `choices` is what a client may choose from."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from domain.errors import AppError
from domain.payments.gateway import PaymentGateway


class PaymentMethodUnavailable(AppError):
    status, code, message = 400, "payment_method_unavailable", "该支付方式暂不可用，请选择其他支付方式"


@dataclass(frozen=True)
class PaymentChoice:
    name: str
    label: str
    is_sandbox: bool


class Gateways:
    def __init__(self, gateways: list[PaymentGateway], default: str | None = None):
        if not gateways:
            raise ValueError("at least one payment gateway")
        self._by_name = {g.name: g for g in gateways}
        if len(self._by_name) != len(gateways):
            raise ValueError("payment gateway names repeat")
        self.default_name = default or gateways[0].name
        if self.default_name not in self._by_name:
            raise ValueError(f"default payment gateway {self.default_name!r} is not configured")

    @classmethod
    def of(cls, gateway: PaymentGateway | Gateways) -> Gateways:
        return gateway if isinstance(gateway, Gateways) else cls([gateway])

    def __getitem__(self, name: str) -> PaymentGateway:
        try:
            return self._by_name[name]
        except KeyError:
            raise PaymentMethodUnavailable(detail={"gateway": name}) from None

    def get(self, name: str) -> PaymentGateway | None:
        return self._by_name.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __iter__(self) -> Iterator[PaymentGateway]:
        return iter(self._by_name.values())

    @property
    def default(self) -> PaymentGateway:
        return self._by_name[self.default_name]

    @property
    def choices(self) -> list[PaymentChoice]:
        """What a payer may pick: the real gateways when any is configured (the sandbox then serves only orders
        opened with it before), else the sandbox alone. The default first."""
        real = [g for g in self if not g.is_sandbox]
        offered = real or list(self)
        offered.sort(key=lambda g: g.name != self.default_name)
        return [PaymentChoice(g.name, g.label, g.is_sandbox) for g in offered]

    def choose(self, name: str | None) -> PaymentGateway:
        """The gateway for a new payment: the client's choice when offered, else the default."""
        if name is None:
            return self.default
        if name not in {c.name for c in self.choices}:
            raise PaymentMethodUnavailable(detail={"gateway": name, "choices": [c.name for c in self.choices]})
        return self._by_name[name]
