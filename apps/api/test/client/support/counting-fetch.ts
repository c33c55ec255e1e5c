/**
 * The real fetch, passed through unchanged, recording the status of every answer: lets a test see
 * how many HTTP requests the SDK actually made (0 when it refused a request locally).
 */
export function countingFetch(): { fetch: typeof globalThis.fetch; statuses: number[] } {
  const statuses: number[] = [];
  return {
    statuses,
    fetch: async (input, init) => {
      const response = await globalThis.fetch(input, init);
      statuses.push(response.status);
      return response;
    },
  };
}
