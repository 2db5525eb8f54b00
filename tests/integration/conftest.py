"""Fixtures the integration tests share."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from tests.fakes.tws import FakeTWS
from tests.ibkit import gateway


@pytest.fixture
async def tws() -> AsyncIterator[FakeTWS]:
    """The fake IB gateway, listening on a free port for one test."""
    async with gateway() as fake:
        yield fake
