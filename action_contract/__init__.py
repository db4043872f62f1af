"""Contract tests, mock handlers and a reference executor for Hasura Action handlers."""

from ._action_log import ActionLog, ActionLogEntry
from ._action_request import ActionRequest
from ._adversarial import VIOLATIONS, adversarial_requests, applicable_violations
from ._checks import Case, Check, Finding, register_check, registered_checks
from ._diff import CatalogDiff, Change, Impact, diff_catalogs
from ._errors import ActionContractError, InvalidArgument, MetadataError, Problem, TemplateError
from ._examples import Examples, Latency, load_examples
from ._executor import ReferenceExecutor
from ._executor_app import graphql_app
from ._executor_reply import GraphQLReply, HandlerCall
from ._hasura import Verdict, judge
from ._in_process import AppTarget, CallableTarget, app_target
from ._metadata import load_catalog
from ._mock import MockHandler
from ._mock_router import ActionMockRouter, mock_router
from ._mock_target import MockTarget
from ._model import (
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
from ._profiles import HasuraProfile
from ._render import Progress, render_failure, render_json, render_junit, render_text
from ._render_html import render_html
from ._report import Failure, GroupResult, Report
from ._requests import conforming_requests, edge_requests
from ._response import ActionResponse, TransportFailure
from ._runner import Settings, check_request, run_contract, run_group
from ._scalar_strategies import register_scalar
from ._strict import StrictFinding, strict_findings
from ._targets import HttpTarget, Target
from ._validation import CallProblem, call_problems

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
