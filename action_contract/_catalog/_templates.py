"""`{{VAR}}` templates in handler URLs and header values, and where their values come from.

Hasura's template syntax (`Data.URL.Template`) is `{{` + any text + `}}`: the text between the braces
is the variable name verbatim, spaces included. Hasura fills them from the server environment; we
fill them from explicit overrides, then the process environment, then a `.env` file beside the
project (contract §6.4).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from .._errors import TemplateError

__all__ = [
    "is_env_name",
    "read_dotenv",
    "render_handler",
    "render_header_value",
    "template_variables",
]

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def template_variables(template: str) -> list[str]:
    """The variable names in `template`, in order; raises ValueError for an unclosed `{{`."""
    names: list[str] = []
    position = 0
    while True:
        start = template.find("{{", position)
        if start < 0:
            return names
        end = template.find("}}", start + 2)
        if end < 0:
            raise ValueError(f"Parsing URL template failed: '{{{{' at offset {start} is never closed by '}}}}'")
        names.append(template[start + 2 : end])
        position = end + 2


def is_env_name(name: str) -> bool:
    """True when `name` could be an environment variable (Kriti's `$body...` cannot)."""
    return _ENV_NAME.fullmatch(name) is not None


def _render(template: str, variables: Mapping[str, str]) -> tuple[str, list[str]]:
    missing: list[str] = []
    out: list[str] = []
    position = 0
    for name in template_variables(template):
        start = template.index("{{", position)
        out.append(template[position:start])
        if name in variables:
            out.append(variables[name])
        else:
            missing.append(name)
        position = start + len(name) + 4
    out.append(template[position:])
    return "".join(out), missing


def render_handler(template: str, variables: Mapping[str, str]) -> str:
    """The handler URL with variables filled; TemplateError carries Hasura's message when one is unset."""
    text, missing = _render(template, variables)
    if missing:
        # Hasura marks the action inconsistent with this text (`renderURLTemplate`, contract §6.3).
        raise TemplateError(
            "Value for environment variables not found: " + ", ".join(missing),
            variables=missing,
            code="invalid-configuration",
        )
    return text


def render_header_value(template: str, variables: Mapping[str, str]) -> str:
    """A header `value` with variables filled; Hasura answers 400 `not-found` otherwise (contract §1.2)."""
    text, missing = _render(template, variables)
    if missing:
        raise TemplateError("template cannot be resolved: " + ", ".join(missing), variables=missing)
    return text


def read_dotenv(path: Path) -> dict[str, str]:
    """`KEY=value` lines of a .env file (`export`, quotes and `#` comments understood)."""
    values: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :].lstrip()
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not is_env_name(key):
            continue
        value = value.strip()
        if value[:1] in {"'", '"'} and value.find(value[0], 1) > 0:
            quote = value[0]
            value = value[1 : value.index(quote, 1)]
            if quote == '"':
                value = value.replace("\\n", "\n").replace('\\"', '"')
        else:
            value = re.split(r"\s+#", value, maxsplit=1)[0].strip()
        values[key] = value
    return values


def environment(overrides: Mapping[str, str] | None, dotenv: Path | None) -> dict[str, str]:
    """Variables in order of precedence: explicit overrides, the process environment, the .env file."""
    merged: dict[str, str] = {}
    if dotenv is not None and dotenv.is_file():
        merged.update(read_dotenv(dotenv))
    merged.update(os.environ)
    if overrides:
        merged.update(overrides)
    return merged
