"""The console command."""
import subprocess
import sys

import tinygan
from tinygan import cli


def test_version_and_info(capsys):
    try:
        cli.main(["--version"])
    except SystemExit as exc:
        assert exc.code == 0
    assert f"tinygan {tinygan.__version__}" in capsys.readouterr().out
    assert cli.main(["info"]) == 0
    out = capsys.readouterr().out
    assert "backend: numpy" in out and "cupy:" in out and "numba.cuda:" in out and "conv2d_forward" in out


def test_console_script_is_installed():
    out = subprocess.run([sys.executable, "-m", "tinygan.cli", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and "tinygan" in out.stdout
