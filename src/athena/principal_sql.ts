/**
 * The principal of a record as SQL over the Athena table's `useridentity` struct: the same
 * rules as src/summary/principal.ts (doc/summary-rules.md), rule by rule, fallback included. Pure.
 */
import { contains, lastSegment, literal, secondLastSegment } from "./sql.ts";

/**
 * The identity fields the rules read, as columns of the inner query. Empty strings read as
 * missing, as `text()` does in principal.ts.
 */
export const IDENTITY_COLUMNS: Readonly<Record<string, string>> = {
  identity_type: "useridentity.type",
  account: "nullif(useridentity.accountid, '')",
  arn: "nullif(useridentity.arn, '')",
  invoked_by: "nullif(useridentity.invokedby, '')",
  principal_id: "nullif(useridentity.principalid, '')",
  user_name: "nullif(useridentity.username, '')",
  issuer_type: "useridentity.sessioncontext.sessionissuer.type",
  issuer_arn: "nullif(useridentity.sessioncontext.sessionissuer.arn, '')",
  store_arn: "nullif(useridentity.onbehalfof.identitystorearn, '')",
  user_id: "nullif(useridentity.onbehalfof.userid, '')",
  // The fallback's account: `accountId`, else the ARN's fifth `:` field.
  fallback_account:
    "coalesce(nullif(useridentity.accountid, ''), nullif(split_part(nullif(useridentity.arn, ''), ':', 5), ''))",
};

const ASSUMED_ROLE_MARKER = ":assumed-role/";

/** `<account>:role/<name>` of a role or assumed-role ARN; NULL when it is neither (or a part is missing). */
function rolePrincipal(arn: string, account: string): string {
  const afterMarker = `substr(${arn}, strpos(${arn}, ${literal(ASSUMED_ROLE_MARKER)}) + ${ASSUMED_ROLE_MARKER.length})`;
  return `CASE WHEN ${contains(arn, ASSUMED_ROLE_MARKER)} ` +
    `THEN ${account} || ':role/' || nullif(split_part(${afterMarker}, '/', 1), '') ` +
    `WHEN ${contains(arn, ":role/")} THEN ${account} || ':role/' || ${lastSegment(arn)} END`;
}

/** The `Unknown` rule on the ARN; NULL when the ARN says nothing. */
function principalFromArn(arn: string, account: string): string {
  return `CASE WHEN ${arn} IS NULL OR ${account} IS NULL THEN NULL ` +
    `WHEN ${arn} LIKE '%:root' THEN ${account} || ':root' ` +
    `WHEN ${contains(arn, ":user/")} OR ${contains(arn, ":federated-user/")} ` +
    `THEN ${account} || ':user/' || ${lastSegment(arn)} ` +
    `ELSE ${rolePrincipal(arn, account)} END`;
}

/** The IdentityCenterUser form; NULL when a part is missing (`||` propagates NULL in both engines). */
function identityCenterUser(account: string): string {
  return `${account} || ':identitycenteruser/' || ${lastSegment("store_arn")} || '/' || user_id`;
}

/** The principal per the rule of the identity's type; NULL when the identity does not fit it. */
export const PRINCIPAL_BY_TYPE = `CASE
    WHEN identity_type IS NULL THEN coalesce(invoked_by, account)
    WHEN identity_type = 'IAMUser' THEN account || ':user/' || user_name
    WHEN identity_type = 'AssumedRole' THEN ${rolePrincipal("coalesce(issuer_arn, arn)", "account")}
    WHEN identity_type = 'Root' THEN account || ':root'
    WHEN identity_type = 'AWSAccount' THEN coalesce(invoked_by, account)
    WHEN identity_type = 'AWSService' THEN invoked_by
    WHEN identity_type = 'FederatedUser' THEN CASE WHEN issuer_type = 'Root' THEN account || ':root' ` +
  `ELSE account || ':user/' || ${lastSegment("issuer_arn")} END
    WHEN identity_type = 'IdentityCenterUser' THEN ${identityCenterUser("account")}
    WHEN identity_type = 'WebIdentityUser' THEN CASE WHEN principal_id IS NULL THEN account ` +
  `WHEN ${contains("principal_id", "/")} THEN 'oidc:' || substr(principal_id, strpos(principal_id, '/') + 1) END
    WHEN identity_type = 'SAMLUser' THEN 'saml:' || principal_id
    WHEN identity_type = 'Directory' THEN CASE WHEN ${contains("arn", "/")} ` +
  `THEN account || ':ds/' || ${secondLastSegment("arn")} || '/' || ${lastSegment("arn")} END
    WHEN identity_type = 'Unknown' THEN ` +
  `coalesce(${principalFromArn("arn", "account")}, ${identityCenterUser("account")}, account, 'Unknown')
  END`;

/**
 * The fallback for identities that fit no rule: the `Unknown` rule with the fallback account,
 * then `accountId`, `invokedBy`, `principalId`, the type string, `Unknown`.
 */
export const FALLBACK_PRINCIPAL = `coalesce(${principalFromArn("arn", "fallback_account")}, ` +
  `${identityCenterUser("fallback_account")}, account, invoked_by, principal_id, nullif(identity_type, ''), 'Unknown')`;
