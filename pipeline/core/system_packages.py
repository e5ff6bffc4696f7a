"""The system package manager, for what pip cannot bring (WordNet's dictionary files, a headless browser for the
tests): used only by `classfreq setup`, only as root, and only where apt-get exists; otherwise the caller says
the exact command to run."""

from __future__ import annotations

import os
import shutil
import subprocess

from .errors import ClassfreqError


def can_install_system_packages() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get") is not None


def install_command(packages: tuple[str, ...]) -> str:
    """What a user runs to install `packages` themselves."""
    return f"sudo apt-get install -y {' '.join(packages)}"


def install_system_packages(packages: tuple[str, ...]) -> None:
    """apt-get install, refreshing the package lists first when the install fails without them (a fresh image
    has none)."""
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", *packages]
    if subprocess.run(install, env=environment, capture_output=True).returncode == 0:
        return
    subprocess.run(["apt-get", "update", "-qq"], env=environment, capture_output=True)
    done = subprocess.run(install, env=environment, capture_output=True, text=True)
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise ClassfreqError(f"`apt-get install {' '.join(packages)}` failed: {reason}")
