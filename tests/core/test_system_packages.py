"""apt-get as `classfreq setup` runs it: the package lists refreshed only when an install fails without them, and
a failure said in one message."""

import subprocess

import pytest

from pipeline.core import system_packages
from pipeline.core.errors import ClassfreqError


def fake_apt(monkeypatch, outcomes):
    calls = []

    def run(command, **_):
        calls.append(command[:2])
        return subprocess.CompletedProcess(command, outcomes.pop(0), "", "E: Unable to locate package chromium\n")

    monkeypatch.setattr(system_packages.subprocess, "run", run)
    return calls


def test_an_install_that_works_needs_no_update(monkeypatch):
    calls = fake_apt(monkeypatch, [0])
    system_packages.install_system_packages(("wordnet-base",))
    assert calls == [["apt-get", "install"]]


def test_a_failed_install_refreshes_the_lists_once_then_says_why(monkeypatch):
    calls = fake_apt(monkeypatch, [100, 0, 0])
    system_packages.install_system_packages(("chromium",))
    assert calls == [["apt-get", "install"], ["apt-get", "update"], ["apt-get", "install"]]
    fake_apt(monkeypatch, [100, 0, 100])
    with pytest.raises(ClassfreqError, match="`apt-get install chromium` failed: E: Unable to locate package chromium"):
        system_packages.install_system_packages(("chromium",))


def test_the_command_a_user_runs_is_exact():
    assert system_packages.install_command(("wordnet-base",)) == "sudo apt-get install -y wordnet-base"
