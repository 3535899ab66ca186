"""Placeholder replaced by the question-sets work: Markdown + math + code, sanitised."""

import html


def render_rich_text(source: str) -> str:
    return f"<p>{html.escape(source)}</p>" if source else ""
