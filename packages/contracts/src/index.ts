export * from "./card-number";
export * from "./dead-letter";
export * from "./scoring";
export * from "./transport";
