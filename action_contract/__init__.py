"""Contract tests, mock handlers and a reference executor for Hasura Action handlers."""

from typing import TYPE_CHECKING, Any

# The public names are imported on first use, all at once (see __getattr__ below): a command line that
# only prints its help, or a pytest run without the plugin's options, does not load the library.
if TYPE_CHECKING:
    from ._catalog._inputs import load_inputs
    from ._catalog._metadata import load_catalog
    from ._catalog._model import (
        Action,
        Argument,
        Catalog,
        EnumType,
        EnumValue,
        Field,
        Header,
        InputObjectType,
        ObjectType,
        Permission,
        Relationship,
        ScalarType,
        TypeRef,
    )
    from ._diff._differ import CatalogDiff, Change, Impact, diff_catalogs
    from ._errors import ActionContractError, InvalidArgument, MetadataError, Problem, TemplateError
    from ._executor._action_log import ActionLog, ActionLogEntry
    from ._executor._app import graphql_app
    from ._executor._executor import ReferenceExecutor
    from ._executor._reply import GraphQLReply, HandlerCall
    from ._generate._action_request import ActionRequest
    from ._generate._adversarial import adversarial_requests, applicable_violations
    from ._generate._profiles import HasuraProfile
    from ._generate._requests import conforming_requests, edge_requests
    from ._generate._scalar_strategies import register_scalar
    from ._generate._violations import VIOLATIONS
    from ._hasura._judge import Verdict, judge
    from ._hasura._strict import StrictFinding, strict_findings
    from ._mock._examples import Examples, Latency, load_examples
    from ._mock._handler import MockHandler
    from ._mock._router import ActionMockRouter, mock_router
    from ._mock._target import MockTarget
    from ._mock._validation import CallProblem, call_problems
    from ._render._html import render_html
    from ._render._junit import render_junit
    from ._render._text import Progress, render_failure, render_json, render_text
    from ._run._case import Case, Finding
    from ._run._checks import Check, register_check, registered_checks
    from ._run._coverage import Coverage
    from ._run._report import Failure, GroupResult, Report
    from ._run._runner import Settings, check_request, run_contract, run_group
    from ._send._in_process import AppTarget, CallableTarget, app_target
    from ._send._response import ActionResponse, TransportFailure
    from ._send._targets import HttpTarget, Target

__all__ = [
    "VIOLATIONS",
    "Action",
    "ActionContractError",
    "ActionLog",
    "ActionLogEntry",
    "ActionMockRouter",
    "ActionRequest",
    "ActionResponse",
    "AppTarget",
    "Argument",
    "CallProblem",
    "CallableTarget",
    "Case",
    "Catalog",
    "CatalogDiff",
    "Change",
    "Check",
    "Coverage",
    "EnumType",
    "EnumValue",
    "Examples",
    "Failure",
    "Field",
    "Finding",
    "GraphQLReply",
    "GroupResult",
    "HandlerCall",
    "HasuraProfile",
    "Header",
    "HttpTarget",
    "Impact",
    "InputObjectType",
    "InvalidArgument",
    "Latency",
    "MetadataError",
    "MockHandler",
    "MockTarget",
    "ObjectType",
    "Permission",
    "Problem",
    "Progress",
    "ReferenceExecutor",
    "Relationship",
    "Report",
    "ScalarType",
    "Settings",
    "StrictFinding",
    "Target",
    "TemplateError",
    "TransportFailure",
    "TypeRef",
    "Verdict",
    "adversarial_requests",
    "app_target",
    "applicable_violations",
    "call_problems",
    "check_request",
    "conforming_requests",
    "diff_catalogs",
    "edge_requests",
    "graphql_app",
    "judge",
    "load_catalog",
    "load_examples",
    "load_inputs",
    "mock_router",
    "register_check",
    "register_scalar",
    "registered_checks",
    "render_failure",
    "render_html",
    "render_json",
    "render_junit",
    "render_text",
    "run_contract",
    "run_group",
    "strict_findings",
]


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'action_contract' has no attribute {name!r}")
    import ast
    from pathlib import Path

    # Runs the imports of the `if TYPE_CHECKING:` block above, so the names have one list, read by mypy too.
    tree = ast.parse(Path(__file__).read_text(encoding="utf-8"))
    block = next(node for node in tree.body if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING")
    exec(compile(ast.Module(body=block.body, type_ignores=[]), __file__, "exec"), globals())
    return globals()[name]


def __dir__() -> list[str]:
    return sorted(__all__)
