"""The stack that uses a partner's API key. It reads the key from the onboarding stack's outputs
with a ``StackReference``, so the key goes from one stack's state to the other's as a secret and
never passes through a terminal, a file or a CI variable.

Config (namespace ``partner-integration``):

- ``onboardingStack``: the stack holding the key, ``<organization>/<project>/<stack>``; on a
  file backend (``pulumi login --local``, ``file://``) the organization is ``organization``:
  - ``organization/partner-onboarding/prod``: the one stack for every partner; set ``partner``
  - ``organization/partner-stacks/<id>``: a stack of ``stamp.py``, which holds one partner's
    key and nothing else; leave ``partner`` unset
- ``partner``: the partner's id in partners.yaml (``northwind-traders``)
"""

from typing import Any

import pulumi

config = pulumi.Config()
onboarding_stack = config.require("onboardingStack")
partner = config.get("partner")
onboarding = pulumi.StackReference(onboarding_stack)


def required(name: str, fix: str) -> pulumi.Output[Any]:
    """The onboarding stack's output ``name``, secret if it is a secret there; if the stack has
    no such output, one line saying so and ``fix``."""

    def present(value: Any) -> Any:
        if value is None:
            raise pulumi.RunError(f"{onboarding_stack} has no output {name!r}; {fix}.")
        return value

    return onboarding.get_output(name).apply(present)


def of_partner(by_partner: dict[str, Any]) -> Any:
    if partner not in by_partner:
        raise pulumi.RunError(
            f"{onboarding_stack} has no partner {partner!r} (it has {sorted(by_partner)}); "
            "set partner-integration:partner to one of them."
        )
    return by_partner[partner]


# Secret in, secret out: the onboarding stack exports the keys as secrets, so what is read here
# is a secret Output, and so is everything made from it.
if partner:
    fix = "for a stack of stamp.py (one partner's), leave partner-integration:partner unset"
    api_key = required("api_keys", fix).apply(of_partner)
    api_key_part = required("partners", fix).apply(of_partner)["api_key_part"]
else:
    fix = "for partner-onboarding's one stack, set partner-integration:partner to a partner's id"
    api_key = required("api_key", fix)
    api_key_part = required("api_key_part", fix)

# Hand api_key to what uses it, e.g. the partner's deployment as a secret environment variable
# (`kubernetes.core.v1.Secret(..., string_data={"FIRMTRACE_API_KEY": api_key})`).
pulumi.export("api_key", api_key)
pulumi.export("api_key_part", api_key_part)
