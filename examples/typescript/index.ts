// An Account for a partner's website and two API keys for it: one live, one pre-staged.
import * as pulumi from "@pulumi/pulumi";
import * as firmtrace from "@firmtrace/pulumi";

const config = new pulumi.Config();

// Deleting an Account is refused while deletionProtection is on (it holds visitor data):
// `pulumi config set deletionProtection false` and `pulumi up` before `pulumi destroy`.
const site = new firmtrace.Account("site", {
    name: "Fabrikam Shop",
    url: "https://shop.fabrikam.example",
    deletionProtection: config.getBoolean("deletionProtection") ?? true,
});

// Live until the contract ends.
const live = new firmtrace.ApiKey("live", {
    accountId: site.id,
    name: "fabrikam-live",
    endDate: "2099-12-31",
});

// Pre-staged: a past endDate creates it switched off. Move it forward to switch it on, in place.
const staged = new firmtrace.ApiKey("staged", {
    accountId: site.id,
    name: "fabrikam-staged",
    endDate: "2020-01-01",
});

export const accountId = site.id;
export const keys = {
    live: { keyPart: live.apiKeyPart, active: live.active },
    staged: { keyPart: staged.apiKeyPart, active: staged.active },
};
// The full key is a secret in the SDK's schema already; pulumi.secret says so here too.
export const liveKey = pulumi.secret(live.apiKey);
