/** The local ECA emulator and the functions that prepare and change its state folder. */

import { completePendingInStore } from './process';
import { stateStoreFor, type RequestRecord } from './state';

export { startEmulator, type EmulatorHandle, type EmulatorOptions } from './server';
export { FAULT_KINDS, validateFault, type EmulatorFault, type EmulatorFaultKind } from './faults';
export { EMULATOR_QUESTIONS, questionsToCsv } from './questions';
export {
  DEFAULT_PENDING_TASKS,
  EMULATOR_PUBLIC_KEY_FILE,
  TEST_FIRM_FILE,
  addAccount,
  addPendingUser,
  defaultEmulatorStateDir,
  initEmulatorState,
  loadLocalCredentials,
  registerFirm,
  type FirmRegistration,
  type LocalCredentials,
  type TestFirm,
} from './setup';
export { PROCESSED_MESSAGE } from './process';
export type { RequestRecord, TaskRecord } from './state';

/** Moves a PENDING request of the emulator in `stateDir` to PROCESSED, as if its tasks were done. */
export function completePendingRequest(stateDir: string, requestId: string): Promise<RequestRecord> {
  return completePendingInStore(stateStoreFor(stateDir), requestId, new Date());
}
