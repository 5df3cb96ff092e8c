"""The engine rules: what the Pulumi engine does around a provider's calls, and nothing more.

The real engine (``tests/e2e``, the Pulumi CLI) is the ground truth; this small class stands in
for its step generator, provider plugin client and state only where the CLI cannot give what a
test needs: exact fault timing (tests/faults), speed (benchmarks), fine-grained protocol checks.
Where the two disagree, the engine wins and the rule here is fixed. Each rule names the engine
code it follows
(pulumi/pulumi, ``pkg/resource/deploy/step_generator.go`` "sg", ``pkg/resource/plugin/
provider_plugin.go`` "pp", ``sdk/python/lib/pulumi/dynamic/__main__.py`` "dyn"):

R1  Secrets are stripped (sent as plain values) to a provider that answered Configure with
    acceptSecrets=False, as the Python dynamic provider does (pp: MarshalOptions{KeepSecrets:
    p.acceptSecrets}; dyn: Configure returns acceptSecrets False).
R2  Check gets the old *inputs* and the new inputs (sg: prov.Check(urn, oldInputs, inputs)).
R3  Diff gets the old *outputs* as ``olds`` plus the old inputs (sg: diffResource calls
    prov.Diff(urn, id, oldInputs, oldOutputs, newInputs); dyn reads ``request.olds``).
R4  A DIFF_UNKNOWN answer falls back to comparing old inputs with new inputs
    (sg: diffResource, ``if diff.Changes == plugin.DiffUnknown``).
R5  A preview does not call Create or Update on a provider that does not support previews;
    the new inputs stand in for the outputs (pp: ``if preview && (... !p.supportsPreview``).
R6  Outputs are marked secret when named in additionalSecretOutputs (resource monitor), or
    when an input of the same name was secret (pp Create/Update: annotateSecrets(outs, news));
    on Read, when the same output was secret in the old state (pp Read: annotateSecrets(newState,
    state)); checked inputs keep the secret bit of the inputs (pp Check: annotateSecrets).
R7  A replacement re-runs Check without the old inputs (sg: "if we are going to replace, we
    need to re-run check without the old inputs", so an auto-named resource gets a new name),
    then creates the new resource before deleting the old one unless the provider asked for
    deleteBeforeReplace (sg: makeRegisterResourceSteps, replace steps). The engine also
    honours the resource option delete_before_replace; programs here never set it.
R8  A Read that answers an empty id means the resource is gone: refresh drops it from state
    (sg/refresh: RefreshStep with a nil new state deletes it).
R9  A Read that returns inputs replaces the stored inputs (pp Read: liveInputs).
R10 Delete gets the old outputs and old inputs (pp Delete).
R11 Configure gets every stack config value with its namespace (``firmtrace:token``), secrets
    wrapped (pulumi/pulumi#17229; dyn Configure unwraps them).
R12 Resources the program no longer registers are deleted after it ends, newest first.
R13 Independent resources are registered concurrently: the engine runs the steps of
    independent resources in parallel (``pulumi up --parallel``) and the Python dynamic provider
    serves four calls at a time (dyn: ``futures.ThreadPoolExecutor(max_workers=4)``). Opt in with
    ``Engine(..., parallel=True)``; by default registrations run one at a time, as before.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pulumi.runtime.proto import provider_pb2

from . import wire
from .provider_process import ProviderProcess

PROVIDER_KEY = "__provider"


class CheckFailed(Exception):
    def __init__(self, urn: str, failures: list[tuple[str, str]]) -> None:
        self.urn = urn
        self.failures = failures
        text = "; ".join(f"{p or '(resource)'}: {r}" for p, r in failures)
        super().__init__(f"{urn}: {text}")


@dataclass
class ResourceState:
    urn: str
    type: str
    id: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    additional_secret_outputs: list[str] = field(default_factory=list)


@dataclass
class Step:
    urn: str
    op: str  # create | update | replace | same | delete | refresh | gone


def _mark_secrets(
    outputs: dict[str, Any], like: dict[str, Any], names: list[str] | tuple[str, ...] = ()
) -> dict[str, Any]:
    """R6: wrap outputs named in ``names`` or secret in ``like``."""
    marked = {}
    for key, value in outputs.items():
        should = key in names or wire.is_secret(like.get(key))
        marked[key] = wire.secret(value) if should and not wire.is_secret(value) else value
    return marked


def _same(a: Any, b: Any) -> bool:
    return wire.strip_secrets(a) == wire.strip_secrets(b)


class Engine:
    """State of one stack plus the rules above, driving one provider process."""

    def __init__(
        self, provider: ProviderProcess, config: dict[str, Any], *, parallel: bool = False
    ) -> None:
        self.provider = provider
        self.config = config
        self.parallel = parallel
        self.state: dict[str, ResourceState] = {}
        self.steps: list[Step] = []
        self._lock = threading.RLock()
        self._urn_locks: dict[str, threading.Lock] = {}
        provider.configure(config)  # R11

    @contextlib.contextmanager
    def _registering(self, urn: str) -> Iterator[None]:
        """R13: one registration at a time, or (``parallel``) one at a time per resource."""
        if not self.parallel:
            with self._lock:
                yield
            return
        with self._lock:
            lock = self._urn_locks.setdefault(urn, threading.Lock())
        with lock:
            yield

    # --- one resource --------------------------------------------------------------------------

    def register(
        self,
        urn: str,
        type_: str,
        inputs: dict[str, Any],
        additional_secret_outputs: list[str] | tuple[str, ...] = (),
        *,
        preview: bool = False,
    ) -> tuple[str, dict[str, Any]]:
        """Bring one resource to its goal state; returns (id, outputs) as the program sees them."""
        with self._registering(urn):
            p = self.provider
            old = self.state.get(urn)
            old_inputs = old.inputs if old else {}
            checked, failures = p.check(  # R1, R2
                urn, wire.strip_secrets(old_inputs), wire.strip_secrets(inputs)
            )
            if failures:
                raise CheckFailed(urn, failures)
            checked = _mark_secrets(checked, inputs)  # R6 (Check)
            secret_names = list(additional_secret_outputs)

            if old is None:
                return self._create(urn, type_, checked, secret_names, preview, op="create")

            diff = p.diff(
                urn,
                old.id,
                wire.strip_secrets(old.outputs),
                wire.strip_secrets(checked),
                wire.strip_secrets(old.inputs),
            )  # R3
            changes = diff.changes
            if changes == provider_pb2.DiffResponse.DIFF_UNKNOWN:  # R4
                changes = (
                    provider_pb2.DiffResponse.DIFF_NONE
                    if _same(old.inputs, checked)
                    else provider_pb2.DiffResponse.DIFF_SOME
                )
            if changes == provider_pb2.DiffResponse.DIFF_NONE:
                self.steps.append(Step(urn, "same"))
                if not preview:
                    old.inputs = checked
                return old.id, old.outputs

            if list(diff.replaces):
                checked, failures = p.check(urn, {}, wire.strip_secrets(inputs))  # R7
                if failures:
                    raise CheckFailed(urn, failures)
                checked = _mark_secrets(checked, inputs)
                if preview:
                    self.steps.append(Step(urn, "replace"))
                    return "", checked  # R5
                if diff.deleteBeforeReplace:  # R7
                    self._delete(old, step=False)
                    return self._create(urn, type_, checked, secret_names, False, op="replace")
                new_id, outs = self._create(urn, type_, checked, secret_names, False, op="replace")
                self._delete(old, step=False)
                return new_id, outs

            self.steps.append(Step(urn, "update"))
            if preview:
                return old.id, checked  # R5
            outs = p.update(
                urn,
                old.id,
                wire.strip_secrets(old.outputs),
                wire.strip_secrets(checked),
                wire.strip_secrets(old.inputs),
            )
            outs = _mark_secrets(outs, checked, secret_names)  # R6
            self.state[urn] = ResourceState(urn, type_, old.id, checked, outs, secret_names)
            return old.id, outs

    def _create(
        self,
        urn: str,
        type_: str,
        checked: dict[str, Any],
        secret_names: list[str],
        preview: bool,
        *,
        op: str,
    ) -> tuple[str, dict[str, Any]]:
        self.steps.append(Step(urn, op))
        if preview:
            return "", checked  # R5
        id_, outs = self.provider.create(urn, wire.strip_secrets(checked))
        outs = _mark_secrets(outs, checked, secret_names)  # R6
        self.state[urn] = ResourceState(urn, type_, id_, checked, outs, secret_names)
        return id_, outs

    def _delete(self, res: ResourceState, *, step: bool = True) -> None:
        self.provider.delete(  # R10
            res.urn, res.id, wire.strip_secrets(res.outputs), wire.strip_secrets(res.inputs)
        )
        if step:  # the delete half of a replacement is part of its "replace" step
            self.steps.append(Step(res.urn, "delete"))

    # --- whole stack ---------------------------------------------------------------------------

    def delete_unregistered(self, registered: set[str], *, preview: bool = False) -> None:
        """R12."""
        with self._lock:
            for urn in reversed(list(self.state)):
                if urn in registered:
                    continue
                if preview:
                    self.steps.append(Step(urn, "delete"))
                    continue
                self._delete(self.state[urn])
                del self.state[urn]

    def refresh(self) -> None:
        with self._lock:
            for urn, res in list(self.state.items()):
                new_id, outs, inputs = self.provider.read(
                    urn, res.id, wire.strip_secrets(res.outputs), wire.strip_secrets(res.inputs)
                )
                if not new_id:  # R8
                    del self.state[urn]
                    self.steps.append(Step(urn, "gone"))
                    continue
                res.id = new_id
                res.outputs = _mark_secrets(outs, res.outputs)  # R6 (Read)
                if inputs is not None:  # R9
                    res.inputs = _mark_secrets(inputs, res.inputs)
                self.steps.append(Step(urn, "refresh"))

    def destroy(self) -> None:
        self.delete_unregistered(set())

    # --- what tests look at --------------------------------------------------------------------

    def outputs(self, urn_suffix: str) -> dict[str, Any]:
        """The state outputs of the resource whose URN ends with ``urn_suffix``."""
        matches = [r for u, r in self.state.items() if u.endswith(urn_suffix)]
        assert len(matches) == 1, f"{len(matches)} resources end with {urn_suffix!r}"
        return matches[0].outputs

    def take_steps(self) -> list[Step]:
        steps, self.steps = self.steps, []
        return steps
