/**
 * The principal of a CloudTrail record, from its `userIdentity`, exactly as
 * `doc/summary-rules.md` defines it. Never throws and never drops a record:
 * identities that fit no rule get the fallback described there.
 */

/** A principal, and whether the spec's table recognised the identity. */
export interface PrincipalResult {
  principal: string;
  /** False when the fallback was used (the identity fitted no rule). */
  recognized: boolean;
}

type Fields = Readonly<Record<string, unknown>>;

/** A non-empty string field, else undefined: absent, null, empty and non-strings all read as missing. */
function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function objectOf(value: unknown): Fields | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? value as Fields : undefined;
}

function lastSegment(arn: string): string {
  const segments = arn.split("/");
  return segments[segments.length - 1]!;
}

/** The second-last `/` segment, or undefined when the ARN has only one. */
function secondLastSegment(arn: string): string | undefined {
  const segments = arn.split("/");
  return segments.length >= 2 ? segments[segments.length - 2] : undefined;
}

/** The account of `userIdentity`, or of its ARN when `accountId` is missing (fallback only). */
function accountOf(identity: Fields, arnAccount: boolean): string | undefined {
  const account = text(identity.accountId);
  if (account !== undefined || !arnAccount) return account;
  const arn = text(identity.arn);
  return arn === undefined ? undefined : text(arn.split(":")[4]);
}

/** The IdentityCenterUser form, or undefined when `onBehalfOf` lacks a field. */
function identityCenterUser(identity: Fields, account: string | undefined): string | undefined {
  const onBehalfOf = objectOf(identity.onBehalfOf);
  const storeArn = text(onBehalfOf?.identityStoreArn);
  const userId = text(onBehalfOf?.userId);
  if (account === undefined || storeArn === undefined || userId === undefined) return undefined;
  return `${account}:identitycenteruser/${lastSegment(storeArn)}/${userId}`;
}

const ASSUMED_ROLE_MARKER = ":assumed-role/";

/**
 * The role name of an `…:assumed-role/<role>/<session>` ARN: the segment right after `assumed-role/`, so an ARN
 * without its session part still names its role instead of merging with others. Undefined when that segment is empty.
 */
function assumedRoleName(arn: string): string | undefined {
  const afterMarker = arn.slice(arn.indexOf(ASSUMED_ROLE_MARKER) + ASSUMED_ROLE_MARKER.length);
  return text(afterMarker.split("/")[0]);
}

/** The role principal of an AssumedRole-style ARN, or undefined when it is not a role ARN. */
function rolePrincipal(arn: string, account: string): string | undefined {
  if (arn.includes(ASSUMED_ROLE_MARKER)) {
    const role = assumedRoleName(arn);
    return role === undefined ? undefined : `${account}:role/${role}`;
  }
  if (arn.includes(":role/")) return `${account}:role/${lastSegment(arn)}`;
  return undefined;
}

/** The spec's `Unknown` rule on the ARN; undefined when the ARN says nothing. */
function principalFromArn(arn: string | undefined, account: string | undefined): string | undefined {
  if (arn === undefined || account === undefined) return undefined;
  if (arn.endsWith(":root")) return `${account}:root`;
  if (arn.includes(":user/") || arn.includes(":federated-user/")) return `${account}:user/${lastSegment(arn)}`;
  return rolePrincipal(arn, account);
}

/** The principal per the spec's table, or undefined when the identity does not fit its type's rule. */
function principalByType(identity: Fields, type: unknown): string | undefined {
  const account = accountOf(identity, false);
  const invokedBy = text(identity.invokedBy);
  const issuer = objectOf(objectOf(identity.sessionContext)?.sessionIssuer);
  switch (type) {
    case undefined:
      return invokedBy ?? account;
    case "IAMUser": {
      const userName = text(identity.userName);
      return account === undefined || userName === undefined ? undefined : `${account}:user/${userName}`;
    }
    case "AssumedRole": {
      const arn = text(issuer?.arn) ?? text(identity.arn);
      return account === undefined || arn === undefined ? undefined : rolePrincipal(arn, account);
    }
    case "Root":
      return account === undefined ? undefined : `${account}:root`;
    case "AWSAccount":
      return invokedBy ?? account;
    case "AWSService":
      return invokedBy;
    case "FederatedUser": {
      if (account === undefined) return undefined;
      if (issuer?.type === "Root") return `${account}:root`;
      const issuerArn = text(issuer?.arn);
      return issuerArn === undefined ? undefined : `${account}:user/${lastSegment(issuerArn)}`;
    }
    case "IdentityCenterUser":
      return identityCenterUser(identity, account);
    case "WebIdentityUser": {
      const principalId = text(identity.principalId);
      if (principalId === undefined) return account;
      const slash = principalId.indexOf("/");
      return slash < 0 ? undefined : `oidc:${principalId.slice(slash + 1)}`;
    }
    case "SAMLUser": {
      const principalId = text(identity.principalId);
      return principalId === undefined ? undefined : `saml:${principalId}`;
    }
    case "Directory": {
      const arn = text(identity.arn);
      const directory = arn === undefined ? undefined : secondLastSegment(arn);
      return account === undefined || arn === undefined || directory === undefined
        ? undefined
        : `${account}:ds/${directory}/${lastSegment(arn)}`;
    }
    case "Unknown":
      return principalFromArn(text(identity.arn), account) ?? identityCenterUser(identity, account) ?? account ??
        "Unknown";
    default:
      return undefined;
  }
}

/**
 * The fallback for identities that fit no rule: the `Unknown` rule on whatever
 * fields there are (the account taken from the ARN when `accountId` is missing),
 * then `invokedBy`, then `principalId`, then the type string, then `Unknown`.
 */
function fallbackPrincipal(identity: Fields, type: unknown): string {
  const account = accountOf(identity, true);
  return principalFromArn(text(identity.arn), account) ?? identityCenterUser(identity, account) ??
    text(identity.accountId) ?? text(identity.invokedBy) ?? text(identity.principalId) ?? text(type) ?? "Unknown";
}

/**
 * The principal of a record's `userIdentity`.
 * @param userIdentity the record's `userIdentity` value, of any shape
 * @example
 * ```ts
 * principalOf({ type: "IAMUser", accountId: "112233445566", userName: "alice" });
 * // { principal: "112233445566:user/alice", recognized: true }
 * ```
 */
export function principalOf(userIdentity: unknown): PrincipalResult {
  const identity = objectOf(userIdentity) ?? {};
  const type = identity.type;
  const principal = principalByType(identity, type);
  if (principal !== undefined) return { principal, recognized: true };
  return { principal: fallbackPrincipal(identity, type), recognized: false };
}
