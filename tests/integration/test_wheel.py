"""The grammar ships inside the wheel: build it, install it apart from the source tree, parse."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path


def test_installed_wheel_carries_and_loads_the_grammar(root: Path, tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(root),
        ],
        check=True,
        timeout=300,
    )
    wheel = next(tmp_path.glob("autoscalper-*.whl"))
    assert "parser/alerts.lark" in zipfile.ZipFile(wheel).namelist()
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        timeout=300,
    )
    deps = sysconfig.get_paths()["purelib"]
    probe = (
        "import sys, json, datetime\n"
        f"sys.path[:0] = [{str(target)!r}, {deps!r}]\n"
        "import parser\n"
        f"assert parser.__file__.startswith({str(target)!r}), parser.__file__\n"
        "at = datetime.datetime(2026, 3, 2, 15, tzinfo=datetime.timezone.utc)\n"
        "print(json.dumps(parser.parse('BTO SPY 3/20 580C @ 1.25', at).to_contract()))\n"
    )
    # -I: isolated mode, so neither the source tree nor the editable install is on the path.
    done = subprocess.run(
        [sys.executable, "-I", "-c", probe], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert '"strike": "580"' in done.stdout
