// Limits of function secrets (docs/limits.md), in a leaf module: the manifest parser imports them without the rest of
// the service layer.

/** Secret names follow config keys (the guest reads both through one call). */
export const SECRET_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
export const MAX_SECRETS = 32;
export const MAX_SECRET_VALUE_CHARS = 4096;
