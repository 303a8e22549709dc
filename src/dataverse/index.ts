// The public surface of the Dataverse client. Everything that speaks HTTP to Dataverse goes
// through DataverseClient; resource kinds build paths with the OData helpers and resolve option
// labels with client.metadata.

export {
  API_VERSION,
  DataverseClient,
  createDataverseClient,
  etagOf,
  type BatchOptions,
  type BatchResult,
  type ClientInternals,
  type CreateOptions,
  type CreateResult,
  type DataverseRecord,
  type DataverseResponse,
  type DeleteOptions,
  type HttpMethod,
  type ListOptions,
  type ReadOptions,
  type RequestSpec,
  type UpsertOptions,
  type UpsertResult,
  type WhoAmI,
  type WriteOptions,
} from "./client.js";
export {
  AUTH_KINDS,
  SETTINGS,
  dataverseConfigFromEnv,
  dataverseConfigFromSource,
  envSource,
  keyValueSource,
  normalizeConfig,
  type AuthConfig,
  type AuthKind,
  type DataverseClientConfig,
  type DataverseLogEvent,
  type DataverseLogger,
  type SettingName,
  type SettingsSource,
} from "./config.js";
export {
  clearTokenCache,
  createCredential,
  scopeFor,
  tokenSourceFor,
  type TokenSource,
} from "./credentials.js";
export {
  AccessDeniedError,
  AuthenticationError,
  BadRequestError,
  ConfigError,
  DATAVERSE_CODES,
  DATAVERSE_ERROR_CODES,
  DataverseError,
  DuplicateError,
  NotFoundError,
  PreconditionFailedError,
  ThrottledError,
  UnavailableError,
  UnexpectedResponseError,
  UnknownLookupError,
  UnknownOptionError,
  type DataverseErrorCode,
} from "./errors.js";
export {
  Metadata,
  clearMetadataCache,
  type AttributeMetadata,
  type EntityMetadata,
  type LookupMetadata,
  type OptionMetadata,
} from "./metadata.js";
export {
  Filter,
  Guid,
  ODataBuildError,
  and,
  compare,
  contains,
  eq,
  filter,
  guid,
  isGuid,
  isIn,
  keySegment,
  literal,
  ne,
  not,
  or,
  queryPath,
  queryString,
  recordPath,
  startsWith,
  type ODataValue,
  type QueryOptions,
  type RecordKey,
} from "./odata.js";
export { type BatchItem, type BatchOperation, type BatchPartResponse } from "./batch.js";
export { DEFAULT_RETRY_OPTIONS, type RetryOptions } from "./retry.js";
export { redact } from "./redact.js";
export { DualWriteManagementClient, type MapRunResult, type MapStatus } from "./dual-write.js";
