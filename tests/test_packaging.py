"""The wheel installs the kernels as tinygan.kernels and never as a top-level `kernels`."""
import pathlib
import subprocess
import sys
import zipfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_wheel_maps_kernels_into_the_package(tmp_path):
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(tmp_path)],
                           capture_output=True, text=True, timeout=300)
    if build.returncode != 0 and ("connection" in build.stderr.lower() or "no matching distribution" in build.stderr.lower()):
        pytest.skip("cannot fetch the build backend here: " + build.stderr.strip().splitlines()[-1])
    assert build.returncode == 0, build.stderr
    wheel, = tmp_path.glob("tinygan-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "tinygan/kernels/registry.py" in names and "tinygan/kernels/conv_im2col.py" in names
    assert not [n for n in names if n.startswith("kernels/")]
    # every package of the source tree ships (a hand-written list once forgot tinygan.gan)
    for init in (ROOT / "tinygan").rglob("__init__.py"):
        assert init.relative_to(ROOT).as_posix() in names, f"{init.relative_to(ROOT)} missing from the wheel"
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "tinygan = tinygan.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
