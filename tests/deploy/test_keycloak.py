"""The identity provider of the deployment: the Keycloak realm imported by docker-compose
(deploy/keycloak/cchc-realm.json) against the code and the services' settings (roles, clients
and their flows, one demo user per role with its bindings, protocol mappers naming the claims
the services read, the audience), and the Kubernetes overlay's identity settings against
compose's."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml

from cchc_shared.auth import AuthSettings, Role
from cchc_shared.auth.claims import ClaimSettings, principal_from_claims
from cchc_shared.auth.oidc import is_oidc_issuer
from cchc_shared.contracts.vocabulary import PERSON_ROLES, ROLES
from cchc_shared.reference import get_agency

ROOT = Path(__file__).resolve().parents[2]
REALM_FILE = ROOT / "deploy" / "keycloak" / "cchc-realm.json"
COMPOSE = ROOT / "docker-compose.yml"
K8S = ROOT / "deploy" / "k8s"
IDENTITY = K8S / "overlays" / "example" / "identity.yaml"
ROSTER = ROOT / "services" / "scheduling" / "cchc_scheduling" / "data" / "default-roster.json"
IMPORT_DIR = "/opt/keycloak/data/import/"
PORTAL_PORT = 8000
IDENTITY_SETTINGS = (
    "CCHC_AUTH_ISSUER",
    "CCHC_AUTH_AUDIENCE",
    "CCHC_AUTH_ROLES_CLAIM",
    "CCHC_AUTH_AGENCY_CLAIM",
    "CCHC_AUTH_MEMBER_CLAIM",
)


@pytest.fixture(scope="module")
def realm() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(REALM_FILE.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return loaded


def default_of(value: str) -> str:
    """`${VAR:-default}` -> default; anything else unchanged."""
    match = re.fullmatch(r"\$\{[A-Z0-9_]+:-(.*)\}", value)
    return match.group(1) if match else value


@pytest.fixture(scope="module")
def service_auth(compose: dict[str, Any], services: tuple[str, ...]) -> dict[str, str]:
    """The CCHC_AUTH_* settings the compose services run with (the same for all four)."""
    seen = []
    for service in services:
        env = compose["services"][service]["environment"]
        seen.append({k: default_of(str(v)) for k, v in env.items() if k.startswith("CCHC_AUTH_")})
    assert all(auth == seen[0] for auth in seen), "every service has the same auth settings"
    return seen[0]


def client(realm: dict[str, Any], client_id: str) -> dict[str, Any]:
    [found] = [c for c in realm["clients"] if c["clientId"] == client_id]
    return found


def mappers(spec: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [m for m in spec.get("protocolMappers", []) if m["protocolMapper"] == kind]


def users(realm: dict[str, Any]) -> list[dict[str, Any]]:
    return [u for u in realm["users"] if "serviceAccountClientId" not in u]


def test_the_realm_roles_are_the_platforms_roles(realm: dict[str, Any]) -> None:
    names = [r["name"] for r in realm["roles"]["realm"]]
    assert sorted(names) == sorted(ROLES)
    assert all(r["description"] and not r.get("composite") for r in realm["roles"]["realm"])


def test_compose_runs_a_pinned_keycloak_importing_the_realm(compose: dict[str, Any]) -> None:
    keycloak = compose["services"]["keycloak"]
    image, _, tag = keycloak["image"].rpartition(":")
    assert image == "quay.io/keycloak/keycloak"
    assert re.fullmatch(r"\d+\.\d+\.\d+", tag), "a pinned release, not latest"
    assert (
        keycloak["command"][0] in ("start-dev", "start") and "--import-realm" in keycloak["command"]
    )
    mounts = {v.split(":")[0]: v.split(":")[1] for v in keycloak["volumes"]}
    target = mounts["./deploy/keycloak/cchc-realm.json"]
    assert target.startswith(IMPORT_DIR) and target.endswith(".json")
    assert "/health/ready" in " ".join(keycloak["healthcheck"]["test"])


def test_the_services_point_at_that_keycloak(
    compose: dict[str, Any], realm: dict[str, Any], service_auth: dict[str, str]
) -> None:
    keycloak = compose["services"]["keycloak"]
    hostname = keycloak["environment"]["KC_HOSTNAME"]
    # the issuer is what the browser-facing URL makes Keycloak write into `iss`
    assert service_auth["CCHC_AUTH_ISSUER"] == f"{hostname}/realms/{realm['realm']}"
    assert is_oidc_issuer(service_auth["CCHC_AUTH_ISSUER"])
    published = {p.split(":")[-2]: p.split(":")[-1] for p in keycloak["ports"]}
    assert urlparse(hostname).port is not None and str(urlparse(hostname).port) in published
    # the keys are fetched inside the compose network, from the container's own port
    jwks = urlparse(service_auth["CCHC_AUTH_JWKS_URL"])
    assert jwks.hostname == "keycloak" and str(jwks.port) == published[str(urlparse(hostname).port)]
    assert jwks.path == f"/realms/{realm['realm']}/protocol/openid-connect/certs"
    assert service_auth["CCHC_AUTH_ROLES_CLAIM"] == "realm_access.roles"
    assert "CCHC_AUTH_ROLE_MAP" not in service_auth, "the realm's roles carry the platform's names"
    # the realm's access tokens live within the services' limit
    limit = AuthSettings().max_token_lifetime.total_seconds()
    assert 0 < realm["accessTokenLifespan"] <= limit


def test_the_portal_client_signs_people_in_with_code_and_pkce(
    realm: dict[str, Any], service_auth: dict[str, str]
) -> None:
    portal = client(realm, "cchc-portal")
    assert portal["enabled"] and portal["protocol"] == "openid-connect"
    assert portal["standardFlowEnabled"] is True
    assert portal["implicitFlowEnabled"] is False and portal["directAccessGrantsEnabled"] is False
    assert portal["serviceAccountsEnabled"] is False
    assert portal["attributes"]["pkce.code.challenge.method"] == "S256"
    assert portal["redirectUris"]
    for uri in portal["redirectUris"]:
        parsed = urlparse(uri)
        assert parsed.hostname in ("localhost", "127.0.0.1") and parsed.port == PORTAL_PORT, uri
    # exactly the portal's callback and signed-out page, no wildcard (an open redirect)
    assert {urlparse(u).path for u in portal["redirectUris"]} == {"/auth/callback"}
    logout = portal["attributes"]["post.logout.redirect.uris"].split("##")
    assert {urlparse(u).path for u in logout} == {"/signed-out"}
    if not portal["publicClient"]:
        assert "DEVELOPMENT" in portal["secret"], "a marked development secret"
        portal_env = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["services"]["portal"]
        secret = default_of(str(portal_env["environment"]["CCHC_PORTAL_OIDC_CLIENT_SECRET"]))
        assert secret == portal["secret"], "compose gives the portal the realm's secret"


def test_the_platform_client_gets_the_platform_role_by_client_credentials(
    realm: dict[str, Any],
) -> None:
    platform = client(realm, "cchc-platform-example")
    assert platform["serviceAccountsEnabled"] is True and platform["publicClient"] is False
    assert (
        platform["standardFlowEnabled"] is False and platform["directAccessGrantsEnabled"] is False
    )
    assert "DEVELOPMENT" in platform["secret"]
    [account] = [
        u for u in realm["users"] if u.get("serviceAccountClientId") == "cchc-platform-example"
    ]
    assert account["username"] == "service-account-cchc-platform-example"
    assert account["realmRoles"] == [Role.PLATFORM.value], "held alone, as the services require"
    assert not account.get("attributes"), "a platform is bound to no agency or member"


def test_audience_mapper_on_every_client_puts_the_services_audience(
    realm: dict[str, Any], service_auth: dict[str, str]
) -> None:
    for spec in realm["clients"]:
        [audience] = mappers(spec, "oidc-audience-mapper")
        assert audience["config"]["included.custom.audience"] == service_auth["CCHC_AUTH_AUDIENCE"]
        assert audience["config"]["access.token.claim"] == "true", spec["clientId"]


def test_binding_mappers_name_the_claims_the_services_read(
    realm: dict[str, Any], service_auth: dict[str, str]
) -> None:
    portal = client(realm, "cchc-portal")
    found = {
        m["config"]["user.attribute"]: m["config"]
        for m in mappers(portal, "oidc-usermodel-attribute-mapper")
    }
    for attribute, setting in (
        ("agency_code", "CCHC_AUTH_AGENCY_CLAIM"),
        ("member_id", "CCHC_AUTH_MEMBER_CLAIM"),
    ):
        config = found[attribute]
        assert config["claim.name"] == service_auth[setting], attribute
        assert config["access.token.claim"] == "true" and config["multivalued"] == "false"
    # Keycloak keeps only the attributes its user profile declares
    [profile] = realm["components"]["org.keycloak.userprofile.UserProfileProvider"]
    declared = json.loads(profile["config"]["kc.user.profile.config"][0])
    names = {a["name"] for a in declared["attributes"]}
    assert {"agency_code", "member_id"} <= names


def test_one_demo_user_per_person_role_with_its_bindings(realm: dict[str, Any]) -> None:
    members = json.loads(ROSTER.read_text(encoding="utf-8"))["members"]
    roster = {m["member_id"] for m in members}
    by_role: dict[str, dict[str, Any]] = {}
    for user in users(realm):
        [role] = user["realmRoles"]
        assert role not in by_role, f"two demo users for {role}"
        by_role[role] = user
        attributes = user.get("attributes", {})
        assert user["enabled"] and user["firstName"] and user["lastName"]
        [credential] = user["credentials"]
        assert credential["type"] == "password" and credential["temporary"] is False
        if role == Role.AGENCY_SUBMITTER:
            [agency] = attributes["agency_code"]
            assert get_agency(agency) is not None, agency
        else:
            assert "agency_code" not in attributes, user["username"]
        if role == Role.SURVEYOR:
            [member] = attributes["member_id"]
            assert member in roster, "the surveyor is on scheduling's default roster"
        else:
            assert "member_id" not in attributes, user["username"]
    assert sorted(by_role) == sorted(PERSON_ROLES)


def keycloak_claims(user: dict[str, Any], realm: dict[str, Any]) -> dict[str, Any]:
    """The claims the portal client's mappers put into this user's access token."""
    claims: dict[str, Any] = {
        "sub": f"kc-{user['username']}",
        "realm_access": {"roles": [*user["realmRoles"], f"default-roles-{realm['realm']}"]},
    }
    for mapper in mappers(client(realm, "cchc-portal"), "oidc-usermodel-attribute-mapper"):
        values = user.get("attributes", {}).get(mapper["config"]["user.attribute"])
        if values:
            claims[mapper["config"]["claim.name"]] = values[0]
    return claims


def test_each_demo_users_token_gives_the_services_that_role_and_binding(
    realm: dict[str, Any], service_auth: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in service_auth.items():
        monkeypatch.setenv(name, value)
    settings = ClaimSettings()
    for user in users(realm):
        principal = principal_from_claims(keycloak_claims(user, realm), settings)
        assert principal.roles == {Role(user["realmRoles"][0])}, user["username"]
        attributes = user.get("attributes", {})
        assert principal.agency_code == (attributes.get("agency_code") or [None])[0]
        assert principal.member_id == (attributes.get("member_id") or [None])[0]
    account = {"sub": "sa-1", "realm_access": {"roles": ["platform", "default-roles-cchc"]}}
    assert principal_from_claims(account, settings).is_machine


def test_the_overlay_points_every_service_at_the_citys_provider(
    service_auth: dict[str, str], service_env: Any, services: tuple[str, ...]
) -> None:
    [config_map] = [d for d in yaml.safe_load_all(IDENTITY.read_text(encoding="utf-8")) if d]
    assert config_map["kind"] == "ConfigMap" and config_map["metadata"]["name"] == "cchc-identity"
    data = config_map["data"]
    for service in services:
        unknown = set(data) - service_env(service)
        assert not unknown, f"{service}: variables no setting reads: {sorted(unknown)}"
    assert data["CCHC_AUTH_ISSUER"].startswith("https://"), "production speaks TLS to the provider"
    # the same claim shapes as the compose realm: a city Keycloak configured like it works
    for name in IDENTITY_SETTINGS[1:]:
        assert data[name] == service_auth[name], name
    role_map = ClaimSettings(role_map=json.loads(data["CCHC_AUTH_ROLE_MAP"])).role_map
    assert sorted(role_map.values()) == sorted(Role), "every role has the provider's name"
    kustomization = yaml.safe_load((IDENTITY.parent / "kustomization.yaml").read_text("utf-8"))
    assert IDENTITY.name in kustomization["resources"]
    for service in services:
        pods = [
            yaml.safe_load((K8S / "base" / service / f"{kind}.yaml").read_text("utf-8"))["spec"][
                "template"
            ]["spec"]
            for kind in ("deployment", "migrate-job")
        ]
        for container in [c for spec in pods for c in spec["containers"]]:
            refs = [s["configMapRef"] for s in container["envFrom"]]
            assert {"name": "cchc-identity"} in refs, (service, container["name"])
