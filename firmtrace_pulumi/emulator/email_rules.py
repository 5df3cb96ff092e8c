"""Which email addresses may start a trial: no free webmail, no disposable domains."""

from __future__ import annotations

import re

__all__ = ["DISPOSABLE", "FREE_WEBMAIL", "email_domain", "is_rejected_domain"]

FREE_WEBMAIL = frozenset(
    {
        "gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.uk", "yahoo.fr", "ymail.com",
        "hotmail.com", "hotmail.co.uk", "hotmail.fr", "outlook.com", "live.com", "msn.com",
        "aol.com", "icloud.com", "me.com", "mac.com", "gmx.com", "gmx.de", "gmx.net", "web.de",
        "mail.com", "proton.me", "protonmail.com", "zoho.com", "yandex.com", "yandex.ru",
        "mail.ru", "qq.com", "163.com", "fastmail.com", "tutanota.com",
    }
)  # fmt: skip

DISPOSABLE = frozenset(
    {
        "mailinator.com", "guerrillamail.com", "sharklasers.com", "10minutemail.com",
        "temp-mail.org", "tempmail.com", "yopmail.com", "trashmail.com", "getnada.com",
        "dispostable.com", "maildrop.cc", "throwawaymail.com", "fakeinbox.com",
    }
)  # fmt: skip

_EMAIL = re.compile(r"[^@\s]+@((?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,})")


def email_domain(email: str) -> str | None:
    """The lower-cased domain of a plausible address, or ``None`` if it does not look like one."""
    match = _EMAIL.fullmatch(email.strip())
    return match.group(1).lower() if match else None


def is_rejected_domain(domain: str) -> bool:
    """Free webmail or disposable, including their subdomains."""
    labels = domain.split(".")
    candidates = {".".join(labels[i:]) for i in range(len(labels) - 1)}
    return bool(candidates & (FREE_WEBMAIL | DISPOSABLE))
