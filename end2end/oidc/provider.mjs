// A real OpenID Connect provider for the sign-in tests: the `oidc-provider` package
// (certified by the OpenID Foundation), with its development login form, which accepts
// any login and password. The login is the account: `ada.lovelace` signs in with the
// email ada.lovelace@northwind.example, which is how the demo catalog knows her.
//
//   node oidc/provider.mjs PORT REDIRECT_URI [REDIRECT_URI…]
//
// Client `portico`, secret `portico-test-secret`. Consent is not asked: the portal is a
// first-party client, granted the scopes it asks for.
import { generateKeyPairSync } from "node:crypto";
import Provider from "oidc-provider";

const [port, ...redirects] = process.argv.slice(2);
if (!port || redirects.length === 0) {
  console.error("usage: node oidc/provider.mjs PORT REDIRECT_URI [REDIRECT_URI…]");
  process.exit(2);
}

// A signing key of this run's own: nothing secret is kept in the repository.
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const signing = { ...privateKey.export({ format: "jwk" }), kid: "test-key", alg: "RS256", use: "sig" };

const issuer = `http://127.0.0.1:${port}`;
const provider = new Provider(issuer, {
  clients: [
    {
      client_id: "portico",
      client_secret: "portico-test-secret",
      redirect_uris: redirects,
      grant_types: ["authorization_code"],
      response_types: ["code"],
    },
  ],
  jwks: { keys: [signing] },
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  async findAccount(_ctx, id) {
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          email: `${id}@northwind.example`,
          email_verified: true,
          name: id.replace(/[._]/g, " "),
        };
      },
    };
  },
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope("openid email profile");
    await grant.save();
    return grant;
  },
});

// Plain HTTP on loopback: tell it so, or it refuses to set its cookies.
provider.proxy = false;
provider.listen(Number(port), "127.0.0.1", () => {
  console.log(`oidc-provider ready at ${issuer}`);
});
