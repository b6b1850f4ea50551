/**
 * Settings that name key files or the submission record are honoured only from user (or
 * remote machine) settings: a workspace can come from anyone, and pointing the extension at
 * another key or another file must take the user's own action.
 */

/** The part of `WorkspaceConfiguration.inspect()` that this module reads. */
export interface InspectedSetting<T> {
  defaultValue?: T;
  globalValue?: T;
  workspaceValue?: T;
  workspaceFolderValue?: T;
  workspaceLanguageValue?: T;
  workspaceFolderLanguageValue?: T;
}

export interface UserScopedValue<T> {
  /** The user settings value, else the default. */
  value: T | undefined;
  /** True when a workspace or workspace folder sets a value, which is ignored. */
  workspaceValueIgnored: boolean;
}

/** Picks the user-scope value of a setting and reports whether a workspace tried to set one. */
export function userScopedValue<T>(inspected: InspectedSetting<T> | undefined): UserScopedValue<T> {
  if (inspected === undefined) {
    return { value: undefined, workspaceValueIgnored: false };
  }
  const workspaceValueIgnored =
    inspected.workspaceValue !== undefined ||
    inspected.workspaceFolderValue !== undefined ||
    inspected.workspaceLanguageValue !== undefined ||
    inspected.workspaceFolderLanguageValue !== undefined;
  const value = inspected.globalValue !== undefined ? inspected.globalValue : inspected.defaultValue;
  return { value, workspaceValueIgnored };
}
