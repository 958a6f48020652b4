"""An answer as XML: its text, its element tree (repaired if need be), its result code."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ..errors import InvalidResponse
from .errors import RESULT_OK, error_for_code
from .repair import repair_xml
from .values import shown


def parse_tree(text: str) -> ET.Element:
    """Parse XML text already checked for DTDs with the C parser."""
    try:
        return ET.fromstring(text)  # noqa: S314 - DTDs refused by the callers
    except (ET.ParseError, ValueError) as err:
        raise InvalidResponse(f"malformed XML: {err}") from err


def parse_tree_lenient(text: str) -> ET.Element:
    """Parse checked XML text; if it is not well-formed, parse its repair.

    The error reported is the one of the text as sent.
    """
    try:
        return parse_tree(text)
    except InvalidResponse as err:
        first = err
    repaired = repair_xml(text)
    if repaired != text:
        try:
            return parse_tree(repaired)
        except InvalidResponse:
            pass
    raise first


def strip_declaration(text: str) -> str:
    """Text without its ``<?xml …?>`` declaration (it may name an encoding)."""
    text = text.lstrip()
    if text.startswith("<?xml"):
        end = text.find("?>")
        if end >= 0:
            return text[end + 2 :]
    return text


def local_name(tag: str) -> str:
    """A tag or attribute name without namespace, lower-cased."""
    if tag[:1] == "{":
        tag = tag.rpartition("}")[2]
    return tag.lower()


def check_code(code_text: str | None, description: str | None) -> None:
    """Raise the typed error of a result code; accept 0."""
    if code_text is None:
        raise InvalidResponse("<result> has no errorcode attribute")
    try:
        code = int(code_text)
    except ValueError:
        raise InvalidResponse(f"errorcode {shown(code_text)} is not a number") from None
    if code != RESULT_OK:
        raise error_for_code(code, description)


def check_result_element(root: ET.Element) -> None:
    """Check the root is a ``<result>`` whose result code is 0, else raise."""
    if local_name(root.tag) != "result":
        raise InvalidResponse(f"answer is <{root.tag[:40]}>, not <result>")
    code: str | None = None
    for name, value in root.attrib.items():
        if local_name(name) == "errorcode":
            code = value
            break
    if code is not None and code.strip() == "0":
        return
    description = None
    for child in root:
        if local_name(child.tag) == "description":
            description = child.text
            break
    check_code(code, description)
