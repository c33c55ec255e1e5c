/** What the API and the dashboard share about HTTP: request ids on every answer and log line. */
export * from "./request-id";
