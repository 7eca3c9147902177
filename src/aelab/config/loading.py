"""Reading params.yaml: YAML that hides nothing, the typed check, and errors that name the key.

A YAML mapping that repeats a key keeps the last value without a word (PyYAML,
Snakemake and DVC alike): a setting would be lost silently, so the loader here
refuses it with file, line and key. Every engine reads params.yaml through
:func:`load_params` before it reads it itself.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from aelab.config.base import ParamsError
from aelab.config.params import Params

MERGE_KEY = "<<"
SHOWN_INPUT = 80
"""Characters of a refused value shown in an error; a cross-reference error shows none (its input is the file)."""


class RepeatedKeyError(yaml.constructor.ConstructorError):
    """A mapping of the file names one key twice."""


class UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, except that a mapping may not repeat a key (merged ``<<`` keys may be overridden)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[object, yaml.Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge" or key_node.value == MERGE_KEY:
                continue
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                first, again = seen[key].start_mark.line + 1, key_node.start_mark.line + 1
                raise RepeatedKeyError(
                    problem=f"line {again}: key {key!r} is repeated (first on line {first}); "
                    "the later value would silently win"
                )
            seen[key] = key_node
        return super().construct_mapping(node, deep)


def read_yaml(path: Path) -> object:
    """The YAML document in ``path``; a syntax error or a repeated key is a ParamsError naming file and line."""
    try:
        return yaml.load(path.read_text(), Loader=UniqueKeyLoader)  # noqa: S506 (a SafeLoader subclass)
    except FileNotFoundError:
        raise ParamsError(f"{path}: params file not found") from None
    except IsADirectoryError:
        raise ParamsError(f"{path}: not a file (a folder of that name is in the way)") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ParamsError(f"{path}: cannot be read ({error})") from None
    except RepeatedKeyError as error:
        raise ParamsError(f"{path}, {error.problem}") from None
    except yaml.YAMLError as error:
        raise ParamsError(f"{path}: not valid YAML: {error}") from None


def load_params(path: str | Path = "params.yaml") -> Params:
    """Read and validate a params file; every problem is reported with its key path."""
    path = Path(path)
    raw = read_yaml(path)
    try:
        return Params.model_validate(raw)
    except ValidationError as error:
        raise ParamsError(_describe(path, error, raw)) from None


def yaml_path(loc: tuple, raw: object) -> str:
    """pydantic's error location as the key path in the YAML file.

    pydantic puts a tagged union's tag into the location (``model.conv_vae.loss``,
    ``noise.gaussian.std``); walking the file's own values tells a tag (a value
    of the mapping's ``family`` or ``kind``, not one of its keys) from a key
    that happens to spell one (a variant named ``mlp_ae``).
    """
    parts, node = [], raw
    for part in loc:
        if isinstance(node, dict) and part not in node and part in (node.get("family"), node.get("kind")):
            continue
        parts.append(str(part))
        node = (
            node[part]
            if isinstance(node, dict) and part in node
            else (node[part] if isinstance(node, list) and isinstance(part, int) and part < len(node) else None)
        )
    return ".".join(parts) or "(top level)"


def _describe(path: Path, error: ValidationError, raw: object) -> str:
    lines = [f"{path}: {error.error_count()} invalid value(s)"]
    for item in error.errors():
        key = yaml_path(item["loc"], raw)
        if item["type"] == "extra_forbidden":
            message = "unknown key, not part of the params schema (workflow/schemas/params.schema.json)"
        elif item["type"] == "missing":
            message = "required key is missing"
        elif item["type"] == "value_error":  # a cross-check: its message names the keys; its input is a whole section
            message = item["msg"].removeprefix("Value error, ")
            if not item["loc"]:
                lines.append(f"  {message}")
                continue
        else:
            shown = repr(item["input"])
            shown = shown if len(shown) <= SHOWN_INPUT else shown[: SHOWN_INPUT - 3] + "..."
            message = f"{item['msg']} (got {shown})"
        lines.append(f"  {key}: {message}")
    return "\n".join(lines)


def json_schema() -> dict:
    """JSON schema of params.yaml, for Snakemake's validate() and editors."""
    schema = Params.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
