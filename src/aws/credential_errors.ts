/**
 * Credential failures in a user's words: which profile, which file, which command fixes it. The SDK
 * says "Could not load credentials from any providers" for most of them; users need the cause.
 */
import { CannotRunError } from "../errors.ts";
import { awsErrorCode, classifyAwsError } from "./error_kind.ts";

/** The profile a run uses and where it was named. */
export interface ProfileInUse {
  name: string;
  from: "--profile" | "AWS_PROFILE";
}

/** The shared files as the SDK reads them: profile name → its settings. */
export interface SharedProfiles {
  config: Record<string, Record<string, string | undefined>>;
  credentials: Record<string, Record<string, string | undefined>>;
  configPath: string;
  credentialsPath: string;
}

function named(profile: ProfileInUse): string {
  return profile.from === "AWS_PROFILE" ? `profile '${profile.name}' (from AWS_PROFILE)` : `profile '${profile.name}'`;
}

/**
 * Checks that the profile and every `source_profile` it leads to exist in the shared files.
 * @throws {CannotRunError} naming the missing profile and both files
 */
export function checkProfileChain(profile: ProfileInUse, files: SharedProfiles): void {
  const neither =
    `in neither the AWS config file '${files.configPath}' nor the credentials file '${files.credentialsPath}'`;
  const seen = new Set<string>();
  let current = profile.name;
  while (true) {
    const settings = files.config[current] ?? files.credentials[current];
    if (settings === undefined) {
      throw new CannotRunError(
        current === profile.name
          ? `Cannot use ${named(profile)}: it is ${neither}`
          : `Cannot use ${named(profile)}: it takes its keys from source_profile '${current}', which is ${neither}`,
      );
    }
    seen.add(current);
    const source = settings.source_profile;
    if (source === undefined || source === "" || seen.has(source)) return;
    current = source;
  }
}

/**
 * Turns a credential failure of the first API call into a {@link CannotRunError} that names the cause;
 * other errors come back unchanged.
 */
export function explainCredentialError(error: unknown, profile: ProfileInUse | undefined): unknown {
  const message = error instanceof Error ? error.message : String(error);
  const login = profile === undefined ? "aws sso login" : `aws sso login --profile ${profile.name}`;
  const kind = classifyAwsError(error);
  if (/SSO session|SSO token|sso login/i.test(message)) {
    return new CannotRunError(
      `The SSO session of ${profile === undefined ? "the default profile" : named(profile)} has no valid token: ` +
        `run '${login}'`,
      { cause: error },
    );
  }
  if (kind === "expired-credentials") {
    return new CannotRunError(
      `The AWS credentials${profile === undefined ? "" : ` of ${named(profile)}`} have expired ` +
        `(${awsErrorCode(error)}): renew them ('${login}' for SSO, new keys or a new session otherwise)`,
      { cause: error },
    );
  }
  if (kind === "invalid-credentials" && awsErrorCode(error) !== "CredentialsProviderError") {
    return new CannotRunError(
      `AWS does not accept the credentials${profile === undefined ? "" : ` of ${named(profile)}`} ` +
        `(${awsErrorCode(error)}): check the access key id and secret, or use another profile`,
      { cause: error },
    );
  }
  if (kind === "invalid-credentials") {
    return new CannotRunError(
      profile === undefined
        ? "No AWS credentials found: set AWS_PROFILE or use --profile, set AWS_ACCESS_KEY_ID and " +
          "AWS_SECRET_ACCESS_KEY, or run 'aws configure' / 'aws sso login'"
        : `Cannot load credentials for ${named(profile)}: it has no keys, role or SSO settings the AWS SDK can use`,
      { cause: error },
    );
  }
  return error;
}
