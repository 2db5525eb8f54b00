"""The only module that imports the IB library: ib_async, or ib_insync for a user who only has that.

The two share an API; what differs is handled where it is used: qualification
results (``None`` vs dropped), the states each calls done, and how 202 and 110 touch local state.
The adapter never relies on the library's local order states: it reads TWS's own messages.
"""

from __future__ import annotations

try:
    import ib_async as ibm
except ImportError:  # pragma: no cover - exercised only where ib_async is absent
    import ib_insync as ibm  # type: ignore[no-redef, import-not-found, unused-ignore]

LIBRARY = ibm.__name__

IB = ibm.IB
Contract = ibm.Contract
ContractDetails = ibm.ContractDetails
Stock = ibm.Stock
Option = ibm.Option
Future = ibm.Future
ContFuture = ibm.ContFuture
Forex = ibm.Forex
IBOrder = ibm.Order
Trade = ibm.Trade
Fill = ibm.Fill
CommissionReport = ibm.CommissionReport
PriceIncrement = ibm.PriceIncrement
ExecutionFilter = ibm.ExecutionFilter
UNSET_DOUBLE = ibm.util.UNSET_DOUBLE  # a price field left empty on the wire


def send_order(ib: IB, contract: Contract, order: IBOrder) -> None:
    """Resend an order under its id (a modification), past the library's local state check: it
    refuses orders it has itself guessed done after an error, though TWS may still work them."""
    ib.client.placeOrder(order.orderId, contract, order)  # type: ignore[no-untyped-call]


def send_cancel(ib: IB, order_id: int) -> None:
    """Cancel by id; the library's ``cancelOrder`` also rewrites local states on a guess."""
    ib.client.cancelOrder(order_id)  # type: ignore[no-untyped-call]


def global_cancel(ib: IB) -> None:
    """Every working order of the account, ours or not (IB has no per-client global cancel)."""
    ib.reqGlobalCancel()  # type: ignore[no-untyped-call]


__all__ = [
    "IB",
    "LIBRARY",
    "UNSET_DOUBLE",
    "CommissionReport",
    "ContFuture",
    "Contract",
    "ContractDetails",
    "ExecutionFilter",
    "Fill",
    "Future",
    "IBOrder",
    "Option",
    "PriceIncrement",
    "Stock",
    "Trade",
    "global_cancel",
    "send_cancel",
    "send_order",
]  # fmt: skip
