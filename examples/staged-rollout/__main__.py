"""A partner's API key, rolled out by its end_date alone: pre-staged, live, retired.

Config (namespace ``staged-rollout``):

- ``endDate`` (default ``2020-01-01``): the key's end_date. A past date pre-stages the key
  (it exists, inactive); a future date, or ``none``, switches it on; a past date again retires
  it. Each change is one in-place update of the same key: the partner's copy stays valid.
- ``accountId``: the partner's Account (not needed when the provider signs in with an API key).
- ``keyName`` (default ``acme-integration``): the key's name in Firmtrace.
"""

import pulumi

from firmtrace_pulumi import ApiKey

config = pulumi.Config()
end_date = config.get("endDate") or "2020-01-01"

key = ApiKey(
    "partner-key",
    account_id=config.get("accountId"),
    name=config.get("keyName") or "acme-integration",
    end_date=None if end_date.lower() == "none" else end_date,
)

pulumi.export("api_key_part", key.api_key_part)
pulumi.export("active", key.active)
pulumi.export("end_date", key.end_date)
pulumi.export("api_key", key.api_key)  # secret: hand it to the partner before go-live
