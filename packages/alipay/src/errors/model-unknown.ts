import { AlipayError, type RemoteFailure } from "./alipay-error";

/** 400 invalid-model-version: the pinned model snapshot does not exist (any more). */
export class ModelUnknown extends AlipayError {
  readonly code = "model_unknown";
  readonly retryable = false;
  readonly deadLetterReason = "model_retired";

  constructor(
    readonly modelVersion: string | undefined,
    failure: RemoteFailure = {},
  ) {
    super(
      `Alipay does not know model_version ${modelVersion ?? "(default)"}: pin a current snapshot`,
      failure,
    );
  }
}
