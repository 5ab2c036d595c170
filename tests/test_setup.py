"""The set-up's system packages (tools/system-packages.sh, the Makefile's system-book and
system-pdf): each Debian package installed only when its own command is missing, npm never
when an npm runs, a clear message when apt cannot install one. Run on a PATH of fake
commands: an apt-get that records its arguments (and, once it has installed a package, puts
that package's commands on the PATH), a sudo that records and runs its command."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT

SCRIPT = ROOT / "tools" / "system-packages.sh"
BASH = shutil.which("bash")

FAKE_APT = r"""#!/bin/bash
PATH=/usr/bin:/bin  # its own touch and chmod, not the machine's PATH
echo "$*" >> "$FAKE_LOG/apt-get"
[[ " $* " == *" update "* ]] && { touch "$FAKE_LOG/updated"; exit 0; }
case ${FAKE_APT:-ok} in
  conflict)
    echo "The following packages have unmet dependencies:"
    echo " nodejs : Conflicts: npm"
    echo "E: Unable to correct problems, you have held broken packages." >&2
    exit 100 ;;
  stale)
    [[ -e $FAKE_LOG/updated ]] || { echo "E: Unable to locate package ${@: -1}" >&2; exit 100; } ;;
  lock)
    echo "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 42 (apt-get)" >&2
    exit 100 ;;
esac
after=
for a in "$@"; do
  [[ $a == install ]] && { after=1; continue; }
  [[ -n $after && $a != -* ]] || continue
  case $a in
    chromium) cmds=(chromium) ;;
    poppler-utils) cmds=(pdftotext pdftoppm) ;;
    npm) cmds=(npm) ;;
  esac
  for c in "${cmds[@]}"; do printf '#!/bin/bash\nexit 0\n' > "$FAKE_BIN/$c"; chmod +x "$FAKE_BIN/$c"; done
done
"""

FAKE_SUDO = """#!/bin/bash
echo "$*" >> "$FAKE_LOG/sudo"
exec "$@"
"""


class Machine:
    """A PATH holding only fake commands (and env, bash and id, which the script and make run)."""

    def __init__(self, tmp: Path):
        self.bin, self.log = tmp / "bin", tmp / "log"
        self.bin.mkdir()
        self.log.mkdir()
        for name in ("env", "bash", "id"):
            (self.bin / name).symlink_to(shutil.which(name))
        self.add("apt-get", FAKE_APT)
        self.add("sudo", FAKE_SUDO)

    def add(self, name, script="#!/bin/bash\nexit 0\n"):
        (self.bin / name).write_text(script)
        (self.bin / name).chmod(0o755)

    def has(self, *names, broken=()):
        for name in names:
            self.add(name, "#!/bin/bash\nexit 1\n" if name in broken else "#!/bin/bash\nexit 0\n")

    def env(self, apt, sudo):
        env = {"PATH": str(self.bin), "FAKE_LOG": str(self.log), "FAKE_BIN": str(self.bin), "FAKE_APT": apt}
        if sudo is not None:
            env["SUDO"] = sudo
        return env

    def run(self, *commands, apt="ok", sudo="sudo"):
        return subprocess.run(
            [BASH, str(SCRIPT), *commands], env=self.env(apt, sudo), capture_output=True, text=True, timeout=30
        )

    def make(self, target, apt="ok"):
        return subprocess.run(
            [shutil.which("make"), "--no-print-directory", "-C", str(ROOT), target, "SUDO=sudo"],
            env=self.env(apt, None),
            capture_output=True,
            text=True,
            timeout=30,
        )

    def calls(self, name="apt-get"):
        f = self.log / name
        return f.read_text().splitlines() if f.exists() else []

    def installed(self):
        """The packages apt-get was asked to install, in order."""
        out = []
        for call in self.calls():
            words = call.split()
            if "install" in words:
                out += [w for w in words[words.index("install") + 1 :] if not w.startswith("-")]
        return out


@pytest.fixture
def machine(tmp_path):
    return Machine(tmp_path)


ALL = ("npm", "chromium", "pdftotext", "pdftoppm")


def test_nothing_installed_when_every_command_is_here(machine):
    machine.has(*ALL)
    r = machine.run(*ALL)
    assert r.returncode == 0, r.stderr
    assert machine.calls() == [] and machine.calls("sudo") == []
    assert r.stdout == r.stderr == ""


def test_only_chromium_when_only_chromium_is_missing(machine):
    machine.has("npm", "pdftotext", "pdftoppm")
    r = machine.run(*ALL)
    assert r.returncode == 0, r.stderr
    assert machine.installed() == ["chromium"]
    assert "chromium" in r.stdout


def test_npm_never_installed_when_npm_runs(machine):
    """The issue's machine: NodeSource's nodejs with its own npm, no chromium, no poppler."""
    machine.has("npm")
    r = machine.run(*ALL)
    assert r.returncode == 0, r.stderr
    assert machine.installed() == ["chromium", "poppler-utils"]


def test_npm_installed_when_npm_is_absent(machine):
    machine.has("chromium", "pdftotext", "pdftoppm")
    r = machine.run(*ALL)
    assert r.returncode == 0, r.stderr
    assert machine.installed() == ["npm"]


def test_npm_installed_when_npm_does_not_run(machine):
    machine.has(*ALL, broken=("npm",))
    r = machine.run(*ALL)
    assert r.returncode == 0, r.stderr
    assert machine.installed() == ["npm"]


def test_poppler_utils_once_for_either_of_its_commands(machine):
    machine.has("npm", "chromium", "pdftotext")
    assert machine.run(*ALL).returncode == 0
    assert machine.installed() == ["poppler-utils"]
    machine.log.joinpath("apt-get").unlink()
    (machine.bin / "pdftotext").unlink()
    (machine.bin / "pdftoppm").unlink()
    assert machine.run(*ALL).returncode == 0
    assert machine.installed() == ["poppler-utils"]


def test_the_install_waits_for_apts_lock_and_asks_for_nothing(machine):
    machine.has("npm")
    assert machine.run("chromium").returncode == 0
    (call,) = machine.calls()
    assert call.split() == [
        "-o",
        "DPkg::Lock::Timeout=300",
        "install",
        "-y",
        "-q",
        "--no-install-recommends",
        "chromium",
    ]
    assert machine.calls("sudo") == ["env DEBIAN_FRONTEND=noninteractive apt-get " + call]


def test_sudo_only_when_not_root(machine):
    assert machine.run("chromium", sudo="").returncode == 0
    assert machine.installed() == ["chromium"]
    assert machine.calls("sudo") == []


def test_a_package_apt_cannot_install_is_named_with_what_to_do(machine):
    r = machine.run("npm", apt="conflict")
    assert r.returncode != 0
    assert "could not install Debian's npm (needed for npm)" in r.stderr
    assert "E: Unable to correct problems, you have held broken packages." in r.stderr
    assert "nodejs : Conflicts: npm" in r.stderr
    assert "sudo apt-get install --no-install-recommends npm" in r.stderr
    assert "Error 100" not in r.stderr + r.stdout
    assert not any(" update" in c for c in machine.calls()), "a conflict is not stale lists"


def test_every_package_is_tried_and_each_failure_named(machine):
    r = machine.run(*ALL, apt="conflict")
    assert r.returncode != 0
    assert machine.installed() == ["npm", "chromium", "poppler-utils"]
    for pkg, cmds in (("npm", "npm"), ("chromium", "chromium"), ("poppler-utils", "pdftotext, pdftoppm")):
        assert f"could not install Debian's {pkg} (needed for {cmds})" in r.stderr
        assert f"apt-get install --no-install-recommends {pkg})" in r.stderr


def test_apt_get_update_only_when_the_lists_are_stale(machine):
    machine.has("npm")
    r = machine.run(*ALL, apt="stale")
    assert r.returncode == 0, r.stderr
    calls = [c.split()[2] for c in machine.calls()]  # after "-o DPkg::Lock::Timeout=300"
    assert calls == ["install", "update", "install", "install"]
    assert machine.installed() == ["chromium", "chromium", "poppler-utils"]
    assert "stale" in r.stdout


def test_a_busy_lock_says_so(machine):
    r = machine.run("chromium", apt="lock")
    assert r.returncode != 0
    assert "held apt's lock for more than 300 s" in r.stderr
    assert "apt-get install --no-install-recommends chromium" in r.stderr


def test_no_apt_get_is_a_clear_message(machine):
    (machine.bin / "apt-get").unlink()
    r = machine.run("chromium", "npm")
    assert r.returncode != 0
    assert "no apt-get here to install Debian's chromium" in r.stderr
    assert "no apt-get here to install Debian's npm" in r.stderr


def test_a_package_installed_but_its_command_still_missing_fails(machine):
    machine.add("apt-get", "#!/bin/bash\nexit 0\n")
    r = machine.run("chromium")
    assert r.returncode != 0
    assert "installed Debian's chromium, but chromium still does not run here" in r.stderr


def test_make_book_asks_only_for_npm(machine):
    r = machine.make("system-book")
    assert r.returncode == 0, r.stderr
    assert machine.installed() == ["npm"]
    dry = subprocess.run(
        [shutil.which("make"), "-n", "-C", str(ROOT), "book"], capture_output=True, text=True, env=os.environ
    )
    assert "system-packages.sh npm" in dry.stdout
    assert "chromium" not in dry.stdout


def test_make_pdf_asks_for_chromium_and_poppler_and_never_a_running_npm(machine):
    machine.has("npm")
    r = machine.make("system-pdf")
    assert r.returncode == 0, r.stderr
    assert machine.installed() == ["chromium", "poppler-utils"]


def test_make_stops_with_the_message_when_a_package_cannot_be_installed(machine):
    r = machine.make("system-book", apt="conflict")
    assert r.returncode != 0
    assert "could not install Debian's npm" in r.stderr
    assert "Error 100" not in r.stderr


def test_make_clean_keeps_the_published_site_its_editions_and_the_toc(tmp_path):
    """make clean drops what a build makes again (caches, logs, generated pages) and nothing else: the published
    site and its editions cannot be made again from today's data, and _toc.yml is committed."""
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    b = tmp_path / "_build"
    for d in ("cache/figures", "logs", "html-1/reports", "editions/blackpool/2016-17/1", "html.new"):
        (b / d).mkdir(parents=True)
    (b / "html").symlink_to("html-1")
    (b / "html-1" / "index.html").write_text("published")
    (b / "editions" / "blackpool" / "2016-17" / "1" / "figures.json").write_text("{}")
    (b / "build.digest").write_text("x")
    (tmp_path / "_toc.yml").write_text("root: index\n")
    (tmp_path / "book" / "reports").mkdir(parents=True)
    run = subprocess.run(["make", "clean"], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert not (b / "cache").exists() and not (b / "logs").exists() and not (b / "html.new").exists()
    assert not (b / "build.digest").exists() and not (tmp_path / "book" / "reports").exists()
    assert (b / "html" / "index.html").read_text() == "published"
    assert (b / "editions" / "blackpool" / "2016-17" / "1" / "figures.json").exists()
    assert (tmp_path / "_toc.yml").exists()
    assert "the published site and its editions are kept" in run.stdout
