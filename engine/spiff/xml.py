"""Hardened XML parsing: BPMN from an editor is untrusted and is checked before SpiffWorkflow sees it."""

from __future__ import annotations

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree
from lxml import etree

MAX_BPMN_BYTES = 2 * 1024 * 1024

_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_comments=True,
)


class UnsafeXml(ValueError):
    """The document is not well-formed, too large, or uses DTDs or entities."""


def parse_untrusted_xml(data: bytes | str, *, max_bytes: int = MAX_BPMN_BYTES) -> etree._Element:
    """Parse XML refusing DTDs, entities, network access and oversized documents."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > max_bytes:
        raise UnsafeXml(f"the document is {len(raw):,} bytes; the limit is {max_bytes:,} bytes")
    try:
        # defusedxml refuses DTDs and entity declarations outright (billion laughs, XXE).
        SafeElementTree.fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise UnsafeXml(f"DTDs and entities are not allowed in BPMN ({type(exc).__name__})") from exc
    except SafeElementTree.ParseError as exc:
        raise UnsafeXml(f"the XML is not well-formed: {exc}") from exc
    try:
        return etree.fromstring(raw, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise UnsafeXml(f"the XML is not well-formed: {exc}") from exc
