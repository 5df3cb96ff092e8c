"""redact() and KnownSecrets."""

from __future__ import annotations

import json
import urllib.parse

from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from firmtrace_pulumi.redact import REDACTED, KnownSecrets, redact

TOKEN = "ftt_" + "a1B2c3D4e5F6g7H8i9J0k1L2"
KEY = "ftk_" + "Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2"


def test_known_secrets_are_replaced_wherever_they_appear() -> None:
    text = "password hunter2-long-enough was wrong; retry with hunter2-long-enough"
    assert redact(text, ["hunter2-long-enough"]) == (
        f"password {REDACTED} was wrong; retry with {REDACTED}"
    )


def test_secretstr_values_are_accepted() -> None:
    assert redact("x s3cr3t-value y", [SecretStr("s3cr3t-value")]) == f"x {REDACTED} y"


def test_token_and_key_shapes_are_scrubbed_without_being_known() -> None:
    text = f"token {TOKEN} and key {KEY}."
    assert redact(text) == f"token {REDACTED} and key {REDACTED}."


def test_bearer_values_are_scrubbed_whatever_their_shape() -> None:
    assert redact("Authorization: Bearer abc.def-ghi") == f"Authorization: Bearer {REDACTED}"


def test_short_api_key_part_is_not_a_secret() -> None:
    assert redact("key ftk_ab12cd not found") == "key ftk_ab12cd not found"


def test_short_secrets_are_redacted_as_whole_words_only() -> None:
    assert redact("pw abc; the abcde cab", ["abc"]) == f"pw {REDACTED}; the abcde cab"


def test_json_escaped_and_url_encoded_forms_are_redacted() -> None:
    secret = 'pa"ss wo/rd&more'
    text = json.dumps({"password": secret}) + " " + urllib.parse.quote(secret, safe="")
    assert secret not in redact(text, [secret])
    assert REDACTED in redact(text, [secret])
    assert 'pa\\"ss' not in redact(text, [secret])
    assert "pa%22ss" not in redact(text, [secret])


def test_longer_secret_is_removed_whole_even_if_it_contains_a_shorter_one() -> None:
    assert redact("X longpassword-with-suffix Y", ["longpassword", "longpassword-with-suffix"]) == (
        f"X {REDACTED} Y"
    )


@given(
    # "[" and "]" excluded: a secret made of the marker's own characters could re-form around it.
    secret=st.text(st.characters(blacklist_characters="[]"), min_size=8, max_size=40),
    before=st.text(max_size=20),
    after=st.text(max_size=20),
)
def test_a_long_known_secret_never_survives(secret: str, before: str, after: str) -> None:
    assert secret not in redact(before + secret + after, [secret])


def test_known_secrets_set_is_bounded_and_repr_hides_values() -> None:
    known = KnownSecrets(limit=2)
    for value in ("first-secret-value", "second-secret-value", "third-secret-value"):
        known.add(SecretStr(value))
    known.add(None)
    known.add("")
    assert len(known) == 2
    assert "secret" not in repr(known)
    assert known.redact("third-secret-value") == REDACTED
    assert known.redact("first-secret-value") == "first-secret-value"  # the oldest was dropped


def test_credentials_are_never_dropped_however_many_keys_follow() -> None:
    known = KnownSecrets(limit=2)
    known.add("signing-password-value", credential=True)
    for n in range(50):
        known.add(f"full-key-number-{n:04d}")
    assert known.redact("pw: signing-password-value") == f"pw: {REDACTED}"


def test_settings_never_show_their_credential() -> None:
    """The resolved settings (read in every provider process) print no credential, however
    they are printed, and redact() still knows the value."""
    from firmtrace_pulumi.config import resolve_settings

    settings = resolve_settings(
        {"firmtrace:password": "hunter2-long-enough", "firmtrace:email": "a@b.example"}, {}
    )
    shown = [
        repr(settings),
        str(settings),
        f"{settings.secret}",
        repr(settings.secret),
        f"{settings!r:}",
    ]
    assert not any("hunter2" in text for text in shown), shown
    assert settings.secret.get_secret_value() == "hunter2-long-enough"
    assert redact("was hunter2-long-enough", [settings.secret]) == f"was {REDACTED}"
