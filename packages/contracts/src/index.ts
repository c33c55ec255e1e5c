export * from "./card-number";
export * from "./control-characters";
export * from "./dead-letter";
export * from "./job-id";
export * from "./jobs";
export * from "./model-version";
export * from "./scoring";
export * from "./transport";
