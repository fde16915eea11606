/** Connection URLs as the CLI shows them: never with their password. */

/** `url` with its password replaced by `***` (text that is no URL: any `user:password@` masked the same way). */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = '***';
    return parsed.href;
  } catch {
    return url.replace(/\/\/([^/@:]*):[^/@]*@/, '//$1:***@');
  }
}

/** The password of `url` as written and decoded, or nothing. */
function passwordsOf(url: string): string[] {
  let password: string;
  try {
    password = new URL(url).password;
  } catch {
    password = /\/\/[^/@:]*:([^/@]*)@/.exec(url)?.[1] ?? '';
  }
  if (password === '') return [];
  let decoded = password;
  try {
    decoded = decodeURIComponent(password);
  } catch {
    // A malformed escape: only the written form can appear.
  }
  return [...new Set([password, decoded])];
}

/**
 * `text` (a driver's error message) with `url` masked wherever it appears, and the url's password too: a driver
 * may quote either. A password of fewer than 3 characters is masked inside the URL only (masking every "a" of a
 * message would make it unreadable).
 */
export function maskSecrets(text: string, url: string): string {
  let masked = text.split(url).join(maskUrl(url));
  for (const password of passwordsOf(url)) {
    if (password.length >= 3) masked = masked.split(password).join('***');
  }
  return masked;
}
