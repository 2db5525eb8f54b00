"""What the fake gateway lists: contracts, market rules (price ladders) and commissions.

Contracts are listed on demand, the way a real gateway knows every listed contract: an option with
an expiry, a strike and a right, a stock, a dated future, a continuous future (the front month), a
forex pair (``CASH``, symbol = base currency, currency = quote, on IDEALPRO only) or spot gold or
silver (``CMDTY`` ``XAUUSD`` / ``XAGUSD``).
What a real gateway refuses is refused here too: a futures exchange that is not the contract's
(``GLOBEX`` is gone), a symbol in ``UNLISTED``, an ambiguous SPX request without its trading class.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .wire import Contract

D = Decimal
PENNY, NICKEL_DIME, PENNY_NICKEL, QUARTER, CENT_FUTURE, DIME_FUTURE, STOCK, POINT = range(1, 9)
HALF_PIP, YEN_HALF_PIP, GOLD_CENT, SILVER_MIL = range(9, 13)
RULES: dict[int, tuple[tuple[Decimal, Decimal], ...]] = {
    PENNY: ((D(0), D("0.01")),),
    NICKEL_DIME: ((D(0), D("0.05")), (D(3), D("0.10"))),
    PENNY_NICKEL: ((D(0), D("0.01")), (D(3), D("0.05"))),
    QUARTER: ((D(0), D("0.25")),),
    CENT_FUTURE: ((D(0), D("0.01")),),
    DIME_FUTURE: ((D(0), D("0.1")),),
    STOCK: ((D(0), D("0.0001")), (D(1), D("0.01"))),
    POINT: ((D(0), D(1)),),
    HALF_PIP: ((D(0), D("0.00005")),),
    YEN_HALF_PIP: ((D(0), D("0.005")),),
    GOLD_CENT: ((D(0), D("0.01")),),
    SILVER_MIL: ((D(0), D("0.001")),),
}
CURRENCIES = {"EUR", "USD", "GBP", "JPY", "AUD", "NZD", "CAD", "CHF"}
METALS = {"XAUUSD": GOLD_CENT, "XAGUSD": SILVER_MIL}
FUTURES = {  # root -> (exchange, multiplier, market rule, front month's last trade date)
    "ES": ("CME", "50", QUARTER, "20261218"),
    "MES": ("CME", "5", QUARTER, "20261218"),
    "NQ": ("CME", "20", QUARTER, "20261218"),
    "MNQ": ("CME", "2", QUARTER, "20261218"),
    "RTY": ("CME", "50", DIME_FUTURE, "20261218"),
    "YM": ("CBOT", "5", POINT, "20261218"),
    "CL": ("NYMEX", "1000", CENT_FUTURE, "20261219"),
    "MCL": ("NYMEX", "100", CENT_FUTURE, "20261219"),
    "GC": ("COMEX", "100", DIME_FUTURE, "20261229"),
}
PENNY_CLASSES = {"SPY", "QQQ", "IWM"}
INDEX_CLASSES = {"SPX": ("SPX", "SPXW"), "NDX": ("NDX", "NDXP"), "RUT": ("RUT", "RUTW")}
UNLISTED = {"ZZZZ"}


def ladder_step(rule: int, price: Decimal) -> Decimal:
    return max((step for edge, step in RULES[rule] if price >= edge), default=RULES[rule][0][1])


def on_ladder(rule: int, price: Decimal) -> bool:
    return price % ladder_step(rule, price) == 0


def commission(contract: Contract, quantity: Decimal, price: Decimal) -> Decimal:
    """IB's fixed rates; forex and metals by trade value (valued in dollars for USD quotes only)."""
    if contract.sec_type == "CASH":
        return max(D("0.00002") * quantity * price, D("2.00"))
    if contract.sec_type == "CMDTY":
        return max(D("0.000015") * quantity * price, D("2.00"))
    if contract.sec_type == "OPT":
        return max(D("0.65") * quantity, D("1.00"))
    if contract.sec_type == "FUT":
        return D("0.85") * quantity
    return max(D("0.005") * quantity, D("1.00"))


@dataclass
class Request:
    """The contract fields of a reqContractDetails request."""

    con_id: int
    symbol: str
    sec_type: str
    expiry: str
    strike: Decimal
    right: str
    exchange: str
    trading_class: str
    currency: str = ""


@dataclass
class Listings:
    contracts: dict[int, Contract] = field(default_factory=dict)
    next_id: int = 1000

    def resolve(self, req: Request) -> list[tuple[Contract, str]]:
        """Matching contracts, each with the secType to report (CONTFUT answers with the front month)."""
        if req.con_id:
            found = self.contracts.get(req.con_id)
            return [(found, found.sec_type)] if found else []
        if req.symbol in UNLISTED:
            return []
        if req.sec_type == "OPT":
            return [(c, "OPT") for c in self._options(req)]
        if req.sec_type in ("FUT", "CONTFUT"):
            future = self._future(req)
            return [(future, req.sec_type)] if future else []
        if req.sec_type == "STK":
            return [(self._list(req.symbol, "STK", rule=STOCK, local_symbol=req.symbol), "STK")]
        if req.sec_type == "CASH":
            return self._pair(req)
        if req.sec_type == "CMDTY" and req.symbol in METALS and req.exchange in ("SMART", ""):
            listed = self._list(req.symbol, "CMDTY", rule=METALS[req.symbol], local_symbol=req.symbol)
            return [(listed, "CMDTY")]
        return []

    def _pair(self, req: Request) -> list[tuple[Contract, str]]:
        """A currency pair: both currencies known, and only on IDEALPRO (as IB lists them)."""
        if req.exchange != "IDEALPRO" or not {req.symbol, req.currency} <= CURRENCIES:
            return []
        name = f"{req.symbol}.{req.currency}"
        rule = YEN_HALF_PIP if req.currency == "JPY" else HALF_PIP
        listed = self._list(
            req.symbol, "CASH", currency=req.currency, exchange="IDEALPRO", rule=rule,
            local_symbol=name, trading_class=name,
        )  # fmt: skip
        return [(listed, "CASH")]

    def _options(self, req: Request) -> list[Contract]:
        if not (req.expiry and req.strike and req.right):
            return []
        classes = INDEX_CLASSES.get(req.symbol, (req.symbol,))
        if req.trading_class:
            if req.trading_class not in classes:
                return []
            classes = (req.trading_class,)
        rule = (
            PENNY
            if req.symbol in PENNY_CLASSES
            else NICKEL_DIME
            if req.symbol in INDEX_CLASSES
            else PENNY_NICKEL
        )
        right = req.right[0]
        return [
            self._list(
                req.symbol, "OPT", expiry=req.expiry, strike=req.strike, right=right, multiplier="100",
                trading_class=tc, rule=rule,
                local_symbol=f"{tc:<6}{req.expiry[2:]}{right}{int(req.strike * 1000):08d}",
            )
            for tc in classes
        ]  # fmt: skip

    def _future(self, req: Request) -> Contract | None:
        spec = FUTURES.get(req.symbol)
        if spec is None or req.exchange != spec[0]:
            return None
        exchange, mult, rule, front = spec
        expiry = front if req.sec_type == "CONTFUT" or not req.expiry else _month_end(req.expiry)
        if not expiry.startswith(req.expiry[:6]):
            return None
        local = f"{req.symbol}{'FGHJKMNQUVXZ'[int(expiry[4:6]) - 1]}{expiry[3]}"
        return self._list(
            req.symbol, "FUT", expiry=expiry, multiplier=mult, exchange=exchange, rule=rule,
            trading_class=req.symbol, local_symbol=local,
        )  # fmt: skip

    def _list(self, symbol: str, sec_type: str, **fields: object) -> Contract:
        """The listed contract with these fields, created the first time it is asked for."""
        probe = Contract(0, symbol, sec_type, **fields)  # type: ignore[arg-type]
        for contract in self.contracts.values():
            if _same_listing(contract, probe):
                return contract
        self.next_id += 1
        probe.con_id = self.next_id
        if sec_type not in ("FUT", "CASH"):
            probe.exchange = "SMART"
        self.contracts[probe.con_id] = probe
        return probe


def _same_listing(a: Contract, b: Contract) -> bool:
    return (a.symbol, a.sec_type, a.expiry, a.strike, a.right, a.trading_class, a.currency) == (
        b.symbol, b.sec_type, b.expiry, b.strike, b.right, b.trading_class, b.currency,
    )  # fmt: skip


def _month_end(expiry: str) -> str:
    """A dated future asked for by month (``202612``): its last trade date in that month."""
    if len(expiry) >= 8:
        return expiry[:8]
    for spec in FUTURES.values():
        if spec[3].startswith(expiry[:6]):
            return spec[3]
    return expiry[:6] + "19"
