"""environment.yml, the conda users' set-up, in step with pip's: every pin of requirements.txt,
requirements-dev.txt and requirements-lab.txt at the same version (so `make lint`, `make test` and
`make lab` work there), the kernel registered as the Makefile registers it, and nbconvert in .venv's
requirements (an executed notebook exported without JupyterLab's environment)."""

import re

import yaml

from conftest import ROOT

FILES = ("requirements.txt", "requirements-dev.txt", "requirements-lab.txt")


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", requirement).lower()  # PEP 503: jupyter_core is jupyter-core


def _pins(lines) -> dict[str, str]:
    out = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line:
            name, sep, version = line.partition("==")
            assert sep, f"not pinned: {line!r}"
            out[_name(name.strip())] = version.strip()
    return out


def _environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))


def test_environment_yml_pins_every_requirement_at_its_version():
    pip = next(d["pip"] for d in _environment()["dependencies"] if isinstance(d, dict) and "pip" in d)
    conda = _pins(pip)
    for file in FILES:
        wanted = _pins((ROOT / file).read_text(encoding="utf-8").splitlines())
        missing = sorted(n for n in wanted if n not in conda)
        assert not missing, f"environment.yml lacks {file}'s {', '.join(missing)}"
        differ = [f"{n} {wanted[n]} (environment.yml: {conda[n]})" for n in wanted if conda[n] != wanted[n]]
        assert not differ, f"{file} pins other versions: {'; '.join(differ)}"
    everything = {n for file in FILES for n in _pins((ROOT / file).read_text(encoding="utf-8").splitlines())}
    assert not sorted(set(conda) - everything), "environment.yml pins what no requirements file does"
    # one version a package: two requirements files that disagree cannot both match environment.yml


def test_environment_yml_registers_the_kernel_as_the_makefile_does():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    register = re.search(r"ipykernel install --sys-prefix (--name \S+ --display-name \"[^\"]+\")", makefile).group(1)
    text = (ROOT / "environment.yml").read_text(encoding="utf-8")
    assert f"python -m ipykernel install --sys-prefix {register}" in text
    assert "pip install --no-deps -e ." in text and "npm ci --prefix js" in text


def test_nbconvert_is_in_the_build_environment_at_the_lab_version():
    build = _pins((ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines())
    lab = _pins((ROOT / "requirements-lab.txt").read_text(encoding="utf-8").splitlines())
    assert build.get("nbconvert") == lab["nbconvert"]
