export * from "./card-number";
export * from "./dead-letter";
export * from "./job-id";
export * from "./jobs";
export * from "./scoring";
export * from "./transport";
