"""Instruments as IB contracts: qualified once, cached, with the price ladder of their market rule.

- Options: SMART, expiry ``YYYYMMDD``, strike, right; index roots try their weekly trading class
  first (SPXW, NDXP, RUTW), then the monthly one, so an SPX alert never hits "ambiguous contract".
- Futures: on their own exchange (CME, CBOT, NYMEX, COMEX; ``GLOBEX`` is gone). A dated alert
  (``ES 2026-12``) asks for that month; an undated one asks ``ContFuture`` for the front month and
  then trades the dated contract it names, since IB refuses orders on a CONTFUT.
- Stocks: SMART, USD.
- Forex pairs: ``CASH`` on IDEALPRO (``Forex("EURUSD")``: symbol EUR, currency USD); spot gold and
  silver: IB's commodity contracts ``XAUUSD`` / ``XAGUSD`` (``CMDTY``, SMART, USD).

A contract that cannot be qualified raises ``QualificationError`` with IB's code 200: the adapter
turns it into a journaled rejection, never a silent skip. Prices are rounded to the ladder from
``reqMarketRule`` (IB's ``minTick`` is not enough for options); without an answer the published
ladders in ``risk.specs`` apply.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from decimal import Decimal

from parser import Asset, Instrument
from risk import fx, instrument_key
from risk.specs import Toward, UnknownContract, round_to_step, tick

from .compat import IB, ContFuture, Contract, ContractDetails, Forex, Future, Option, Stock

NO_SECURITY = 200
FUTURE_EXCHANGES = {
    "ES": "CME", "MES": "CME", "NQ": "CME", "MNQ": "CME", "RTY": "CME", "M2K": "CME",
    "YM": "CBOT", "MYM": "CBOT", "ZB": "CBOT", "ZN": "CBOT",
    "CL": "NYMEX", "MCL": "NYMEX", "NG": "NYMEX", "GC": "COMEX", "MGC": "COMEX", "SI": "COMEX",
}  # fmt: skip
TRADING_CLASSES = {"SPX": ("SPXW", "SPX"), "NDX": ("NDXP", "NDX"), "RUT": ("RUTW", "RUT")}
Ladder = tuple[tuple[Decimal, Decimal], ...]


def spot_contract(instrument: Instrument) -> Contract:
    """A forex pair on IDEALPRO, or spot gold or silver as IB's commodity of that name."""
    pair = fx.pair_symbol(instrument)
    if fx.is_metal(instrument):
        return Contract(
            secType="CMDTY", symbol=pair, exchange="SMART", currency=fx.quote_currency(instrument)
        )
    return Forex(pair, exchange="IDEALPRO")


class QualificationError(LookupError):
    """IB does not know the contract (or knows several). ``str()`` says which and why."""

    code = NO_SECURITY


@dataclass(frozen=True)
class Listed:
    """A qualified contract, what the bot calls it, and how its prices step."""

    key: str
    instrument: Instrument
    contract: Contract
    ladder: Ladder = ()

    def round(self, price: Decimal, toward: Toward) -> Decimal:
        return round_to_step(price, self._step(price), toward)

    def _step(self, price: Decimal) -> Decimal:
        steps = [step for edge, step in self.ladder if price >= edge]
        if steps:
            return steps[-1]
        try:
            return tick(self.instrument, price)
        except UnknownContract:
            return Decimal("0.01")


class Contracts:
    """The qualification cache of one IB connection (contract ids are stable across reconnects)."""

    def __init__(self, ib: IB, wait: float = 10.0) -> None:
        self._ib = ib
        self._wait = wait  # IB answers every lookup (details or 200); silence is a timeout
        self._listed: dict[str, Listed] = {}
        self._keys: dict[int, str] = {}
        self._rules: dict[int, Ladder] = {}
        self.requests = 0  # contract-details requests sent, to show the cache works

    def key_of(self, con_id: int) -> str | None:
        return self._keys.get(con_id)

    def cached(self, instrument: Instrument) -> Listed | None:
        return self._listed.get(instrument_key(instrument))

    async def qualify(self, instrument: Instrument) -> Listed:
        key = instrument_key(instrument)
        listed = self._listed.get(key)
        if listed is None:
            details = await self._details(instrument)
            listed = await self._remember(key, instrument, details)
        return listed

    async def adopt(self, instrument: Instrument, contract: Contract) -> Listed:
        """After a restart: the exact contract IB reports for one of our orders (a front month
        chosen yesterday stays that month), qualified by its contract id."""
        key = instrument_key(instrument)
        listed = self._listed.get(key)
        if listed is not None and listed.contract.conId == contract.conId:
            return listed
        found = await self._request(Contract(conId=contract.conId, exchange=contract.exchange or ""))
        if len(found) != 1:
            raise QualificationError(f"contract id {contract.conId} of {key} is unknown to IB")
        return await self._remember(key, instrument, found[0])

    async def _remember(self, key: str, instrument: Instrument, details: ContractDetails) -> Listed:
        contract = details.contract
        assert contract is not None
        # ib_async keeps a time after the date, which IB then refuses on orders (error 10330).
        contract.lastTradeDateOrContractMonth = contract.lastTradeDateOrContractMonth.split(" ")[0]
        listed = Listed(key, instrument, contract, await self._ladder(details))
        self._listed[key] = listed
        self._keys[contract.conId] = key
        return listed

    async def _details(self, instrument: Instrument) -> ContractDetails:
        if instrument.asset is Asset.OPTION:
            return await self._option(instrument)
        if instrument.asset is Asset.FUTURE:
            return await self._future(instrument)
        if instrument.asset is Asset.STOCK:
            return await self._one(Stock(instrument.symbol, "SMART", "USD"), instrument.symbol)
        if instrument.asset is Asset.FOREX:
            return await self._one(spot_contract(instrument), instrument_key(instrument))
        raise QualificationError(f"{instrument.symbol}: no asset class to trade")

    async def _option(self, instrument: Instrument) -> ContractDetails:
        assert instrument.expiry is not None and instrument.strike is not None and instrument.right
        name = instrument_key(instrument)
        classes = TRADING_CLASSES.get(instrument.symbol, ("",))
        for trading_class in classes:
            contract = Option(
                instrument.symbol, f"{instrument.expiry:%Y%m%d}", float(instrument.strike),
                instrument.right.value, "SMART", multiplier="100", currency="USD", tradingClass=trading_class,
            )  # fmt: skip
            found = await self._request(contract)
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                raise QualificationError(f"{name} is ambiguous at IB ({len(found)} contracts)")
        raise QualificationError(f"No security definition has been found for {name}")

    async def _future(self, instrument: Instrument) -> ContractDetails:
        exchange = FUTURE_EXCHANGES.get(instrument.symbol)
        if exchange is None:
            raise QualificationError(f"no IB exchange known for futures root {instrument.symbol}")
        if instrument.expiry is not None:
            return await self._one(
                Future(instrument.symbol, f"{instrument.expiry:%Y%m}", exchange), instrument_key(instrument)
            )
        front = await self._one(ContFuture(instrument.symbol, exchange), f"{instrument.symbol} front month")
        assert front.contract is not None
        return await self._one(Future(conId=front.contract.conId, exchange=exchange), instrument.symbol)

    async def _one(self, contract: Contract, name: str) -> ContractDetails:
        found = await self._request(contract)
        if not found:
            raise QualificationError(f"No security definition has been found for {name}")
        if len(found) > 1:
            raise QualificationError(f"{name} is ambiguous at IB ({len(found)} contracts)")
        return found[0]

    async def _request(self, contract: Contract) -> list[ContractDetails]:
        self.requests += 1
        return list(await asyncio.wait_for(self._ib.reqContractDetailsAsync(contract), self._wait) or [])

    async def _ladder(self, details: ContractDetails) -> Ladder:
        ids = [int(part) for part in (details.marketRuleIds or "").split(",") if part.strip().isdigit()]
        if not ids:
            return ()
        if ids[0] not in self._rules:
            increments = await self._ib.reqMarketRuleAsync(ids[0]) or []
            ladder = tuple((Decimal(str(i.lowEdge)), Decimal(str(i.increment))) for i in increments)
            self._rules[ids[0]] = tuple(sorted(ladder))
        return self._rules[ids[0]]
