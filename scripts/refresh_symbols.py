"""Rebuild the parser's word lists: src/parser/data/symbols.txt and src/parser/data/english.txt.

symbols.txt: every ticker of a US-listed (or OTC-quoted) stock, ETF or fund the SEC knows, from
    * the SEC's ticker file (company_tickers.json: each registrant's current tickers), and
    * the SEC's list of 13(f) securities (CUSIP -> ticker, which also holds ETFs, ADRs and recently
      renamed or delisted tickers that old alerts still name).
    Both come bundled (as parquet) in the ``edgartools`` package, which refreshes them each release;
    ``--sec-json PATH`` reads a company_tickers.json downloaded from https://www.sec.gov/files/ instead.
english.txt: common English words, so that "zone", "lot" or "chunk" is never read as a ticker: the
    words of Debian's ``wamerican`` dictionary (/usr/share/dict/american-english) whose frequency in
    English text is at least Zipf 3.0 in the ``wordfreq`` package.

Run it with those packages in a scratch environment (none of them is a dependency of autoscalper):

    python3 -m venv /tmp/refresh && /tmp/refresh/bin/pip install edgartools pyarrow wordfreq
    sudo apt-get install wamerican
    /tmp/refresh/bin/python scripts/refresh_symbols.py

Then run the parser's tests: tests/unit/test_symbol_evidence.py checks the lists' shape.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
from importlib import resources
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "src" / "parser" / "data"
DICTIONARY = Path("/usr/share/dict/american-english")
TICKER = re.compile(r"[A-Z]{1,5}(?:\.[A-Z])?")
WORD = re.compile(r"[a-z]{1,8}")
MIN_ZIPF = 3.0


def sec_tickers(sec_json: Path | None) -> set[str]:
    import pandas as pd  # edgartools' own dependency

    if sec_json is not None:
        rows = json.loads(sec_json.read_text()).values()
        current = {str(row["ticker"]).upper() for row in rows}
    else:
        data = resources.files("edgar.reference.data")
        with resources.as_file(data / "company_tickers.parquet") as path:
            current = set(pd.read_parquet(path)["ticker"].astype(str).str.upper())
    data = resources.files("edgar.reference.data")
    with resources.as_file(data / "ct.pq") as path:
        thirteen_f = set(pd.read_parquet(path)["Ticker"].astype(str).str.upper())
    return {t.replace("-", ".") for t in current | thirteen_f if TICKER.fullmatch(t.replace("-", "."))}


def common_english() -> set[str]:
    from wordfreq import zipf_frequency

    # Lower-case entries only: the dictionary also lists acronyms and names ("AMD", "GM", "Ford").
    text = DICTIONARY.read_text(encoding="utf-8", errors="ignore")
    words = {w for w in text.split() if w.islower()}
    return {w for w in words if WORD.fullmatch(w) and zipf_frequency(w, "en") >= MIN_ZIPF}


def write(path: Path, header: str, items: set[str]) -> None:
    stamp = dt.datetime.now(dt.UTC).date().isoformat()
    path.write_text(
        f"# {header}\n# generated {stamp} by scripts/refresh_symbols.py\n" + "\n".join(sorted(items)) + "\n"
    )
    print(f"{path}: {len(items)} entries")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sec-json", type=Path, help="a company_tickers.json from sec.gov instead of edgartools'"
    )
    args = parser.parse_args()
    write(
        DATA / "symbols.txt",
        "US tickers: SEC company_tickers + SEC 13(f) securities list",
        sec_tickers(args.sec_json),
    )
    write(
        DATA / "english.txt",
        f"common English: wamerican words with wordfreq Zipf >= {MIN_ZIPF}",
        common_english(),
    )


if __name__ == "__main__":
    main()
