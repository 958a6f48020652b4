"""An answer as XML: its element tree (repaired if need be), its fields, its result code."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from .._coerce import as_int
from .._xml import MalformedXml, parse_element
from ..errors import InvalidResponse
from .errors import RESULT_OK, error_for_code
from .repair import repair_xml
from .values import shown


def parse_tree(text: str) -> ET.Element:
    """Parse XML text with the C parser, document types refused by expat.

    The shared ``parse_element``: the text is fed a piece at a time, handing
    the GIL over between pieces, so that a worker thread parsing megabytes
    does not hold up the event loop. A lone surrogate (text given as
    ``str``) is malformed XML too.
    """
    return parse_element(text)


def parse_tree_lenient(text: str) -> ET.Element:
    """Parse XML text; if it is not well-formed, parse its repair.

    The error reported is the one of the text as sent.
    """
    try:
        return parse_tree(text)
    except MalformedXml as err:
        first = err
    repaired = repair_xml(text)
    if repaired != text:
        try:
            return parse_tree(repaired)
        except MalformedXml:
            pass
    raise first


def local_name(tag: str) -> str:
    """A tag or attribute name without namespace, lower-cased."""
    if tag[:1] == "{":
        tag = tag.rpartition("}")[2]
    return tag.lower()


def children(element: ET.Element, name: str) -> list[ET.Element]:
    """The children called ``name`` (any case, any namespace)."""
    return [child for child in element if local_name(child.tag) == name]


def first_child(element: ET.Element, name: str) -> ET.Element | None:
    """The first child called ``name`` (any case, any namespace), if any."""
    for child in element:
        if local_name(child.tag) == name:
            return child
    return None


def own_text(element: ET.Element) -> str | None:
    """The element's own text (before and between its children), stripped.

    None when there is none.
    """
    text = "".join([element.text or "", *(child.tail or "" for child in element)])
    return text.strip() or None


def field_text(element: ET.Element, name: str) -> str | None:
    """The text of the first child called ``name``, None when empty or absent."""
    child = first_child(element, name)
    return None if child is None else own_text(child)


def _check_code(code_text: str | None, description: str | None) -> None:
    """Raise the typed error of a result code; accept 0."""
    if code_text is None:
        raise InvalidResponse("<result> has no errorcode attribute")
    code = as_int(code_text)
    if code is None:
        raise InvalidResponse(f"errorcode {shown(code_text)} is not a number")
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
            description = own_text(child)
            break
    _check_code(code, description)
