/**
 * Public API of the ECA package: the client for IBKR's Account Management (ECA) web service,
 * its zip + OpenPGP transport, the submission record and the local ECA emulator.
 * Nothing here imports `vscode`; the CLI, the extension and the tests use the same code.
 */

export * from './types';
export { EcaError, type EcaErrorCode } from './errors';
export {
  ENVIRONMENT_NAMES,
  PRODUCTION_BASE_URL,
  QA_BASE_URL,
  DEFAULT_EMULATOR_PORT,
  DEFAULT_LOCAL_BASE_URL,
  endpointUrl,
  hostOf,
  isEnvironmentName,
  resolveBaseUrl,
} from './environments';
export { PRODUCT_NAME, PRODUCT_VERSION, USER_AGENT } from './version';
export { MAX_REPLY_BYTES } from './http';
export { MAX_RAW_REPLY_CHARS } from './body';
export {
  loadCredentials,
  loadPrivateKeyFile,
  loadPublicKeyFile,
  type CredentialFiles,
  type EcaCredentials,
  type OpenPgpPrivateKey,
  type OpenPgpPublicKey,
} from './keys';
export {
  MAX_PAYLOAD_BASE64_BYTES,
  buildPayload,
  decryptReplyData,
  zipEntryName,
  zipRequestFile,
  type DecryptedReply,
} from './transport';
export { parseProcessXml, outcomeFromProcess, NOT_PROCESSED_MESSAGE, OUTCOME_UNKNOWN_MESSAGE } from './response';
export {
  EcaClient,
  createEcaClient,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_RETRY_POLICY,
  DEFAULT_REQUEST_BODIES,
  DEFAULT_ENDPOINT_NAMES,
  type EcaClientOptions,
  type EndpointNames,
  type RequestBodies,
  type RetryPolicy,
} from './client';
export {
  CORRUPT_LINE_TEXT_LENGTH,
  appendSubmissions,
  defaultRecordFile,
  describeCorruptRecord,
  findSubmissions,
  readSubmissions,
  recordSubmission,
  sha256Hex,
  type CorruptLineKind,
  type CorruptRecordLine,
  type RecordedOutcome,
  type RecordSubmissionInput,
  type SubmissionEntry,
  type SubmissionRecordRead,
} from './record';
export {
  startEmulator,
  defaultEmulatorStateDir,
  initEmulatorState,
  loadLocalCredentials,
  registerFirm,
  addPendingUser,
  addAccount,
  completePendingRequest,
  EMULATOR_QUESTIONS,
  FAULT_KINDS,
  PROCESSED_MESSAGE,
  DEFAULT_PENDING_TASKS,
  type EmulatorOptions,
  type EmulatorHandle,
  type EmulatorFault,
  type EmulatorFaultKind,
  type FirmRegistration,
  type LocalCredentials,
  type RequestRecord,
  type TaskRecord,
  type TestFirm,
} from './emulator';
