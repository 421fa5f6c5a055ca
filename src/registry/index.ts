// Registry layer: function metadata (SQLite Durable Object) and content-addressed module bytes (R2).
export { RegistryObject } from "./registry-object.ts";
export type { ListedDatabase } from "./database-list.ts";
export type {
  ChangeOutcome,
  ChangeRefusal,
  CommitResult,
  DeletedFunction,
  DeploymentChange,
  FunctionDetails,
  FunctionVersionDraft,
  VersionSummary,
} from "./registry-object.ts";
export { MAX_HISTORY_PAGE } from "./registry-object.ts";
export { settingsKey } from "./version-settings.ts";
export { registryStub, REGISTRY_OBJECT_NAME } from "./registry-stub.ts";
export { instrumentedModuleKey, originalModuleKey, putContentAddressed } from "./module-store.ts";
export type { SecretInfo } from "./secret-store.ts";
export type { TokenInfo, TokenRow, TokenScope } from "./token-store.ts";
