export * from "./card-number";
export * from "./scoring";
export * from "./transport";
