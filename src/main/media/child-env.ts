/**
 * The environment every child process starts with: ours minus anything that can spend
 * money or open an account. ffmpeg and ffprobe need none of the user's keys, and a
 * child's environment leaks easily (a crash report, /proc/<pid>/environ, a user's own
 * ffmpeg build or wrapper script that logs it). Everything else is kept as is: PATH to
 * find helpers, HOME/TMPDIR/XDG_* for caches, LANG/LC_* for file names, FONTCONFIG_*
 * for drawtext, and on Windows SystemRoot, without which a child cannot even start.
 */
import { PROVIDER_ACCESS } from '../registry/providers';

/** The keys the provider SDKs read, named exactly (whatever the patterns below say). */
const PROVIDER_KEY_NAMES = new Set(Object.values(PROVIDER_ACCESS).flatMap((access) => access.envVars.map((name) => name.toUpperCase())));

/**
 * Names that look like credentials. Generous on purpose: a child losing a variable it
 * never reads costs nothing; a key in the wrong place may cost the user's money.
 */
const SECRET_NAME_PATTERNS: readonly RegExp[] = [
  /API_?KEY/, // OPENAI_API_KEY, SOME_APIKEY
  /SECRET/, // KLING_SECRET_KEY, RUNWAYML_API_SECRET, CLIENT_SECRET_FILE
  /(^|_)TOKEN($|_)/, // GITHUB_TOKEN, HF_TOKEN, CI_JOB_TOKEN
  /PASSW(OR)?D/, // DB_PASSWORD, PGPASSWORD
  /ACCESS_?KEY/, // KLING_ACCESS_KEY, AWS_ACCESS_KEY_ID
  /PRIVATE_?KEY/,
  /CREDENTIAL/, // GOOGLE_APPLICATION_CREDENTIALS (a path to a key file)
  /(^|_)KEY$/, // FAL_KEY, STRIPE_KEY
  /^FAL_KEY/, // FAL_KEY_ID, FAL_KEY_SECRET
  /^AWS_/, // every AWS setting: credentials, session tokens, profiles that point at them
];

/**
 * Prefixes of variables that are kept even when a pattern matches: they configure the
 * desktop session and the child's locale, fonts and caches (XDG_ACTIVATION_TOKEN is a
 * window-focus cookie, not a credential).
 */
const ALWAYS_KEPT_PREFIXES = ['XDG_', 'LC_', 'FONTCONFIG_'] as const;
const ALWAYS_KEPT_NAMES = new Set(['PATH', 'HOME', 'LANG', 'LANGUAGE', 'TMPDIR', 'TMP', 'TEMP']);

/** Whether a variable must not reach a child process. Names compare case-insensitively (Windows). */
export function isSecretEnvName(name: string): boolean {
  const upper = name.toUpperCase();
  if (PROVIDER_KEY_NAMES.has(upper)) return true;
  if (ALWAYS_KEPT_NAMES.has(upper) || ALWAYS_KEPT_PREFIXES.some((prefix) => upper.startsWith(prefix))) return false;
  return SECRET_NAME_PATTERNS.some((pattern) => pattern.test(upper));
}

/** A copy of `source` without provider keys or anything named like a secret. */
export function childProcessEnv(source: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(source)) {
    if (value !== undefined && !isSecretEnvName(name)) env[name] = value;
  }
  return env;
}
