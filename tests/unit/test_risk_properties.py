"""Properties over random alerts, accounts and limits: no approved plan ever exceeds a limit."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st
from tests.builders import MONDAY, alert

from parser import (
    Asset,
    BreakevenStop,
    Exit,
    Instrument,
    MoveStop,
    Open,
    PercentStop,
    PercentTarget,
    PriceStop,
    PriceTarget,
    Right,
    Side,
    Trim,
)
from risk import (
    AccountSnapshot,
    Approved,
    BracketPlan,
    ExitPlan,
    Limits,
    Position,
    Realized,
    StopPlan,
    TradingState,
    TradingStatus,
    TrimPlan,
    evaluate,
)
from risk.loss import loss_per_contract, open_risk, realized_today, worst_case
from risk.prices import protective
from risk.specs import Toward, multiplier, round_price

OPTIONS = [
    Instrument(asset=Asset.OPTION, symbol=s, right=Right.CALL, strike=Decimal(k), expiry=date(2026, 3, 20))
    for s, k in (("SPY", "580"), ("TSLA", "250"), ("SPXW", "5800"), ("QQQ", "500"))
]
FUTURES = [Instrument(asset=Asset.FUTURE, symbol=s) for s in ("ES", "MES", "CL", "GC")]
INSTRUMENTS = [*OPTIONS, *FUTURES, Instrument(asset=Asset.STOCK, symbol="AAPL")]
BASE_PRICE = {"option": Decimal("1"), "future": Decimal("20"), "stock": Decimal("50")}

prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("60"), places=2)
percents = st.decimals(min_value=Decimal("1"), max_value=Decimal("99"), places=1)
stops = st.one_of(
    st.none(),
    st.builds(PriceStop, price=prices),
    st.builds(PercentStop, percent=percents),
    st.just(BreakevenStop()),
)
targets = st.lists(
    st.one_of(st.builds(PriceTarget, price=prices), st.builds(PercentTarget, percent=percents)), max_size=3
).map(tuple)


@st.composite
def limits(draw: st.DrawFn) -> Limits:
    max_contracts = draw(st.integers(1, 5))
    return Limits(
        default_contracts=draw(st.integers(1, max_contracts)),
        max_contracts=max_contracts,
        max_total_contracts=draw(st.integers(1, 10)),
        max_open_positions=draw(st.integers(1, 4)),
        daily_loss_limit=draw(st.decimals(min_value=50, max_value=20000, places=2)),
        max_risk_per_trade=draw(st.decimals(min_value=10, max_value=5000, places=2)),
        allow_adds=draw(st.booleans()),
        allow_market_entry=draw(st.booleans()),
        loss_cooldown=timedelta(0),
    )


@st.composite
def positions(draw: st.DrawFn) -> tuple[Position, ...]:
    chosen = draw(st.lists(st.sampled_from(INSTRUMENTS), max_size=2, unique=True))
    held = []
    for i, instrument in enumerate(chosen):
        side = draw(st.sampled_from(Side))
        avg = draw(prices)
        stop = None if draw(st.integers(0, 9)) == 0 else draw(prices)
        quantity, pending = draw(st.integers(0, 2)), draw(st.integers(0, 1))
        held.append(
            Position(
                opened_by=f"p{i}",
                instrument=instrument,
                side=side,
                quantity=quantity,
                pending=pending,
                avg_price=avg,
                stop=stop,
            )
        )
    return tuple(held)


@st.composite
def accounts(draw: st.DrawFn) -> AccountSnapshot:
    pnl = st.decimals(min_value=-300, max_value=400, places=2)
    minutes = st.integers(1, 60 * 30)
    realized = draw(
        st.lists(
            st.builds(lambda p, m: Realized(at=MONDAY - timedelta(minutes=m), pnl=p), pnl, minutes),
            max_size=4,
        )
    )
    return AccountSnapshot(positions=draw(positions()), realized=tuple(realized))


@st.composite
def opens(draw: st.DrawFn) -> Open:
    """Mostly sensible alerts (levels around the entry); sometimes market entries or wrong-side levels."""
    instrument = draw(st.sampled_from(INSTRUMENTS))
    side = draw(st.sampled_from(Side))
    base = BASE_PRICE[instrument.asset.value if instrument.asset else "stock"]
    entry = (base * draw(st.decimals(min_value=Decimal("0.2"), max_value=5, places=2))).quantize(
        Decimal("0.01")
    )
    sign = 1 if side is Side.LONG else -1

    def level(direction: int) -> Decimal:
        offset = Decimal(draw(st.integers(5, 300))) / 1000  # the wrong side comes from ``stops``/``targets``
        return (entry * (1 + direction * sign * offset)).quantize(Decimal("0.01"))

    stop = PriceStop(price=level(-1)) if draw(st.integers(0, 3)) else draw(stops)
    price_targets = tuple(PriceTarget(price=level(1)) for _ in range(draw(st.integers(0, 3))))
    return Open(
        side=side,
        instrument=instrument,
        price=None if draw(st.integers(0, 7)) == 0 else entry,
        stop=stop,
        targets=price_targets if draw(st.integers(0, 4)) else draw(targets),
        quantity=draw(st.one_of(st.none(), st.integers(1, 10))),
    )


def _on_tick(instrument: Instrument, price: Decimal) -> bool:
    return round_price(instrument, price, Toward.UP) == price == round_price(instrument, price, Toward.DOWN)


@given(intent=opens(), account=accounts(), risk_limits=limits())
def test_no_approved_bracket_exceeds_any_limit(
    intent: Open, account: AccountSnapshot, risk_limits: Limits
) -> None:
    decision = evaluate(intent, account, risk_limits, MONDAY, alert=alert())
    if not isinstance(decision, Approved):
        assert decision.reasons and decision.sentence
        return
    plan = decision.plan
    assert isinstance(plan, BracketPlan)
    held = [p for p in account.positions if p.exposure > 0]
    stock = plan.instrument.asset is Asset.STOCK  # sized in shares: MAX_SHARES instead of both caps
    cap = risk_limits.max_shares if stock else risk_limits.max_contracts
    assert 1 <= plan.quantity <= min(cap, intent.quantity or risk_limits.default_contracts)
    contracts = sum(p.exposure for p in account.positions if p.instrument.asset is not Asset.STOCK)
    assert stock or contracts + plan.quantity <= risk_limits.max_total_contracts
    assert len(held) < risk_limits.max_open_positions
    assert all(p.instrument != plan.instrument for p in held)
    per_contract = loss_per_contract(
        plan.side, plan.reference_price, plan.stop_price, multiplier(plan.instrument)
    )
    assert plan.max_loss == plan.quantity * per_contract <= risk_limits.max_risk_per_trade
    spent = max(Decimal(0), -realized_today(account, MONDAY))
    other_risk = open_risk(account.positions)
    assert other_risk is not None and spent + other_risk + plan.max_loss <= risk_limits.daily_loss_limit
    assert protective(plan.side, plan.stop_price, plan.reference_price)
    assert all(protective(plan.side, plan.reference_price, leg.price) for leg in plan.targets)
    assert sum(leg.quantity for leg in plan.targets) == plan.quantity
    for price in (plan.stop_price, plan.reference_price, *(leg.price for leg in plan.targets)):
        assert _on_tick(plan.instrument, price)
    assert plan.entry_price is not None or risk_limits.allow_market_entry


@st.composite
def managed(draw: st.DrawFn) -> tuple[Exit | Trim | MoveStop, Position, AccountSnapshot]:
    instrument = draw(st.sampled_from(OPTIONS))
    avg = draw(st.decimals(min_value=Decimal("0.50"), max_value=Decimal("10"), places=2))
    stop = draw(st.decimals(min_value=Decimal("0.05"), max_value=Decimal("0.45"), places=2))
    side = Side.LONG
    target = Position(
        opened_by="p",
        instrument=instrument,
        side=side,
        quantity=draw(st.integers(1, 5)),
        avg_price=avg,
        stop=stop,
    )
    intent = draw(
        st.one_of(
            st.builds(Exit, quantity=st.one_of(st.none(), st.integers(1, 8))),
            st.builds(
                Trim,
                fraction=st.one_of(st.none(), st.decimals(min_value=Decimal("0.05"), max_value=1, places=2)),
                stop=stops,
            ),
            st.builds(MoveStop, stop=stops.filter(lambda s: s is not None)),
        )
    )
    state = draw(st.sampled_from(TradingState))
    account = AccountSnapshot(positions=(target,), status=TradingStatus(state=state, cause="test"))
    return intent, target, account


@given(case=managed())
def test_management_never_closes_more_than_held_or_widens_when_not_active(
    case: tuple[Exit | Trim | MoveStop, Position, AccountSnapshot],
) -> None:
    intent, target, account = case
    decision = evaluate(intent, account, Limits(), MONDAY, alert=alert(), target=target)
    if not isinstance(decision, Approved):
        return
    plan = decision.plan
    if isinstance(plan, ExitPlan):
        assert plan.quantity <= target.quantity
    if isinstance(plan, TrimPlan):
        assert 1 <= plan.quantity < target.quantity
    new_stop = getattr(plan, "new_stop", None)
    if new_stop is not None:
        assert new_stop > 0  # a stop may lock in profit above the entry (a long's), but it is a price
        widened = target.stop is not None and new_stop < target.stop
        assert not widened or account.status.state is TradingState.ACTIVE
        if widened:
            moved = target.model_copy(update={"stop": new_stop})
            loss = worst_case(moved)
            assert loss is not None and loss <= Limits().max_risk_per_trade
    assert (
        account.status.state is not TradingState.HALTED
        or isinstance(plan, ExitPlan | StopPlan) is False
        or (isinstance(plan, ExitPlan) and plan.quantity == target.quantity)
    )
