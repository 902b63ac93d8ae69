"""Read a generic rule's assignment: the name on the left, the value, and what follows it on the line.

Generic rules (``api_key = ...``, ``password: ...``) match a value after a name; whether that value
is a credential depends on what it is. ``assess(before, value, after)`` returns:

- ``None`` when the value is not a credential at all: code or data of another kind (a template
  or variable reference such as ``${VAR}``, ``{{ var }}``, ``%(var)s``, ``$VAR``; a dotted
  attribute, an identifier, a path or URL route, a CSS/DOM selector, an ARN, an algorithm-prefixed
  hash such as a lockfile's ``sha512-...``, a model or resource slug, a version);
- otherwise the reasons for its confidence: ``placeholder-like`` (low), ``public-by-design``
  (low: a CSRF token, a publishable or public key), ``expression`` (low: a quoted literal that is
  only part of a concatenation or a format expression), or ``keyword-context`` + ``entropy``
  (medium: a literal with the mix of characters of an issued secret).

``before`` is the text of the line up to the value (the name, the operator, an opening quote),
``after`` the text from the value's end to the line's end.
"""

from __future__ import annotations

import regex
from secret_sprawl.detectors.entropy import shannon_entropy
from secret_sprawl.detectors.placeholder import placeholder_like
from secret_sprawl.detectors.urlcreds import common_password

PLACEHOLDER = "placeholder-like"
PUBLIC = "public-by-design"
EXPRESSION = "expression"

# Searched backwards ((?r)) from the end of the text before the value: the name nearest to it.
_NAME = regex.compile(
    r"""(?r)([A-Za-z_$@][A-Za-z0-9_.$-]*)["'\]]*[ \t]*(?:=|:=|:|=>)[ \t]*[rbuRBU]?["'`]?$"""
)
_PUBLIC_NAME = regex.compile(
    r"(?i)csrf|xsrf|public|publishable|anon(?:ymous)?[_-]?key|site[_-]?key|recaptcha"
)
_IDENTIFIER = regex.compile(
    r"""^(?:[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[a-z][a-z0-9]*(?:_[a-z0-9]+)+|[a-z]+(?:[A-Z][a-z]+)+\d*"""
    r"""|_?[A-Z][a-z]+(?:[A-Z][a-z]+)+|(?:_*(?:[a-z][a-z0-9_]*|[A-Z][a-z]+(?:[A-Z][a-z]+)*"""
    r"""|[A-Z][A-Z0-9_]*)\.)+_*(?:[a-z][a-z0-9_]*|[A-Z][a-z]+(?:[A-Z][a-z]+)*|[A-Z][A-Z0-9_]*))$"""
)
# Slugs and model names: lowercase words and numbers joined by - _ . : or /, no mixed-case noise.
_SLUG = regex.compile(r"^[a-z][a-z0-9]*(?:[-_.:/@][a-z0-9]+)+$")
_SLUG_WORD = regex.compile(r"[a-z]{3,}")
_PATH = regex.compile(r"^(?:~?/|\./|\.\./|[A-Za-z]:\\)")
_ROUTE_SEGMENT = regex.compile(
    r"^(?:[a-z0-9][a-z0-9_.-]*|[A-Za-z][a-z]+(?:[A-Z][a-z]+)*|\{[A-Za-z_]+\}|:[a-z_]+)$"
)
_NOT_SECRET_SHAPES = regex.compile(
    r"""(?i)^(?:arn:(?:aws|aws-cn|aws-us-gov):|(?:sha1|sha224|sha256|sha384|sha512|md5|blake2b?)[-:]"""
    r"""|(?-i:[#.][a-z][a-z0-9_-]*$)|v?\d+(?:\.\d+){1,3}(?:[-+][a-z0-9.]+)?$|(?:https?|wss?|file|s3|gs)://"""
    r"""|projects/|arn-)"""
)
# Templates and variable references: the value is filled in elsewhere.
_TEMPLATE = regex.compile(
    r"\$\{[A-Za-z_][A-Za-z0-9_.:-]*[}:]|\{\{[ \t]*[A-Za-z_.$][^{}]*\}\}|%\([A-Za-z_]+\)[sd]|#\{[A-Za-z_.]+\}"
    r"|<%=?[ \t]*[A-Za-z_]|\$\([A-Za-z_ ]+\)|^\$[A-Za-z_][A-Za-z0-9_]*$|^%[A-Za-z_]+%$"
    r"|^\{(?:[a-z_][a-z0-9_.]*|[A-Z_][A-Z0-9_]*)\}$"
)
# An unquoted value followed by these is code: a type annotation (``token: TokenType | None = None``),
# a call, an index or an attribute.
_CODE_AFTER = regex.compile(
    r"[ \t]*(?:\|[ \t]*(?:None|str|int|bytes|bool|float|[A-Z][A-Za-z0-9_]*)\b|=(?!=)|[\[(]|\.[A-Za-z_]|->)"
)
_LETTERS_ONLY = regex.compile(r"^_*[A-Za-z]+$")
_UPPER_PAIR = regex.compile(r"[A-Z]{2}")
_LETTER = regex.compile(r"[A-Za-z]")
_WORDY = regex.compile(r"(?i)pass|secret|admin|token|login|welcome|hello|super|master|default|user")
_DIGIT = regex.compile(r"\d")
_UPPER = regex.compile(r"[A-Z]")
_LOWER = regex.compile(r"[a-z]")


def assess(before: str, value: str, after: str) -> tuple[str, ...] | None:
    """The reasons for ``value``'s confidence as an assigned secret, or None when it is not one."""
    quote = before[-1:] if before[-1:] in ("'", '"', "`") else ""
    if _TEMPLATE.search(value) or (not quote and _CODE_AFTER.match(after)):
        return None
    if quote and after[:1] == quote and _continues_expression(after[1:]):
        return (EXPRESSION,)
    # A placeholder is reported (low) even when it is shaped like a name: "fake-anthropic-key".
    if placeholder_like(value) or common_password(value.strip("-_.")):
        return (PLACEHOLDER,)
    if _not_a_credential(value):
        return None
    name = _name(before)
    if name and _PUBLIC_NAME.search(name):
        return (PUBLIC,)
    if not _issued_looking(value):
        return (PLACEHOLDER,)
    return ("keyword-context", "entropy")


def _name(before: str) -> str:
    found = _NAME.search(before[-120:])
    return found.group(1) if found else ""


def _not_a_credential(value: str) -> bool:
    if _IDENTIFIER.match(value) or _NOT_SECRET_SHAPES.match(value):
        return True
    if _PATH.match(value) or _camel_identifier(value):
        return True
    if _SLUG.match(value) and _SLUG_WORD.search(value) and not _UPPER.search(value):
        return _slug_words(value)
    if "/" in value and not value.endswith("=="):
        segments = [segment for segment in value.strip("/").split("/") if segment]
        return len(segments) >= 2 and all(_ROUTE_SEGMENT.match(segment) for segment in segments)
    return False


def _camel_identifier(value: str) -> bool:
    """A letters-only name: one word (``authentication``; random lower-case letters, like a Gmail app
    password, are longer and more varied) or CamelCase (``AsyncGetAzureADToken``, ``_AzureApiKeyT``:
    mostly lower case, at most two acronym pairs; random letters have far more adjacent capitals)."""
    if not _LETTERS_ONLY.match(value):
        return False
    if value[1:].islower():
        return len(value) < 12 or shannon_entropy(value) < 3.35
    letters = value.lstrip("_")
    lower = sum(1 for char in letters if char.islower())
    return lower * 3 >= len(letters) * 2 and len(_UPPER_PAIR.findall(letters)) <= 2


def _slug_words(value: str) -> bool:
    """A lowercase slug whose parts are words and numbers (``gpt-4o-mini``), not random runs."""
    parts = regex.split(r"[-_.:/@]", value)
    return all(part.isdigit() or (part.isalpha() and len(part) <= 12) or len(part) <= 3 for part in parts)


def _continues_expression(rest: str) -> bool:
    """After a closing quote: concatenation or formatting makes the literal only part of the value."""
    rest = rest.lstrip()
    return rest.startswith(("+", "%", ".format(", "||", "??", "..")) or rest.startswith("~")


def _issued_looking(value: str) -> bool:
    """Issued secrets mix letters and digits (or cases) and are not one short word repeated."""
    if len(value) < 8:
        return False
    classes = sum(bool(pattern.search(value)) for pattern in (_DIGIT, _UPPER, _LOWER))
    symbols = any(not char.isalnum() for char in value)
    if classes >= 2 and _LETTER.search(value):
        return shannon_entropy(value) >= (2.5 if len(value) <= 10 else 2.8)
    mixed = classes + symbols >= 2 and len(value) >= 12
    random_letters = len(value) >= 12 and shannon_entropy(value) >= 3.4 and not _WORDY.search(value)
    return mixed or random_letters or (len(value) >= 20 and shannon_entropy(value) >= 3.5)
