"""GitOps onboarding: one Account and one API key for every partner in ``partners.yaml``.

Config (namespace ``partner-onboarding``, optional): ``partnersFile`` (default ``partners.yaml``
next to this program) and ``today`` (YYYY-MM-DD: preview what a given day's run does).
"""

from pathlib import Path

import pulumi
from onboarding import load_partners, onboard, today_from

config = pulumi.Config()
partners_file = Path(__file__).parent / (config.get("partnersFile") or "partners.yaml")
today = today_from(config)

summary = {}
api_keys = {}
for partner in load_partners(partners_file):
    summary[partner.id], api_keys[partner.id] = onboard(partner, today)

pulumi.export("partners", summary)
pulumi.export("api_keys", pulumi.Output.secret(api_keys))  # id -> full key, one secret map
