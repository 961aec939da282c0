"""The fetcher's stages, one module each; `newsdesk.crawler` runs them for a source."""
