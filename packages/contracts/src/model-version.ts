import { z } from "zod";

/**
 * A model snapshot's name as Alipay writes them (`risk-v3-2026-11`): lower-case letters and digits
 * in dash-separated words, at most 64 characters. A shape rather than free text: the version ends up
 * in alerts, logs and metric labels, where a newline or markup would forge lines.
 */
export const MODEL_VERSION_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const MAX_MODEL_VERSION_LENGTH = 64;

export const modelVersionSchema = z
  .string()
  .max(MAX_MODEL_VERSION_LENGTH, `at most ${MAX_MODEL_VERSION_LENGTH} characters`)
  .regex(
    MODEL_VERSION_PATTERN,
    'a model snapshot name: lower-case letters and digits joined by "-", e.g. risk-v3-2026-11',
  );
