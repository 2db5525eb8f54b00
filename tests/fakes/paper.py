"""The paper simulator on a bad day: the failures a real broker has, injected by tests and drills.

The hooks live here, not on ``PaperBroker``: the simulator a trader runs has no switch that makes it
refuse orders. A rejection can be aimed at one kind of order (``when``), so a test can let a bracket
through and refuse the close that follows it, as IB does when a closing order breaks a rule.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from executor import SIMULATOR_ACCOUNT, Order, OrderType, PaperBroker, Role

OrderTest = Callable[[Order], bool]


def any_order(order: Order) -> bool:
    return True


def a_close(order: Order) -> bool:
    """A market order that reduces a position (an exit, a trim, a kill switch's flattening)."""
    return order.role is Role.CLOSE and order.order_type is OrderType.MARKET


def a_lone_stop(order: Order) -> bool:
    """The stop placed to re-protect a position after a refused close."""
    return order.role is Role.STOP and order.parent is None


class FaultyPaperBroker(PaperBroker):
    def __init__(self, clock: Callable[[], datetime], account: str = SIMULATOR_ACCOUNT) -> None:
        super().__init__(clock, account)
        self._rejections: list[tuple[OrderTest, int, str]] = []

    def reject_next(self, code: int, text: str, when: OrderTest = any_order) -> None:
        """The next new order ``when`` accepts is rejected with ``code`` and ``text``."""
        self._rejections.append((when, code, text))

    def drop_connection(self, detail: str = "simulated disconnect") -> None:
        """Requests raise ``BrokerUnavailable`` until ``restore_connection``."""
        self._link(False, detail)

    def restore_connection(self) -> None:
        self._link(True, "reconnected")

    def _refusal(self, order: Order) -> tuple[int, str] | None:
        for number, (when, code, text) in enumerate(self._rejections):
            if when(order):
                del self._rejections[number]
                return code, text
        return super()._refusal(order)
