"""A rotating API key for one integration: ``RotatingApiKey`` driven by stack config.

Config (namespace ``key-rotation``):

- ``rotations`` (required, a list): the days a new key takes over, oldest first, e.g.
  ``["2026-01-01"]``. Append a day to rotate then (today: rotate now). Entries may be
  ``{"date": "2026-07-01", "period_days": 30}`` to change the period from that day on.
- ``periodDays``: also rotate every this many days after each listed day (optional).
- ``leadDays`` / ``overlapDays`` / ``graceDays`` (default 7 each): mint the next key that many
  days early; keep a superseded key working that long; keep it disabled that long before
  deleting it.
- ``accountId``: the Account (not needed when the provider signs in with an API key).
- ``today`` (YYYY-MM-DD): plan for another day, to preview a rotation (default: UTC today).
"""

import pulumi

from firmtrace_pulumi.components import RotatingApiKey

config = pulumi.Config()

key = RotatingApiKey(
    "warehouse-sync",
    account_id=config.get("accountId"),
    rotations=config.require_object("rotations"),
    period_days=config.get_int("periodDays"),
    lead_days=config.get_int("leadDays", 7),
    overlap_days=config.get_int("overlapDays", 7),
    grace_days=config.get_int("graceDays", 7),
    today=config.get("today"),
)

pulumi.export("api_key", key.api_key)  # secret: the key consumers use today
pulumi.export("api_key_part", key.api_key_part)
pulumi.export("next_api_key", key.next_api_key)  # secret: the next key, once minted
pulumi.export("current_since", key.current_since)
pulumi.export("rotates_on", key.rotates_on)
pulumi.export("keys", key.keys)  # per generation: role, api_key_part, end_date, active
