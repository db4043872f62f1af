"""Mutated metadata for the loader's fuzz test and benchmark: byte, YAML/JSON tree, SDL and known-hostile mutations.

A mutation is driven by a `Chooser` (Hypothesis' `data.draw` in the suite, `random.Random` in the
benchmark), copies one source (a metadata file or a project directory) into a scratch directory, changes
one of its files and returns the path to load. `load_outcome` loads it in-process under a time limit and
says what happened: `ok`, `metadata-error`, or a finding (`crash`, `hang`, `unlocated`, `unprintable`).
"""

from __future__ import annotations

import json
import random
import re
import shutil
import signal
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

import yaml

from action_contract import (
    ActionContractError,
    Catalog,
    MetadataError,
    Problem,
    adversarial_requests,
    conforming_requests,
    edge_requests,
    load_catalog,
)
from action_contract._catalog._metadata_files import search
from action_contract._cli._inspect import render_summary

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_DIRS = [ROOT / "fixtures" / "projects", ROOT / "fixtures" / "metadata", ROOT / "fixtures" / "broken"]
_TEXT_SUFFIXES = {".yaml", ".yml", ".json", ".graphql", ".gql", ".graphqls"}
T = TypeVar("T")


class Chooser(Protocol):
    """Where a mutation's choices come from."""

    def integer(self, low: int, high: int) -> int: ...


def choice(chooser: Chooser, items: Sequence[T]) -> T:
    """One of `items`, picked by `chooser`."""
    return items[chooser.integer(0, len(items) - 1)]


@dataclass
class RandomChooser:
    """Choices from a seeded `random.Random` (the benchmark's driver)."""

    rng: random.Random

    def integer(self, low: int, high: int) -> int:
        """An integer in [low, high]."""
        return self.rng.randint(low, high)


def sources(extra: Sequence[Path] = ()) -> list[Path]:
    """Every fixture metadata source (file or directory) plus the projects and metadata files below `extra` roots."""
    found: list[Path] = []
    for root in FIXTURE_DIRS:
        for entry in sorted(root.iterdir()):
            if entry.name.startswith(".") or entry.name.lower().startswith("readme"):
                continue
            if entry.is_dir() or entry.suffix in _TEXT_SUFFIXES:
                found.append(entry)
    for root in extra:
        # A corpus holds repositories: each project found in one is a source, and so is each file of
        # Hasura's own action tests (metadata API calls, one file per case).
        for repository in sorted(p for p in root.iterdir() if p.is_dir()):
            found.extend(search(repository) or [repository])
        found.extend(sorted(root.glob("*/server/tests-py/queries/actions/**/*.yaml"))[:200])
    return found


def _files(source: Path) -> list[Path]:
    if source.is_file():
        return [source]
    files = [p for p in sorted(source.rglob("*")) if p.is_file() and (p.suffix in _TEXT_SUFFIXES or p.name == ".env")]
    return files or [source]


# Snippets users (or attackers) really write, each a family the loader must turn into a located error.
HOSTILE_YAML = [
    "<<: 5",
    "t: 2001-13-45",
    "n: !!int abc",
    "b: !!bool maybe",
    "f: !!python/name:os.system",
    "o: !!python/object/apply:os.system ['true']",
    "big: " + "9" * 5000,
    "? [!include x.yaml]\n: 1",
    "r: &a [*a]",
    "deep: " + "[" * 1200 + "]" * 1200,
    "a: &a ['x','x','x','x','x','x','x','x','x']\n"
    + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 4) + "]\n" for i in range(9)),
    "timeout: .inf",
    "timeout: .nan",
    "timeout: -.inf",
    "timeout: 1e400",
    'h: "\\udcff"',
    "kind: [synchronous]",
    "name: [a, b]",
    "actions: [5]",
    "custom_types: 7",
    "metadata_directory: " + "d" * 300,
    "x: !!binary AAAA",
    "x: !!set {a, b}",
    "x: !!omap [a: 1]",
    "x: !!float nope",
    "x: !!timestamp 2001-02-30",
    "x: !include ../../../../etc/passwd",
    "x: !include " + "y" * 300,
]
HOSTILE_VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    2**63,
    1.5,
    float("inf"),
    "",
    "x",
    "\udcff",
    "{{UNSET}}",
    [],
    {},
    [["synchronous"]],
    {"a": [1]},
    "[[[[[[String]]]]]]!",
    "String!" * 3,
    "http://\udcff/",
    "{{",
    "}}",
    "a" * 300,
]
SDL_SNIPPETS = [
    "type Mutation { f(x: " + "[" * 1000 + "String" + "]" * 1000 + "): String }",
    "type Query { g(a: " + "[" * 20 + "Int" + "]" * 20 + "): String }",
    "input I { a: I! }",
    "type Query { q(i: [Item]!): Int }\ninput Item { a: String! }",
    "type Mutation { f: Unknown }",
    "scalar \udcff",
    '"""' + "\\" * 3,
    "{" * 1000,
    "type T { a: String @d(x: " + "[" * 1000 + "]" * 1000 + ") }",
    "enum E { A A }",
    "extend type Mutation { m: String }",
    "type Mutation { m(x: Int = " + "9" * 5000 + "): Int }",
]


def mutate(chooser: Chooser, source: Path, scratch: Path) -> tuple[Path, str]:
    """Copy `source` below `scratch`, mutate one of its files; the path to load and what was done."""
    target = scratch / source.name
    if source.is_dir():
        shutil.copytree(source, target, symlinks=False)
    else:
        shutil.copyfile(source, target)
    files = _files(target)
    victim = choice(chooser, files)
    if victim.is_dir():
        return target, "none"
    data = victim.read_bytes()
    how = choice(chooser, ["bytes", "bytes", "truncate", "tree", "tree", "tree", "snippet", "sdl"])
    if how == "bytes":
        data = _byte_mutation(chooser, data)
    elif how == "truncate":
        data = data[: chooser.integer(0, len(data))]
    elif how == "tree":
        data = _tree_mutation(chooser, data, victim.suffix)
    elif how == "snippet":
        data = _snippet_mutation(chooser, data, victim.suffix)
    else:
        data = _sdl_mutation(chooser, data)
    victim.write_bytes(data)
    return target, f"{how} {victim.relative_to(scratch)}"


def _byte_mutation(chooser: Chooser, data: bytes) -> bytes:
    buf = bytearray(data)
    for _ in range(chooser.integer(1, 4)):
        if not buf:
            buf.extend(b"\xff")
            continue
        at = chooser.integer(0, len(buf) - 1)
        kind = chooser.integer(0, 3)
        if kind == 0:
            buf[at] ^= 1 << chooser.integer(0, 7)
        elif kind == 1:
            buf[at] = choice(chooser, b"\x00\xff\xc3\xed[]{}:&*!'\"\n -#%@|>")
        elif kind == 2:
            del buf[at : at + chooser.integer(1, 16)]
        else:
            n = chooser.integer(1, 16)
            buf[at:at] = buf[max(0, at - n) : at]
    return bytes(buf)


def _snippet_mutation(chooser: Chooser, data: bytes, suffix: str) -> bytes:
    pool = SDL_SNIPPETS if suffix in {".graphql", ".gql", ".graphqls"} else HOSTILE_YAML
    snippet = choice(chooser, pool).encode("utf-8", "surrogatepass")
    lines = data.split(b"\n")
    at = chooser.integer(0, len(lines))
    if chooser.integer(0, 1) and at < len(lines):
        # Replace a value after its key, keeping the indentation: `key: <snippet value>`.
        line = lines[at]
        key, sep, _ = line.partition(b": ")
        if sep:
            value = snippet.split(b": ", 1)[-1]
            lines[at] = key + sep + value
            return b"\n".join(lines)
    indent = b""
    if at < len(lines):
        indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
    lines.insert(at, b"\n".join(indent + s for s in snippet.split(b"\n")))
    return b"\n".join(lines)


def _sdl_mutation(chooser: Chooser, data: bytes) -> bytes:
    text = data.decode("utf-8", "replace")
    tokens = text.replace("(", " ( ").replace(")", " ) ").replace(":", " : ").split(" ")
    if not tokens:
        return data
    for _ in range(chooser.integer(1, 3)):
        at = chooser.integer(0, len(tokens) - 1)
        kind = chooser.integer(0, 4)
        if kind == 0:
            tokens[at] = "[" * chooser.integer(1, 40) + tokens[at] + "]" * chooser.integer(0, 40)
        elif kind == 1:
            del tokens[at]
        elif kind == 2:
            tokens.insert(at, choice(chooser, ["!", "[", "]", "{", "}", "=", "@x", '"', "type", "input", "5", "..."]))
        elif kind == 3:
            tokens[at] = choice(chooser, ["String", "Int", "Item", "Mutation", "Query", "uuid", "jsonb", "ID!"])
        else:
            tokens.insert(at, choice(chooser, SDL_SNIPPETS))
        if not tokens:
            break
    return " ".join(tokens).encode("utf-8", "surrogatepass")


def _tree_mutation(chooser: Chooser, data: bytes, suffix: str) -> bytes:
    try:
        text = data.decode("utf-8-sig")
        document = json.loads(text) if suffix == ".json" else yaml.load(text, Loader=_TreeLoader)
    except (ValueError, yaml.YAMLError, RecursionError):
        return _byte_mutation(chooser, data)
    document = _mutate_tree(chooser, document)
    try:
        if suffix == ".json":
            return json.dumps(document, ensure_ascii=False).encode("utf-8", "surrogatepass")
        return yaml.dump(document, Dumper=_TreeDumper, allow_unicode=True, sort_keys=False).encode(
            "utf-8", "surrogatepass"
        )
    except (ValueError, RecursionError, yaml.YAMLError):
        return _byte_mutation(chooser, data)  # a cycle JSON cannot write


def _mutate_tree(chooser: Chooser, document: Any) -> Any:
    spots: list[tuple[Any, Any]] = [(None, None)]

    def walk(node: Any) -> None:
        if len(spots) > 5000:
            return
        if isinstance(node, dict):
            for key in list(node):
                spots.append((node, key))
                walk(node[key])
        elif isinstance(node, list):
            for index, item in enumerate(node):
                spots.append((node, index))
                walk(item)

    walk(document)
    for _ in range(chooser.integer(1, 3)):
        parent, key = choice(chooser, spots)
        try:
            current = document if parent is None else parent[key]
        except (KeyError, IndexError):
            continue  # an earlier mutation removed it
        kind = chooser.integer(0, 5)
        if kind == 0:
            new: Any = choice(chooser, HOSTILE_VALUES)
        elif kind == 1:
            new = [current]
        elif kind == 2:
            new = {"name": current} if not isinstance(current, dict) else dict(list(current.items())[:-1])
        elif kind == 3:
            new = current
            for _ in range(chooser.integer(1, 60)):
                new = [new]
        elif kind == 4 and isinstance(parent, dict):
            del parent[key]
            continue
        else:
            other_parent, other_key = choice(chooser, spots)
            try:
                new = document if other_parent is None else other_parent[other_key]
            except (KeyError, IndexError):
                continue
            new = json.loads(json.dumps(new)) if _plain(new) else new
        if parent is None:
            document = new
        else:
            parent[key] = new
    return document


def _plain(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError, RecursionError):
        return False
    return True


class _Tagged(str):
    """A YAML scalar with a local tag (`!include x`) kept through a tree mutation."""

    tag = "!include"


class _TreeLoader(yaml.SafeLoader):
    pass


class _TreeDumper(yaml.SafeDumper):
    pass


_TreeLoader.add_constructor("!include", lambda loader, node: _Tagged(loader.construct_scalar(node)))  # type: ignore[arg-type]
_TreeLoader.add_constructor(
    "tag:yaml.org,2002:timestamp",
    lambda loader, node: loader.construct_scalar(node),  # type: ignore[arg-type]
)
_TreeDumper.add_representer(_Tagged, lambda dumper, value: dumper.represent_scalar("!include", str(value)))


# -- loading -------------------------------------------------------------------------------------


class TimedOut(Exception):
    """The load took longer than the time limit."""


@dataclass
class Alarm:
    """Whether the time limit ran out (also when the exception was swallowed, say by a GC callback)."""

    fired: bool = False


@contextmanager
def time_limit(seconds: float) -> Iterator[Alarm]:
    """Raise TimedOut in the main thread after `seconds` (SIGALRM); the Alarm records that it fired."""
    alarm = Alarm()

    def on_alarm(signum: int, frame: object) -> None:
        alarm.fired = True
        raise TimedOut

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield alarm
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass(frozen=True)
class Outcome:
    """What loading one input did: `kind` is ok, metadata-error, or a finding (crash, hang, unlocated, unprintable)."""

    kind: str
    detail: str = ""
    catalog: Catalog | None = None

    @property
    def finding(self) -> bool:
        """True when the loader broke its contract on this input."""
        return self.kind not in {"ok", "metadata-error"}


def _unlocated(problems: Sequence[Problem]) -> list[Problem]:
    # A problem about a whole directory (no project in it, several) is located by naming it.
    return [p for p in problems if not p.file or (p.line is None and not p.json_path and not Path(p.file).is_dir())]


def _unprintable(texts: Sequence[str]) -> str | None:
    for text in texts:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            return f"{exc}: {text[:200]!r}"
    return None


def load_outcome(path: Path, seconds: float = 5.0, load: Callable[[Path], Catalog] = load_catalog) -> Outcome:
    """Load `path` in-process under a time limit and classify what happened."""
    try:
        with time_limit(seconds) as alarm:
            catalog = load(path)
            summary = render_summary(catalog)
        if alarm.fired:
            raise TimedOut
    except TimedOut:
        return Outcome("hang", f"no answer within {seconds} s")
    except MetadataError as exc:
        bad = _unlocated(exc.problems)
        if bad:
            return Outcome("unlocated", bad[0].render())
        printable = _unprintable([exc.args[0], *(p.render() for p in exc.problems)])
        if printable:
            return Outcome("unprintable", printable)
        return Outcome("metadata-error", exc.problems[0].message if exc.problems else "")
    except ActionContractError as exc:
        return Outcome("metadata-error", str(exc))
    except (Exception, RecursionError, MemoryError) as exc:  # the contract under test: nothing else escapes
        return Outcome("crash", "".join(traceback.format_exception(exc)[-6:]))
    bad = _unlocated(catalog.warnings)
    if bad:
        return Outcome("unlocated", bad[0].render())
    printable = _unprintable([summary, *(p.render() for p in catalog.warnings)])
    if printable:
        return Outcome("unprintable", printable)
    return Outcome("ok", catalog=catalog)


# -- generation ------------------------------------------------------------------------------------

#: The bound every generated request body stays under.
MAX_REQUEST_BYTES = 1 << 20


def generation_outcome(catalog: Catalog, draw: Callable[[Any], Any], seconds: float = 20.0) -> Outcome:
    """Edge, conforming and adversarial requests for each action of `catalog`, each drawn with `draw`."""
    env = {name: "fuzz" for name in _template_names(catalog)}
    try:
        with time_limit(seconds) as alarm:
            for action in list(catalog.actions.values())[:4]:
                requests = list(edge_requests(action, catalog=catalog, env=env))
                requests.append(draw(conforming_requests(action, catalog=catalog, env=env)))
                requests.append(draw(adversarial_requests(action, catalog=catalog, env=env)))
                for request in requests:
                    size = len(request.body)
                    if size > MAX_REQUEST_BYTES:
                        what = request.violation or "conforming"
                        return Outcome("oversize", f"{action.name}: {size:,} bytes ({what})")
        if alarm.fired:
            raise TimedOut
    except TimedOut:
        return Outcome("hang", f"generation took more than {seconds} s")
    except ActionContractError as exc:
        return Outcome("metadata-error", str(exc))
    except (Exception, RecursionError, MemoryError) as exc:  # the contract under test: nothing else escapes
        return Outcome("crash", "".join(traceback.format_exception(exc)[-6:]))
    return Outcome("ok")


def _template_names(catalog: Catalog) -> set[str]:
    names = set(catalog.variables)
    for action in catalog.actions.values():
        names.update(h.value_from_env for h in action.headers if h.value_from_env)
        names.update(re.findall(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}", action.handler))
    return names
