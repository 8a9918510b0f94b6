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
//       "cchc_claims": {...}              // claims added to them (roles, agency code, ...)
//     }]
//   }
//
// Tokens come from the client-credentials grant at the token endpoint; the `resource`
// parameter (RFC 8707) names the audience. The signing key is the first key of the key set
// that fits the client's algorithm, so a key rotation is a restart with a new key in front.
// For the local run and the tests only: no persistence, no interactive sign-in.

import { readFileSync } from 'node:fs';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const clientsById = new Map(config.clients.map((c) => [c.client_id, c]));

const provider = new Provider(config.issuer, {
  jwks: config.jwks,
  clients: config.clients.map((c) => ({
    client_id: c.client_id,
    client_secret: c.client_secret,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_post',
  })),
  ttl: {
    ClientCredentials: (ctx, token) => token.resourceServer?.accessTokenTTL ?? 600,
  },
  features: {
    clientCredentials: { enabled: true },
    devInteractions: { enabled: false },
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
