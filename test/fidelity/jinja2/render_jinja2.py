"""Renders Sluice's differential cases with real Jinja2 (used by jinja2.test.ts).

Reads {"cases": [{"template", "context", "native"}]} as JSON on stdin and answers JSON on stdout:
{"version", "filters", "tests", "results": [...]}. A `native` case (a single `{{ expression }}`) is
rendered by NativeEnvironment and answers the expression's own value ("value") next to what
NativeEnvironment returns after its `literal_eval` of a string ("native"); any other case is rendered by
Environment and answers its text. Both use StrictUndefined; a failure answers its class and message.
"""

import json
import math
import sys

import jinja2
from jinja2 import Environment, StrictUndefined
from jinja2.defaults import DEFAULT_FILTERS, DEFAULT_TESTS
from jinja2.nativetypes import NativeEnvironment, native_concat
from jinja2.runtime import Undefined


class Unrepresentable(Exception):
    pass


def plain(value):
    """The JSON form of a rendered value; raises for values JSON cannot carry."""
    if value is None or isinstance(value, (bool, int, str)):
        return str(value) if isinstance(value, str) else value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return {"$float": repr(value)}
        return value
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    raise Unrepresentable(type(value).__name__)


def failure(error):
    return {"error": type(error).__name__, "message": str(error)}


def render(text_env, native_env, case):
    context = case["context"]
    try:
        if not case["native"]:
            return {"value": text_env.from_string(case["template"]).render(context)}
        template = native_env.from_string(case["template"])
        nodes = list(template.root_render_func(template.new_context(context)))
        raw = nodes[0] if len(nodes) == 1 else native_concat(iter(nodes))
        if isinstance(raw, Undefined):
            # NativeEnvironment hands the StrictUndefined object back; any use of it raises.
            str(raw)
        answer = {"value": plain(raw)}
        if isinstance(raw, str):
            answer["native"] = plain(native_concat(iter([raw])))
        return answer
    except Unrepresentable as error:
        return {"error": "Unrepresentable", "message": str(error)}
    except Exception as error:  # noqa: BLE001 - every failure is an answer
        return failure(error)


def main():
    request = json.load(sys.stdin)
    text_env = Environment(undefined=StrictUndefined)
    native_env = NativeEnvironment(undefined=StrictUndefined)
    results = [render(text_env, native_env, case) for case in request["cases"]]
    json.dump(
        {
            "version": jinja2.__version__,
            "python": sys.version.split()[0],
            "filters": sorted(DEFAULT_FILTERS),
            "tests": sorted(DEFAULT_TESTS),
            "results": results,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
