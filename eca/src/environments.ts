/** The ECA environments and how a base URL is chosen and checked. */

import { EcaError } from './errors';
import type { EnvironmentName } from './types';

export const ENVIRONMENT_NAMES: readonly EnvironmentName[] = ['local', 'qa', 'production', 'custom'];

/** Base URLs from IBKR's Account Management guides. */
export const PRODUCTION_BASE_URL = 'https://api.ibkr.com';
export const QA_BASE_URL = 'https://qa.interactivebrokers.com';

/** Port of the local emulator when none is configured. An arbitrary choice of this project. */
export const DEFAULT_EMULATOR_PORT = 8642;
export const DEFAULT_LOCAL_BASE_URL = `http://127.0.0.1:${DEFAULT_EMULATOR_PORT}`;

/** Returns the URL of an ECA endpoint. Every endpoint is `POST {base}/ws/eca/{name}`. */
export function endpointUrl(baseUrl: string, name: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/ws/eca/${name}`;
}

export function isEnvironmentName(value: string): value is EnvironmentName {
  return (ENVIRONMENT_NAMES as readonly string[]).includes(value);
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * Resolves and checks the base URL of an environment. `production` and `qa` take no URL of
 * their own; `custom` needs one; `local` defaults to the emulator's default address. Plain
 * `http:` is accepted only for loopback hosts, because the CSID travels in the request body.
 */
export function resolveBaseUrl(environment: EnvironmentName, baseUrl?: string): string {
  if (environment === 'production' || environment === 'qa') {
    const fixed = environment === 'production' ? PRODUCTION_BASE_URL : QA_BASE_URL;
    if (baseUrl !== undefined && baseUrl !== '' && baseUrl.replace(/\/+$/, '') !== fixed) {
      throw new EcaError('config', `The ${environment} environment always uses ${fixed}; got base URL "${baseUrl}". Use the custom environment for another URL.`);
    }
    return fixed;
  }

  let chosen = baseUrl ?? '';
  if (chosen === '') {
    if (environment === 'custom') {
      throw new EcaError('config', 'The custom environment needs a base URL, e.g. https://eca.example.com.');
    }
    chosen = DEFAULT_LOCAL_BASE_URL;
  }

  let url: URL;
  try {
    url = new URL(chosen);
  } catch {
    throw new EcaError('config', `Base URL "${chosen}" is not a valid URL; expected e.g. http://127.0.0.1:${DEFAULT_EMULATOR_PORT}.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new EcaError('config', `Base URL "${chosen}" must start with https:// (or http:// for a loopback host).`);
  }
  if (environment === 'local' && !LOOPBACK_HOSTS.has(url.hostname)) {
    // `local` sends the emulator's test firm credentials; they must not leave the machine.
    throw new EcaError('config', `The local environment is the emulator on loopback; base URL "${chosen}" names another host. Use the custom environment with the firm's credentials for that server.`);
  }
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
    throw new EcaError('config', `Base URL "${chosen}" uses plain http to a host that is not loopback; the CSID would travel unencrypted. Use https://.`);
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new EcaError('config', `Base URL "${chosen}" must not contain credentials, a query or a fragment.`);
  }
  if (/\/ws\/eca\/*$/.test(url.pathname)) {
    // endpointUrl appends /ws/eca/{name}; a base that ends in it would double the path.
    throw new EcaError('config', `Base URL "${chosen}" ends in /ws/eca; give the base without it, e.g. ${url.origin}.`);
  }
  return url.toString().replace(/\/+$/, '');
}

/** Host (with port when not the default) of a base URL, as shown in logs and the record. */
export function hostOf(baseUrl: string): string {
  return new URL(baseUrl).host;
}
