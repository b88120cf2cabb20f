"""Telegram's HTML parse mode, re-implemented to judge messages the way the Bot API does.

The rules follow TDLib's HTML parser (the code behind the Bot API): only the documented tags,
attribute values quoted or bare name tokens, the four named entities plus numeric ones, end tags
matching the innermost open tag. Error descriptions use the Bot API's wording
("can't parse entities: Unsupported start tag ...", byte offsets into the UTF-8 text).

In strict mode (the default, and what the stand-in uses) a bare ``&`` that does not start an
entity is an error too, as the Bot API documentation demands ("All <, > and & symbols that are
not a part of a tag or an HTML entity must be replaced"); real Telegram silently keeps it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MAX_MESSAGE_LENGTH = 4096
"""Telegram's limit on a message's visible text, in UTF-16 code units."""

ENTITY_TYPES: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
"""Supported tags and the entity type each becomes."""

_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPACES = " \t\n\r\f\v"


class EntityParseError(ValueError):
    """The text is not valid Telegram HTML; the message is the Bot API's description tail."""


class MessageTextError(ValueError):
    """The text would be refused by sendMessage; the message is the Bot API's full description."""


@dataclass(frozen=True, slots=True)
class ParsedText:
    """The visible text and the entities Telegram would attach to it."""

    text: str
    entities: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    def types(self) -> list[str]:
        """List the entity types in order of appearance."""
        return [entity["type"] for entity in self.entities]


@dataclass(slots=True)
class _OpenTag:
    name: str
    argument: str
    utf16_start: int
    out_start: int
    order: int


def utf16_len(text: str) -> int:
    """Count UTF-16 code units, the unit Telegram measures lengths and offsets in."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


def _decode_entity(source: str, index: int) -> tuple[str, int] | None:
    """Decode the entity starting at `source[index] == '&'`, returning it and the next index."""
    end = source.find(";", index + 1, index + 12)
    if end == -1:
        return None
    body = source[index + 1 : end]
    if body in _NAMED_ENTITIES:
        return _NAMED_ENTITIES[body], end + 1
    if body.startswith("#") and len(body) > 1:
        digits = body[1:]
        try:
            code = int(digits[1:], 16) if digits[0] in "xX" else int(digits, 10)
        except ValueError:
            return None
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None
        return chr(code), end + 1
    return None


class _Parser:
    def __init__(self, source: str, strict: bool) -> None:
        self.source = source
        self.strict = strict
        self.i = 0
        self.out: list[str] = []
        self.utf16 = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[dict[str, Any]] = []
        self.order: list[int] = []
        self.opened = 0

    def error(self, message: str) -> EntityParseError:
        return EntityParseError(message)

    def at(self, index: int) -> str:
        return self.source[index] if index < len(self.source) else ""

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.utf16 += utf16_len(text)

    def parse(self) -> ParsedText:
        source = self.source
        while self.i < len(source):
            char = source[self.i]
            if char == "&":
                decoded = _decode_entity(source, self.i)
                if decoded is not None:
                    self.emit(decoded[0])
                    self.i = decoded[1]
                    continue
                if self.strict:
                    raise self.error(
                        'Character "&" is reserved and must be escaped as "&amp;" '
                        f"at byte offset {_byte_offset(source, self.i)}"
                    )
            if char != "<":
                self.emit(char)
                self.i += 1
                continue
            if self.at(self.i + 1) == "/":
                self.end_tag()
            else:
                self.start_tag()
        if self.stack:
            raise self.error(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"'
            )
        ranked = sorted(
            zip(self.order, self.entities, strict=True),
            key=lambda pair: (pair[1]["offset"], -pair[1]["length"], pair[0]),
        )
        return ParsedText("".join(self.out), tuple(entity for _, entity in ranked))

    def skip_spaces(self) -> None:
        while self.at(self.i) and self.at(self.i) in _SPACES:
            self.i += 1

    def start_tag(self) -> None:
        source = self.source
        begin = self.i
        offset = _byte_offset(source, begin)
        self.i += 1
        name_start = self.i
        while self.at(self.i) and self.at(self.i) not in _SPACES and self.at(self.i) != ">":
            self.i += 1
        if not self.at(self.i):
            raise self.error(f"Unclosed start tag at byte offset {offset}")
        name = source[name_start : self.i].lower()
        if name not in ENTITY_TYPES:
            raise self.error(f'Unsupported start tag "{name}" at byte offset {offset}')
        argument = ""
        while self.at(self.i) != ">":
            self.skip_spaces()
            if self.at(self.i) == ">":
                break
            attr_start = self.i
            while (
                self.at(self.i) and self.at(self.i) not in _SPACES and self.at(self.i) not in "=>"
            ):
                self.i += 1
            attribute = source[attr_start : self.i]
            if not attribute:
                raise self.error(
                    f'Empty attribute name in the tag "{name}" at byte offset {offset}'
                )
            self.skip_spaces()
            if self.at(self.i) != "=":
                if name == "blockquote" and attribute == "expandable":
                    argument = "expandable"
                    continue
                raise self.error(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{name}" at byte offset {offset}'
                )
            self.i += 1
            self.skip_spaces()
            if not self.at(self.i):
                raise self.error(f'Unclosed start tag "{name}" at byte offset {offset}')
            value = self.attribute_value()
            if not self.at(self.i):
                raise self.error(f"Unclosed start tag at byte offset {offset}")
            if name == "a" and attribute == "href":
                argument = value
            elif name == "code" and attribute == "class" and value.startswith("language-"):
                argument = value.removeprefix("language-")
            elif name == "span" and attribute == "class" and value.startswith("tg-"):
                argument = value.removeprefix("tg-")
            elif name == "tg-emoji" and attribute == "emoji-id":
                argument = value
            elif name == "blockquote" and attribute == "expandable":
                argument = "expandable"
        self.i += 1  # the closing ">"
        if name == "span" and argument != "spoiler":
            raise self.error(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
        if name == "tg-emoji" and not argument.isdigit():
            raise self.error(
                f'Tag "tg-emoji" must have a valid "emoji-id" attribute at byte offset {offset}'
            )
        self.opened += 1
        self.stack.append(_OpenTag(name, argument, self.utf16, len(self.out), self.opened))

    def attribute_value(self) -> str:
        source = self.source
        quote = self.at(self.i)
        if quote not in ("'", '"'):
            token_start = self.i
            while self.at(self.i) and (self.at(self.i).isalnum() or self.at(self.i) in ".-"):
                self.i += 1
            if self.at(self.i) and self.at(self.i) not in _SPACES and self.at(self.i) != ">":
                raise self.error(
                    f"Unexpected end of name token at byte offset "
                    f"{_byte_offset(source, token_start)}"
                )
            return source[token_start : self.i].lower()
        self.i += 1
        value: list[str] = []
        while self.at(self.i) and self.at(self.i) != quote:
            if self.at(self.i) == "&":
                decoded = _decode_entity(source, self.i)
                if decoded is not None:
                    value.append(decoded[0])
                    self.i = decoded[1]
                    continue
                if self.strict:
                    raise self.error(
                        'Character "&" is reserved and must be escaped as "&amp;" '
                        f"at byte offset {_byte_offset(source, self.i)}"
                    )
            value.append(self.at(self.i))
            self.i += 1
        if self.at(self.i) == quote:
            self.i += 1
        return "".join(value)

    def end_tag(self) -> None:
        source = self.source
        begin = self.i
        offset = _byte_offset(source, begin)
        if not self.stack:
            raise self.error(f"Unexpected end tag at byte offset {offset}")
        self.i += 2
        name_start = self.i
        while self.at(self.i) and self.at(self.i) not in _SPACES and self.at(self.i) != ">":
            self.i += 1
        end_name = source[name_start : self.i].lower()
        self.skip_spaces()
        if self.at(self.i) != ">":
            raise self.error(f"Unclosed end tag at byte offset {offset}")
        self.i += 1
        open_tag = self.stack.pop()
        if end_name and end_name != open_tag.name:
            raise self.error(
                f'Unmatched end tag at byte offset {offset}, expected "</{open_tag.name}>", '
                f'found "</{end_name}>"'
            )
        self.close(open_tag)

    def close(self, tag: _OpenTag) -> None:
        length = self.utf16 - tag.utf16_start
        if length <= 0:
            return
        entity: dict[str, Any] = {
            "type": ENTITY_TYPES[tag.name],
            "offset": tag.utf16_start,
            "length": length,
        }
        if tag.name == "a":
            entity["url"] = tag.argument or "".join(self.out[tag.out_start :])
        elif tag.name == "code" and tag.argument:
            entity["language"] = tag.argument
        elif tag.name == "pre":
            last = self.entities[-1] if self.entities else None
            if (
                last is not None
                and last["type"] == "code"
                and last["offset"] == tag.utf16_start
                and last["length"] == length
                and "language" in last
            ):
                self.entities.pop()
                self.order.pop()
                entity["language"] = last["language"]
        elif tag.name == "blockquote" and tag.argument == "expandable":
            entity["type"] = "expandable_blockquote"
        elif tag.name == "tg-emoji":
            entity["custom_emoji_id"] = tag.argument
        self.entities.append(entity)
        self.order.append(tag.order)


def parse_html(source: str, *, strict: bool = True) -> ParsedText:
    """Parse Telegram HTML into visible text and entities, or raise `EntityParseError`."""
    return _Parser(source, strict).parse()


def check_message_text(
    text: str | None,
    parse_mode: str | None = None,
    *,
    strict: bool = True,
    max_length: int = MAX_MESSAGE_LENGTH,
) -> ParsedText:
    """Judge a message text as sendMessage does; raise `MessageTextError` with its description."""
    if text is None or text == "":
        raise MessageTextError("Bad Request: message text is empty")
    mode = (parse_mode or "").lower()
    if mode == "html":
        try:
            parsed = parse_html(text, strict=strict)
        except EntityParseError as exc:
            raise MessageTextError(f"Bad Request: can't parse entities: {exc}") from exc
    elif mode in ("", "markdown", "markdownv2"):
        parsed = ParsedText(text)
    else:
        raise MessageTextError("Bad Request: unsupported parse_mode")
    visible = parsed.text.strip()
    if not visible:
        raise MessageTextError("Bad Request: message text is empty")
    if utf16_len(visible) > max_length:
        raise MessageTextError("Bad Request: message is too long")
    return parsed
