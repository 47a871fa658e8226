"""compose.yaml, the Procfile and the Dockerfile run commands that exist.

Containers cannot be pulled or run on the machine the project is built on
(no container engine): these files are checked here, not started. Every
command of a service built from this project must be a `python -m`
module of the project with a main, a manage.py command, a Celery
subcommand of the project's app, or a make target. PyYAML is not a
dependency: compose.yaml is written in a small subset of YAML (block
maps and lists, anchors and `<<` merges, JSON-style flow lists and
double-quoted strings), which `parse_yaml` below reads and refuses
anything beyond.
"""

import importlib.util
import json
import re
import shlex
from pathlib import Path

import pytest
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent


# --- A parser for the subset of YAML compose.yaml uses ------------------------


def _scalar(text: str, anchors: dict):
    text = text.strip()
    if text.startswith("*"):
        return anchors[text[1:]]
    if text.startswith(("[", "{", '"')):
        return json.loads(text)
    if text in ("", "~", "null"):
        return None
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if text in ("true", "false"):
        return text == "true"
    if text[0] in "'|>&!%@`":
        raise ValueError(f"unsupported YAML: {text!r}")
    return text


def _lines(text: str) -> list[tuple[int, str]]:
    found = []
    for raw in text.splitlines():
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if "\t" in raw[: len(raw) - len(raw.lstrip())]:
            raise ValueError("tabs in indentation")
        found.append((len(raw) - len(raw.lstrip(" ")), stripped))
    return found


def _block(lines, i: int, indent: int, anchors: dict):
    if lines[i][1].startswith("- "):
        items = []
        while i < len(lines) and lines[i][0] == indent and lines[i][1][:2] == "- ":
            items.append(_scalar(lines[i][1][2:], anchors))
            i += 1
        return items, i
    mapping: dict = {}
    while i < len(lines) and lines[i][0] == indent:
        key, sep, rest = lines[i][1].partition(":")
        if not sep or (rest and not rest.startswith(" ")):
            raise ValueError(f"unsupported YAML line: {lines[i][1]!r}")
        key, rest = key.strip().strip('"'), rest.strip()
        anchor = None
        if rest.startswith("&"):
            anchor, rest = rest[1:], ""
        i += 1
        if rest:
            value = _scalar(rest, anchors)
        elif i < len(lines) and lines[i][0] > indent:
            value, i = _block(lines, i, lines[i][0], anchors)
        else:
            value = None
        if anchor:
            anchors[anchor] = value
        if key == "<<":
            mapping = {**value, **mapping}
        else:
            mapping[key] = value
    return mapping, i


def parse_yaml(text: str):
    lines = _lines(text)
    value, end = _block(lines, 0, 0, {})
    if end != len(lines):
        raise ValueError(f"unparsed YAML from: {lines[end][1]!r}")
    return value


# --- What a command may be ------------------------------------------------------


def _make_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text()
    return set(re.findall(r"^([a-z][a-z0-9_-]*):", text, re.MULTILINE))


def command_problem(argv: list[str]) -> str | None:  # noqa: PLR0911
    """Why this command does not exist in the project, or None."""
    if argv[:2] == ["sh", "-c"]:
        words = shlex.split(argv[2])
        while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
            words.pop(0)  # VAR=value before the command
        return command_problem(words)
    if argv[:2] == ["python", "-m"]:
        spec = importlib.util.find_spec(argv[2])
        if spec is None or spec.origin is None:
            return f"no module {argv[2]}"
        if "__main__" not in Path(spec.origin).read_text():
            return f"{argv[2]} cannot be run with python -m"
        return None
    if argv[:2] == ["python", "manage.py"]:
        return None if argv[2] in get_commands() else f"no command {argv[2]}"
    if argv[:3] == ["celery", "-A", "config"]:
        from config.celery import app

        if app.main != "ecrin":
            return "config.celery has no app"
        return None if argv[3] in ("worker", "beat") else f"celery {argv[3]}?"
    if argv[:1] == ["make"]:
        return None if argv[1] in _make_targets() else f"no make target {argv[1]}"
    return f"not a command of the project: {argv}"


def _compose() -> dict:
    return parse_yaml((ROOT / "compose.yaml").read_text())


def test_compose_has_the_five_services_and_the_setup_steps():
    services = _compose()["services"]

    assert {"web", "worker", "beat", "postgres", "redis"} <= set(services)
    assert set(services) - {"postgres", "redis"} == {
        "web",
        "worker",
        "beat",
        "roles",
        "migrate",
    }


def test_every_compose_service_built_here_runs_a_command_that_exists():
    services = _compose()["services"]
    built = {name: s for name, s in services.items() if "build" in s}

    assert set(built) == {"web", "worker", "beat", "roles", "migrate"}
    problems = {
        name: command_problem(service["command"]) for name, service in built.items()
    }
    assert problems == dict.fromkeys(built)


def test_web_and_workers_connect_as_the_app_role_and_migrate_as_the_owner():
    services = _compose()["services"]

    for name in ("web", "worker", "beat"):
        assert "//ecrin_app:" in services[name]["environment"]["DATABASE_URL"]
        assert services[name]["environment"]["ECRIN_ENVIRONMENT"] == "production"
    assert "//ecrin_owner:" in services["migrate"]["environment"]["DATABASE_URL"]
    assert services["web"]["healthcheck"]["test"][-1].endswith(
        "u.urlopen('http://127.0.0.1:8000/health/live', timeout=3)"
    )


def test_every_variable_compose_sets_is_a_documented_setting():
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", readme))
    services = _compose()["services"]
    set_here = {
        variable
        for service in services.values()
        if "build" in service
        for variable in service["environment"]
    }

    assert set_here - documented == set()


def test_every_procfile_process_runs_a_command_that_exists():
    processes = dict(
        line.split(": ", 1)
        for line in (ROOT / "Procfile").read_text().splitlines()
        if line.strip()
    )

    assert set(processes) == {"release", "web", "worker", "beat"}
    problems = {
        name: command_problem(shlex.split(cmd)) for name, cmd in processes.items()
    }
    assert problems == dict.fromkeys(processes)


def test_the_dockerfile_starts_the_web_start_up_path():
    text = (ROOT / "Dockerfile").read_text()
    [cmd] = re.findall(r"^CMD (\[.*\])$", text, re.MULTILINE)

    assert command_problem(json.loads(cmd)) is None
    # every project folder the image needs is copied into it
    copied = set(re.findall(r"^COPY (\w+) \./", text, re.MULTILINE))
    assert {"config", "core", "clienteling", "consents", "orders", "privacy"} <= copied


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (["python", "-m", "config.nothing"], "no module config.nothing"),
        (["python", "-m", "config.settings"], "cannot be run with python -m"),
        (["python", "manage.py", "runmyserver"], "no command runmyserver"),
        (["make", "deploy"], "no make target deploy"),
        (["gunicorn", "app:app"], "not a command of the project"),
    ],
)
def test_a_command_that_does_not_exist_is_named(argv, problem):
    assert problem in command_problem(argv)


def test_the_parser_refuses_what_it_does_not_read():
    with pytest.raises(ValueError, match="unsupported YAML"):
        parse_yaml("a: |\n  text\n")
    assert parse_yaml('a:\n  b: ["x", "y"]\n  c: "z"\n') == {
        "a": {"b": ["x", "y"], "c": "z"}
    }
