"""`scripts/system-packages.sh`: installs only what is missing, runs `apt-get update` only when
it installs, and as a normal user only says what to install.

The script runs for real, with small fakes first on PATH: `dpkg-query` answers from a folder of
package statuses, `apt-get` records its calls and marks what it installs as installed, `id -u`
answers the uid a test chooses, and `fc-list`/`ldconfig` find nothing, so that only the fake
dpkg decides. No network, no root, and nothing on this machine is installed or changed."""

from __future__ import annotations

import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "system-packages.sh"
INSTALLED = "install ok installed"

STUBS = {
    "dpkg-query": """#!/bin/bash
# dpkg-query -W -f=FORMAT PACKAGE: the status from $FAKE_STATE/status/PACKAGE, as dpkg would.
package=${!#}
if [ -f "$FAKE_STATE/status/$package" ]; then
  cat "$FAKE_STATE/status/$package"
else
  echo "dpkg-query: no packages found matching $package" >&2
  exit 1
fi
""",
    "apt-get": """#!/bin/bash
echo "$*" >>"$FAKE_STATE/apt-calls"
if [ "$1" = install ]; then
  for arg in "$@"; do
    case "$arg" in
      install | -*) ;;
      *) echo "install ok installed" >"$FAKE_STATE/status/$arg" ;;
    esac
  done
fi
""",
    "id": """#!/bin/bash
if [ "$1" = -u ]; then echo "$FAKE_UID"; else exec /usr/bin/id "$@"; fi
""",
    "fc-list": "#!/bin/bash\n",
    "ldconfig": "#!/bin/bash\n",
    "fc-cache": "#!/bin/bash\n",
}


@dataclass
class FakeSystem:
    root: Path

    @property
    def status(self) -> Path:
        return self.root / "state" / "status"

    def install(self, *packages: str, status: str = INSTALLED) -> None:
        for package in packages:
            (self.status / package).write_text(status + "\n")

    def apt_calls(self) -> list[str]:
        log = self.root / "state" / "apt-calls"
        return log.read_text().splitlines() if log.exists() else []

    def run(self, *groups: str, uid: int = 0) -> subprocess.CompletedProcess[str]:
        env = {
            "PATH": f"{self.root / 'bin'}:/usr/bin:/bin",
            "FAKE_STATE": str(self.root / "state"),
            "FAKE_UID": str(uid),
            # Nothing on this machine counts: only the fake dpkg says what is installed.
            "HRAPP_CHROMIUM": str(self.root / "no-chromium"),
            "PGBIN": str(self.root / "no-postgres"),
            "HRAPP_PDFTOPPM": str(self.root / "no-pdftoppm"),
            "HRAPP_REDIS_SERVER": str(self.root / "no-redis-server"),
            "HOME": str(self.root),
        }
        return subprocess.run(
            ["bash", str(SCRIPT), *groups],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )


@pytest.fixture
def system(tmp_path: Path) -> FakeSystem:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, text in STUBS.items():
        stub = bin_dir / name
        stub.write_text(text)
        stub.chmod(stub.stat().st_mode | stat.S_IXUSR)
    (tmp_path / "state" / "status").mkdir(parents=True)
    fake = FakeSystem(tmp_path)
    fake.install("fontconfig", "libpango-1.0-0", "libpangoft2-1.0-0")
    return fake


def test_as_root_the_first_run_installs_exactly_what_is_missing_and_the_second_nothing(
    system: FakeSystem,
) -> None:
    first = system.run("fonts", "postgres", "chromium")

    assert first.returncode == 0, first.stderr
    assert system.apt_calls() == [
        "update -qq",
        "install -y -qq --no-install-recommends fonts-noto-cjk postgresql-15 chromium",
    ]
    assert "fonts-noto-cjk postgresql-15 chromium" in first.stdout

    second = system.run("fonts", "postgres", "chromium")

    assert second.returncode == 0, second.stderr
    assert second.stdout == ""
    assert len(system.apt_calls()) == 2  # no second update, no second install


def test_nothing_missing_runs_no_apt_get_at_all(system: FakeSystem) -> None:
    system.install("fonts-noto-cjk", "postgresql-15", "chromium")

    result = system.run("fonts", "postgres", "chromium")

    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert system.apt_calls() == []


def test_a_held_package_is_installed_and_removed_one_with_config_files_is_not(
    system: FakeSystem,
) -> None:
    system.install("chromium", status="hold ok installed")
    system.install("fonts-noto-cjk", status="deinstall ok config-files")

    result = system.run("fonts", "chromium")

    assert result.returncode == 0, result.stderr
    assert system.apt_calls() == [
        "update -qq",
        "install -y -qq --no-install-recommends fonts-noto-cjk",
    ]


def test_a_normal_user_missing_fonts_is_told_the_command_and_the_demo_goes_on(
    system: FakeSystem,
) -> None:
    result = system.run("fonts", uid=1000)

    assert result.returncode == 0, result.stderr
    assert system.apt_calls() == []
    assert "Missing system packages: fonts-noto-cjk" in result.stdout
    assert (
        "sudo apt-get update && sudo apt-get install -y --no-install-recommends fonts-noto-cjk"
        in result.stdout
    )
    assert system.run("fonts", uid=1000).stdout == result.stdout  # the same every time


def test_a_normal_user_missing_what_the_tests_need_is_stopped_with_the_command(
    system: FakeSystem,
) -> None:
    result = system.run("fonts", "postgres", "chromium", uid=1000)

    assert result.returncode == 1
    assert system.apt_calls() == []
    assert (
        "sudo apt-get install -y --no-install-recommends fonts-noto-cjk postgresql-15 chromium"
        in result.stdout
    )
    assert "The tests cannot run without: postgresql-15 chromium" in result.stderr


def test_a_normal_user_with_everything_installed_passes_silently(system: FakeSystem) -> None:
    system.install("fonts-noto-cjk", "postgresql-15", "chromium")

    result = system.run("fonts", "postgres", "chromium", uid=1000)

    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_the_pdf_tools_the_sheet_tests_need_are_installed_once(system: FakeSystem) -> None:
    first = system.run("pdftools")

    assert first.returncode == 0, first.stderr
    assert system.apt_calls() == [
        "update -qq",
        "install -y -qq --no-install-recommends poppler-utils",
    ]
    assert system.run("pdftools").stdout == ""
    assert len(system.apt_calls()) == 2


def test_a_normal_user_without_the_pdf_tools_is_stopped(system: FakeSystem) -> None:
    result = system.run("fonts", "pdftools", uid=1000)

    assert result.returncode == 1
    assert "The tests cannot run without: poppler-utils" in result.stderr


def test_the_redis_server_the_queue_tests_need_is_installed_once(system: FakeSystem) -> None:
    first = system.run("fonts", "postgres", "redis")

    assert first.returncode == 0, first.stderr
    assert system.apt_calls() == [
        "update -qq",
        "install -y -qq --no-install-recommends fonts-noto-cjk postgresql-15 redis-server",
    ]
    assert system.run("redis").stdout == ""
    assert len(system.apt_calls()) == 2


def test_a_normal_user_without_redis_is_stopped(system: FakeSystem) -> None:
    result = system.run("redis", uid=1000)

    assert result.returncode == 1
    assert "sudo apt-get install -y --no-install-recommends redis-server" in result.stdout
    assert "The tests cannot run without: redis-server" in result.stderr


def test_an_unknown_group_is_refused(system: FakeSystem) -> None:
    result = system.run("fonts", "java")

    assert result.returncode == 2
    assert "Unknown group 'java'" in result.stderr
    assert system.apt_calls() == []
