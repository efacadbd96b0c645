"""The web pages and the JSON API."""

import warnings

import authlib.deprecate  # type: ignore[import-untyped]  # noqa: F401  (turns its notices on)

# Authlib asks on import for a successor of httpx; the pinned httpx is the one it uses here,
# so the notice would only worry whoever starts the server. Set after Authlib's own filter.
warnings.filterwarnings("ignore", message="The httpx module is deprecated")
