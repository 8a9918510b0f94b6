// A standards-conforming OpenID provider for the tests: panva's certified `oidc-provider`,
// configured from a JSON file (argv[2]) that the test harness writes:
//
//   {
//     "port": 43123,                      // listens on 127.0.0.1:<port>
//     "issuer": "http://127.0.0.1:43123", // the issuer (and the discovery document's base)
//     "jwks": {"keys": [<private JWK with kid, alg, use "sig">, ...]},
//     "clients": [{
//       "client_id": "...", "client_secret": "...",
//       "cchc_alg": "RS256" | "ES256",    // how this client's access tokens are signed
//       "cchc_ttl": 600,                  // their lifetime, seconds
//       "cchc_claims": {...},             // claims added to them (roles, agency code, ...)
//       "redirect_uris": [...],           // optional: a web client (authorization code + PKCE)
//       "post_logout_redirect_uris": [...]
//     }],
//     "accounts": [{                      // optional: people who sign in at the login page
//       "sub": "can-bo-760",              // the login name typed there (any password)
//       "claims": {"roles": [...], "agency_code": "760", "member_id": null,
//                  "name": "...", "preferred_username": "..."}
//     }]
//   }
//
// Machine clients get tokens from the client-credentials grant at the token endpoint; the
// `resource` parameter (RFC 8707) names the audience. Web clients use the authorization-code
// flow with PKCE: oidc-provider's development login page (any password for a configured
// account), consent given for them (a first-party client), an ID token with the account's
// claims, an access token for the resource with its roles and bindings, and RP-initiated
// logout at end_session_endpoint. The signing key is the first key of the key set that fits
// the client's algorithm, so a key rotation is a restart with a new key in front.
// For the local run and the tests only: no persistence.

import { readFileSync } from 'node:fs';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const clientsById = new Map(config.clients.map((c) => [c.client_id, c]));
const accountsById = new Map((config.accounts ?? []).map((a) => [a.sub, a]));
// What an account's tokens carry: in the ID token (scope profile) and in its access tokens.
const PERSON_CLAIMS = ['roles', 'agency_code', 'member_id', 'name', 'preferred_username'];
const ACCESS_CLAIMS = ['roles', 'agency_code', 'member_id'];

function defined(claims, names) {
  return Object.fromEntries(names.filter((n) => claims[n] != null).map((n) => [n, claims[n]]));
}

const provider = new Provider(config.issuer, {
  jwks: config.jwks,
  clients: config.clients.map((c) => (c.redirect_uris
    ? {
      client_id: c.client_id,
      client_secret: c.client_secret,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: c.redirect_uris,
      post_logout_redirect_uris: c.post_logout_redirect_uris ?? [],
      token_endpoint_auth_method: 'client_secret_post',
      id_token_signed_response_alg: c.cchc_alg ?? 'RS256',
    }
    : {
      client_id: c.client_id,
      client_secret: c.client_secret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_post',
    })),
  ttl: {
    ClientCredentials: (ctx, token) => token.resourceServer?.accessTokenTTL ?? 600,
    AccessToken: (ctx, token) => token.resourceServer?.accessTokenTTL ?? 600,
  },
  async findAccount(ctx, id) {
    const account = accountsById.get(id);
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, ...defined(account.claims ?? {}, PERSON_CLAIMS) };
      },
    };
  },
  claims: {
    openid: ['sub'],
    profile: PERSON_CLAIMS,
  },
  // The profile claims go into the ID token itself (the portal reads no userinfo).
  conformIdTokenClaims: false,
  // A first-party client: the person is not asked to consent to the platform's own portal.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid profile');
    grant.addResourceScope(ctx.oidc.params.resource ?? config.default_resource ?? 'urn:cchc:api', 'api');
    await grant.save();
    return grant;
  },
  pkce: { required: () => true },
  features: {
    clientCredentials: { enabled: true },
    // The development login page: a form with any password for a configured account.
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    introspection: { enabled: false },
    revocation: { enabled: false },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => config.default_resource ?? 'urn:cchc:api',
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, resourceIndicator, client) => {
        const c = clientsById.get(client.clientId);
        return {
          scope: 'api',
          audience: resourceIndicator,
          accessTokenTTL: c.cchc_ttl ?? 600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: c.cchc_alg ?? 'RS256' } },
        };
      },
    },
  },
  formats: {
    customizers: {
      jwt: (ctx, token, jwt) => {
        const c = clientsById.get(token.clientId);
        Object.assign(jwt.payload, c?.cchc_claims ?? {});
        // A person's access token carries their roles and bindings, as the services read them.
        const account = token.accountId ? accountsById.get(token.accountId) : undefined;
        if (account) Object.assign(jwt.payload, defined(account.claims ?? {}, ACCESS_CLAIMS));
      },
    },
  },
  enabledJWA: {
    clientAuthSigningAlgValues: ['RS256', 'ES256'],
  },
});
provider.proxy = false;

const server = provider.listen(config.port, '127.0.0.1', () => {
  process.stdout.write(`oidc-provider listening on ${config.issuer}\n`);
});

function stop() {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
