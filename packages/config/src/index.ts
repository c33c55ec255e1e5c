export * from "./common-env";
export * from "./config-error";
export * from "./config-or-exit";
export { type Decoded, type FieldMeta, field } from "./field";
export * from "./numeric-fields";
export * from "./parse-config";
export * from "./secret-fields";
export * from "./text-fields";
export * from "./alipay-env";
