"""The native search ships as wheels for Linux x86-64 and aarch64, cross-built here with zig.

The x86-64 build is the one `make setup` installs and every search test runs; this test builds
the aarch64 wheel, which cannot run on this machine, and checks what it holds: a shared object
for the 64-bit ARM machine, tagged for every CPython >= 3.11 on manylinux2014, with its type stubs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EM_AARCH64 = 183  # ELF e_machine of the 64-bit ARM architecture


def test_the_aarch64_wheel_holds_an_arm64_extension(tmp_path: Path) -> None:
    if shutil.which("cargo") is None or shutil.which("rustup") is None:
        if os.environ.get("CI"):
            pytest.fail("building the native search's wheels needs Rust's cargo and rustup (the machine's toolchain)")
        pytest.skip("Rust's cargo and rustup are not installed here")
    subprocess.run([str(ROOT / "native" / "build-wheels.sh"), str(tmp_path), "aarch64"], check=True,
                   capture_output=True, timeout=1200)
    [wheel] = tmp_path.glob("*.whl")
    assert wheel.name.endswith("-cp311-abi3-manylinux2014_aarch64.manylinux_2_17_aarch64.whl"), wheel.name
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        [library] = [n for n in names if n.endswith(".so")]
        header = archive.read(library)[:20]
    assert header[:4] == b"\x7fELF" and header[4] == 2  # a 64-bit ELF object
    assert int.from_bytes(header[18:20], "little") == EM_AARCH64
    assert "smesearch_native/__init__.pyi" in names and "smesearch_native/py.typed" in names
