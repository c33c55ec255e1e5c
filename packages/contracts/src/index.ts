export * from "./scoring";
export * from "./transport";
