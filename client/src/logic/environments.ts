/**
 * Base URLs of the environments. Every ECA endpoint is `POST {baseUrl}/ws/eca/{name}`,
 * so a base URL is a scheme, a host and an optional port or path prefix, never `/ws/eca` itself.
 */

import { isEnvironmentName, PRODUCTION_BASE_URL, QA_BASE_URL, resolveBaseUrl } from '../../../eca/src/index';
import type { EnvironmentName } from '../../../server/src/protocol';

export { ENVIRONMENT_NAMES, isEnvironmentName } from '../../../eca/src/index';

/**
 * Default of `ibkr.emulator.port`. The CLI's emulator command has its own default; the
 * extension always passes its port explicitly, so the two never need to agree.
 */
export const DEFAULT_EMULATOR_PORT = 8765;

export interface EnvironmentSettings {
  environment: string;
  customUrl: string;
  emulatorPort: number;
}

export interface ResolvedEnvironment {
  name: EnvironmentName;
  /** Without a trailing slash. */
  baseUrl: string;
  /** `host[:port]` for logs and confirmations. */
  host: string;
}

export type EnvironmentResolution = { environment: ResolvedEnvironment } | { error: string };

export function emulatorBaseUrl(port: number): string {
  return `http://127.0.0.1:${port}`;
}

/** Resolves the settings to a base URL, or explains which setting is wrong and how to fix it. */
export function resolveEnvironment(settings: EnvironmentSettings): EnvironmentResolution {
  const name = settings.environment;
  if (!isEnvironmentName(name)) {
    return { error: `Invalid ibkr.environment "${name}": use local, qa, production or custom.` };
  }
  switch (name) {
    case 'local': {
      const port = settings.emulatorPort;
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        return { error: `Invalid ibkr.emulator.port ${String(port)}: use a TCP port from 1 to 65535 (default ${DEFAULT_EMULATOR_PORT}).` };
      }
      return { environment: withHost(name, emulatorBaseUrl(port)) };
    }
    case 'qa':
    case 'production':
      return { environment: withHost(name, name === 'production' ? PRODUCTION_BASE_URL : QA_BASE_URL) };
    case 'custom': {
      const checked = checkCustomUrl(settings.customUrl);
      if ('error' in checked) {
        return checked;
      }
      return { environment: withHost(name, checked.baseUrl) };
    }
  }
}

/** Validates `ibkr.customUrl` with the ECA client's rules and names the setting in the error. */
export function checkCustomUrl(raw: string): { baseUrl: string } | { error: string } {
  const text = raw.trim();
  if (text === '') {
    return { error: 'ibkr.customUrl is empty: set the base URL of the custom environment (e.g. https://eca.example.internal), or select another environment.' };
  }
  let baseUrl: string;
  try {
    baseUrl = resolveBaseUrl('custom', text);
  } catch (error) {
    return { error: `Invalid ibkr.customUrl: ${errorMessage(error)}` };
  }
  if (/\/ws\/eca(\/|$)/.test(new URL(baseUrl).pathname)) {
    return { error: `Invalid ibkr.customUrl "${text}": give the base URL without /ws/eca/, which is added for each call.` };
  }
  return { baseUrl };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function withHost(name: EnvironmentName, baseUrl: string): ResolvedEnvironment {
  return { name, baseUrl, host: new URL(baseUrl).host };
}
