"""The quickstart program: a partner site's Account with a live and a pre-staged API key.

Config (namespace ``firmtrace-quickstart``, all optional):

- ``partnerName`` (``Northwind Traders``), ``partnerUrl`` (``https://northwind.example``): the
  partner site's Account.
- ``stagedEndDate`` (``2020-01-01``, in the past: the key is pre-staged, inactive): a future date,
  or ``none``, switches the staged key on in place; a past date switches it off again.
- ``deletionProtection`` (``true``): ``make down`` sets it to false before destroying.

Provider config: ``firmtrace:apiUrl`` and ``firmtrace:token`` (set by ``make up``).
"""

import pulumi

from firmtrace_pulumi import Account, ApiKey

PRE_STAGED = "2020-01-01"

config = pulumi.Config()
staged_end_date = config.get("stagedEndDate") or PRE_STAGED

site = Account(
    "partner-site",
    name=config.get("partnerName") or "Northwind Traders",
    url=config.get("partnerUrl") or "https://northwind.example",
    deletion_protection=config.get_bool("deletionProtection", True),
)
live = ApiKey("live", account_id=site.account_id)
staged = ApiKey(
    "staged",
    account_id=site.account_id,
    end_date=None if staged_end_date.lower() == "none" else staged_end_date,
)

pulumi.export("account_id", site.account_id)
pulumi.export("api_key_parts", {"live": live.api_key_part, "staged": staged.api_key_part})
pulumi.export("active", {"live": live.active, "staged": staged.active})
pulumi.export("staged_end_date", staged.end_date)
pulumi.export("live_api_key", live.api_key)  # a secret: `pulumi stack output --show-secrets`
pulumi.export("staged_api_key", staged.api_key)  # a secret too: hand it over before go-live
