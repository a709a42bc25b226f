/**
 * An independent reference for the summary, written straight from
 * doc/summary-rules.md in a different shape from src/summary (one rule
 * table, no shared code), so that end-to-end tests compare the CLI's counts with
 * expectations that were not computed by the code under test.
 */

type Json = Record<string, unknown>;
type Section = Record<string, Record<string, number>>;

/** The five sections as the spec defines them. */
export interface ReferenceSections {
  api_calls_by_principal: Section;
  api_calls_by_region: Section;
  error_codes_by_principal: Section;
  ip_addresses_by_principal: Section;
  user_agents_by_principal: Section;
}

const str = (value: unknown): string | null => (typeof value === "string" && value.length > 0 ? value : null);
const obj = (value: unknown): Json | null =>
  value !== null && typeof value === "object" && !Array.isArray(value) ? value as Json : null;
const parts = (arn: string) => arn.split("/");
const last = (arn: string) => parts(arn).at(-1)!;
const secondLast = (arn: string) => (parts(arn).length > 1 ? parts(arn).at(-2)! : null);
/** The segment right after `assumed-role/` (a regular expression here, string slicing in src). */
const assumedRole = (arn: string) => /:assumed-role\/([^/]+)/.exec(arn)?.[1] ?? null;

function viaArn(acct: string | null, arn: string | null): string | null {
  if (!acct || !arn) return null;
  if (arn.endsWith(":root")) return acct + ":root";
  if (/:(user|federated-user)\//.test(arn)) return acct + ":user/" + last(arn);
  if (arn.includes(":assumed-role/")) return assumedRole(arn) === null ? null : acct + ":role/" + assumedRole(arn);
  if (arn.includes(":role/")) return acct + ":role/" + last(arn);
  return null;
}

function viaOnBehalfOf(acct: string | null, identity: Json): string | null {
  const onBehalfOf = obj(identity.onBehalfOf);
  const store = str(onBehalfOf?.identityStoreArn);
  const user = str(onBehalfOf?.userId);
  return acct && store && user ? `${acct}:identitycenteruser/${last(store)}/${user}` : null;
}

/** The rule table: type → producer (null means "does not fit"). */
const RULES: Record<string, (identity: Json, acct: string | null) => string | null> = {
  "": (identity, acct) => str(identity.invokedBy) ?? acct,
  IAMUser: (identity, acct) => (acct && str(identity.userName) ? `${acct}:user/${identity.userName}` : null),
  AssumedRole: (identity, acct) => {
    const issuerArn = str(obj(obj(identity.sessionContext)?.sessionIssuer)?.arn);
    const arn = issuerArn ?? str(identity.arn);
    if (!acct || !arn) return null;
    if (arn.includes(":assumed-role/")) return assumedRole(arn) === null ? null : `${acct}:role/${assumedRole(arn)}`;
    return arn.includes(":role/") ? `${acct}:role/${last(arn)}` : null;
  },
  Root: (_identity, acct) => (acct ? `${acct}:root` : null),
  AWSAccount: (identity, acct) => str(identity.invokedBy) ?? acct,
  AWSService: (identity) => str(identity.invokedBy),
  FederatedUser: (identity, acct) => {
    const issuer = obj(obj(identity.sessionContext)?.sessionIssuer);
    if (!acct) return null;
    if (issuer?.type === "Root") return `${acct}:root`;
    return str(issuer?.arn) ? `${acct}:user/${last(issuer!.arn as string)}` : null;
  },
  IdentityCenterUser: (identity, acct) => viaOnBehalfOf(acct, identity),
  WebIdentityUser: (identity, acct) => {
    const principalId = str(identity.principalId);
    if (!principalId) return acct;
    return principalId.includes("/") ? "oidc:" + principalId.substring(principalId.indexOf("/") + 1) : null;
  },
  SAMLUser: (identity) => (str(identity.principalId) ? `saml:${identity.principalId}` : null),
  Directory: (identity, acct) => {
    const arn = str(identity.arn);
    return acct && arn && secondLast(arn) !== null ? `${acct}:ds/${secondLast(arn)}/${last(arn)}` : null;
  },
  Unknown: (identity, acct) => viaArn(acct, str(identity.arn)) ?? viaOnBehalfOf(acct, identity) ?? acct ?? "Unknown",
};

/** The spec's principal, with the "do better" fallback; `recognized` false when the fallback was used. */
export function referencePrincipal(userIdentity: unknown): { principal: string; recognized: boolean } {
  const identity = obj(userIdentity) ?? {};
  const type = identity.type === undefined || identity.type === null ? "" : identity.type;
  const acct = str(identity.accountId);
  const rule = typeof type === "string" && Object.hasOwn(RULES, type) ? RULES[type]! : undefined;
  const principal = rule ? rule(identity, acct) : null;
  if (principal !== null) return { principal, recognized: true };
  const arn = str(identity.arn);
  const arnAccount = acct ?? (arn ? str(arn.split(":")[4]) : null);
  return {
    principal: viaArn(arnAccount, arn) ?? viaOnBehalfOf(arnAccount, identity) ?? acct ??
      str(identity.invokedBy) ?? str(identity.principalId) ?? str(type) ?? "Unknown",
    recognized: false,
  };
}

const field = (value: unknown) => (typeof value === "string" ? value : "Unknown");
const has = (value: unknown) => value !== undefined && value !== null;

/** Counts records the way the spec says, for the given activity type. */
export function referenceSections(
  records: Iterable<{ record: Json; region: string }>,
  activityType: "ALL" | "SUCCESSFUL" | "FAILED" = "ALL",
): ReferenceSections {
  const sections: ReferenceSections = {
    api_calls_by_principal: {},
    api_calls_by_region: {},
    error_codes_by_principal: {},
    ip_addresses_by_principal: {},
    user_agents_by_principal: {},
  };
  const bump = (section: Section, key: string, subKey: string) => {
    if (!Object.hasOwn(section, key)) {
      Object.defineProperty(section, key, { value: {}, enumerable: true, writable: true });
    }
    const inner = section[key]!;
    const next = (Object.hasOwn(inner, subKey) ? inner[subKey]! : 0) + 1;
    Object.defineProperty(inner, subKey, { value: next, enumerable: true, writable: true, configurable: true });
  };
  for (const { record, region } of records) {
    const response = obj(record.responseElements);
    const failed = has(record.errorCode) || has(record.errorMessage) ||
      (response !== null && (has(response.errorCode) || has(response.errorMessage)));
    if (activityType === "SUCCESSFUL" && failed) continue;
    if (activityType === "FAILED" && !failed) continue;
    const source = field(record.eventSource);
    const call = `${source}:${field(record.eventName)}`;
    const { principal } = referencePrincipal(record.userIdentity);
    bump(sections.api_calls_by_principal, principal, call);
    bump(sections.api_calls_by_region, region, call);
    const code = has(record.errorCode)
      ? record.errorCode
      : response && has(response.errorCode)
      ? response.errorCode
      : undefined;
    if (code !== undefined) bump(sections.error_codes_by_principal, principal, `${source}:${field(code)}`);
    bump(sections.ip_addresses_by_principal, principal, field(record.sourceIPAddress));
    bump(sections.user_agents_by_principal, principal, field(record.userAgent));
  }
  return sections;
}
