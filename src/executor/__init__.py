"""Executor: Broker protocol, paper simulator, IB adapter, position book, kill switch (issues 4, 6)."""
