"""The NHS Making Data Count variation icons, drawn here as inline SVG (nothing is downloaded)."""

from __future__ import annotations

MDC_ICONS = {  # key: (fill, the letter inside, the words a reader and a screen reader get)
    "common_cause": ("#5a5a5a", "", "Common cause variation"),
    "special_cause_concerning": ("#a84b00", "H", "Special cause variation, concerning: high"),
    "special_cause_improving": ("#1d5fa8", "L", "Special cause variation, improving: low"),
}


def mdc_icon(key: str | None) -> str:
    """The NHS Making Data Count variation icon (figures' ``variation_icon``) as inline SVG, drawn here (no
    download): a grey circle with a level line for common cause, orange with H (concerning: high for crime)
    or blue with L (improving: low); its words are the image's name and are shown beside it, not colour alone."""
    if key not in MDC_ICONS:
        return ""
    fill, letter, words = MDC_ICONS[key]
    mark = (
        f'<text x="12" y="16.5" text-anchor="middle" font-size="13" font-weight="bold" fill="#fff">{letter}</text>'
        if letter
        else '<path d="M5 12h3l2-3 2 6 2-3h5" fill="none" stroke="#fff" stroke-width="1.8"/>'
    )
    return (
        f'<span class="csp-mdc"><svg class="csp-mdc-icon" aria-hidden="true" width="24" height="24" '
        f'viewBox="0 0 24 24" focusable="false"><circle cx="12" cy="12" r="11" fill="{fill}"/>{mark}</svg>'
        f'<span class="csp-mdc-words">{words}</span></span>'
    )
