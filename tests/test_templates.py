from __future__ import annotations

import pytest

from action_contract import TemplateError
from action_contract._catalog._templates import read_dotenv, render_handler, render_header_value, template_variables


@pytest.mark.parametrize(
    ("template", "names"),
    [
        ("http://x/y", []),
        ("{{BASE}}/path", ["BASE"]),
        ("http://{{HOST}}:{{PORT}}/x", ["HOST", "PORT"]),
        ("{{ SPACED }}", [" SPACED "]),  # Hasura keeps the spaces in the name
        ("{{$body.input.id}}", ["$body.input.id"]),
    ],
)
def test_template_variables_follow_hasuras_syntax(template, names):
    assert template_variables(template) == names


def test_unclosed_template_is_refused():
    with pytest.raises(ValueError, match="Parsing URL template failed"):
        template_variables("{{BASE/x")


def test_rendering_and_hasuras_messages():
    assert render_handler("http://{{H}}:{{P}}/x", {"H": "h", "P": "1"}) == "http://h:1/x"
    with pytest.raises(TemplateError) as info:
        render_handler("{{A}}/{{B}}", {})
    assert str(info.value) == "Value for environment variables not found: A, B"
    assert info.value.variables == ("A", "B")
    with pytest.raises(TemplateError, match=r"^template cannot be resolved: TOKEN$"):
        render_header_value("Bearer {{TOKEN}}", {})


def test_dotenv_reading(tmp_path):
    path = tmp_path / ".env"
    path.write_text(
        "# comment\nA=1\nexport B = two \nC='quoted # not comment'\nD=\"line\\nbreak\"\nE=x # trailing\nnot a line\n"
    )
    assert read_dotenv(path) == {"A": "1", "B": "two", "C": "quoted # not comment", "D": "line\nbreak", "E": "x"}
