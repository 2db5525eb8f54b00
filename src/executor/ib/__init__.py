"""The Interactive Brokers adapter (ib_async). Imported only when ``BROKER=ib``: the library is not
loaded for paper runs. ``compat`` is the only module that imports the library itself."""

from .broker import IBBroker
from .connection import IBConfig
from .contracts import Contracts, Listed, QualificationError

__all__ = ["Contracts", "IBBroker", "IBConfig", "Listed", "QualificationError"]
