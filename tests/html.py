"""Reading a page as a person does: parsed into elements, then asked for the heading, table
cell, link, error message or field that should carry a piece of text.

Tests look for text here rather than in the raw HTML: a short string such as "S2" may turn
up anywhere in the markup (a random form token, a class name, an attribute), so finding it
there proves nothing about what the page says.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Protocol

_VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip
_UNREAD = {"script", "style", "template"}  # text no one reads on the page
# Elements that sit within a line of text: no space is put around what they hold.
_INLINE = {
    "a", "abbr", "b", "code", "em", "i", "label", "small", "span", "strong", "sub", "sup",
    "time",
}  # fmt: skip


class HasText(Protocol):
    @property
    def text(self) -> str: ...


Markup = str | HasText  # the page's HTML, or a response holding it


@dataclass(eq=False)
class Element:
    """One element of a parsed page, with its attributes and what it holds."""

    tag: str
    attributes: dict[str, str] = field(default_factory=dict)
    children: list[Element | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attributes.get("class", "").split())

    def get(self, name: str, default: str = "") -> str:
        return self.attributes.get(name, default)

    @property
    def text(self) -> str:
        """What a person reads in it: tags gone, entities decoded, spaces folded (the text
        of blocks such as cells, items and paragraphs set apart by a space)."""
        return " ".join("".join(self._pieces()).split())

    def _pieces(self) -> Iterator[str]:
        for child in self.children:
            if isinstance(child, str):
                yield child
            elif child.tag not in _UNREAD:
                block = child.tag not in _INLINE
                yield " " if block else ""
                yield from child._pieces()
                yield " " if block else ""

    def elements(self) -> Iterator[Element]:
        """Every element inside this one, in the order the page has them."""
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.elements()

    def find_all(self, tag: str | None = None, *, css_class: str | None = None) -> list[Element]:
        """The elements inside this one with that tag and class (either may be left out)."""
        return [
            element
            for element in self.elements()
            if (tag is None or element.tag == tag)
            and (css_class is None or css_class in element.classes)
        ]

    def find(self, tag: str | None = None, *, css_class: str | None = None) -> Element | None:
        found = self.find_all(tag, css_class=css_class)
        return found[0] if found else None

    def by_id(self, element_id: str) -> Element:
        """The element inside this one with that id; a test fails if there is none."""
        found = [element for element in self.elements() if element.get("id") == element_id]
        assert len(found) == 1, f"{len(found)} elements with id {element_id!r}"
        return found[0]

    def one(self, tag: str | None = None, *, css_class: str | None = None) -> Element:
        """The only element with that tag and class; a test fails if there are none or more."""
        found = self.find_all(tag, css_class=css_class)
        assert len(found) == 1, f"{len(found)} <{tag or ''} class={css_class!r}> found"
        return found[0]


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document")
        self.open = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.open[-1].children.append(element)
        if tag not in _VOID:
            self.open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.open[-1].children.append(Element(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag: str) -> None:
        # An end tag closes the nearest open element of its kind, and any left open inside it.
        for depth in range(len(self.open) - 1, 0, -1):
            if self.open[depth].tag == tag:
                del self.open[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.open[-1].children.append(data)


def parse(markup: Markup) -> Element:
    """The page as a tree of elements (the document itself is the root)."""
    builder = _Builder()
    builder.feed(markup if isinstance(markup, str) else markup.text)
    builder.close()
    return builder.root


def _root(markup: Markup | Element) -> Element:
    return markup if isinstance(markup, Element) else parse(markup)


def main(markup: Markup | Element) -> Element:
    """The page's <main>: what it says, without the menu and footer."""
    return _root(markup).one("main")


def page_text(markup: Markup | Element) -> str:
    """Everything a person reads in the page's <main>."""
    return main(markup).text


def headings(markup: Markup | Element) -> list[str]:
    """The text of every heading (h1 to h6), in order."""
    names = {f"h{level}" for level in range(1, 7)}
    return [element.text for element in _root(markup).elements() if element.tag in names]


def links(markup: Markup | Element) -> list[tuple[str, str]]:
    """(text, href) of every link, in order; the text includes any visually hidden part."""
    return [(link.text, link.get("href")) for link in _root(markup).find_all("a")]


def hrefs(markup: Markup | Element) -> list[str]:
    """Where every link goes, in order."""
    return [href for _, href in links(markup)]


def table(markup: Markup | Element, which: str | int = 0) -> Element:
    """A table: the one whose caption starts with `which`, or the `which`th on the page."""
    tables = _root(markup).find_all("table")
    if isinstance(which, int):
        return tables[which]
    named = [t for t in tables if (c := t.find("caption")) and c.text.startswith(which)]
    assert len(named) == 1, f"{len(named)} tables captioned {which!r}: {[t.text for t in tables]}"
    return named[0]


def _cells(row: Element) -> list[str]:
    return [cell.text for cell in row.elements() if cell.tag in ("td", "th")]


def table_rows(markup: Markup | Element, which: str | int = 0) -> list[list[str]]:
    """The cells of each row in a table's body (see `table` for `which`), as text."""
    found = table(markup, which)
    body = found.find("tbody") or found
    return [_cells(row) for row in body.find_all("tr")]


def table_header(markup: Markup | Element, which: str | int = 0) -> list[str]:
    """The column headings of a table (see `table` for `which`)."""
    head = table(markup, which).find("thead")
    assert head is not None, "the table has no <thead>"
    return _cells(head.one("tr"))


def caption(markup: Markup | Element, which: int = 0) -> str:
    found = table(markup, which).find("caption")
    return found.text if found is not None else ""


def error_messages(markup: Markup | Element) -> list[str]:
    """The items of the error summary at the top of the page, in order."""
    summary = _root(markup).find(css_class="govuk-error-summary")
    return [] if summary is None else [item.text for item in summary.find_all("li")]


def error_links(markup: Markup | Element) -> list[tuple[str, str]]:
    """(text, href) of each link in the error summary: where each message takes the person."""
    summary = _root(markup).find(css_class="govuk-error-summary")
    return [] if summary is None else links(summary)


def field_errors(markup: Markup | Element) -> dict[str, str]:
    """The message shown by each field in error: the field's id -> the message."""
    return {
        message.get("id").removesuffix("-error"): message.text.removeprefix("Error:").strip()
        for message in _root(markup).find_all(css_class="govuk-error-message")
    }


def summary_list(markup: Markup | Element, which: int = 0) -> dict[str, str]:
    """The `which`th summary list: each row's key -> its value (a row with no value, such as
    one holding only actions, is left out)."""
    lists = _root(markup).find_all(css_class="govuk-summary-list")
    found: dict[str, str] = {}
    for row in lists[which].find_all(css_class="govuk-summary-list__row"):
        key = row.find(css_class="govuk-summary-list__key")
        value = row.find(css_class="govuk-summary-list__value")
        if key is not None and value is not None:
            found[key.text] = value.text
    return found


def fields(markup: Markup | Element) -> dict[str, str]:
    """Every named input, text area and selected option: name -> its value (the first of a
    name, as a form posts it)."""
    values: dict[str, str] = {}
    for element in _root(markup).elements():
        name = element.get("name")
        if not name or element.tag not in ("input", "textarea", "select"):
            continue
        if element.tag == "textarea":
            value = "".join(child for child in element.children if isinstance(child, str))
            values.setdefault(name, value.removeprefix("\n"))
        elif element.tag == "select":
            chosen = [o for o in element.find_all("option") if "selected" in o.attributes]
            values.setdefault(name, chosen[0].get("value") if chosen else "")
        elif element.get("type") not in ("checkbox", "radio") or "checked" in element.attributes:
            values.setdefault(name, element.get("value"))
    return values


def banner(markup: Markup | Element) -> str:
    """The heading of the notification banner, if the page has one."""
    found = _root(markup).find(css_class="govuk-notification-banner__heading")
    return found.text if found is not None else ""
